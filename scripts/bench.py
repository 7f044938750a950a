"""Print page weights and server times of the main pages, on a fresh demo database.

Sobriety is one of the charter's themes: pages must stay small and quick on an old office PC.
Run: .venv/bin/python scripts/bench.py [--requests N]
"""
from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import pyotp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from charte import create_app  # noqa: E402
from charte.config import PROJECT_ROOT  # noqa: E402
from charte.demo import fill_demo  # noqa: E402
from charte.extensions import db  # noqa: E402

PASSWORD = "mot de passe du banc d'essai"
PAGES = ["/", "/accessibilite", "/chartes/", "/chartes/1", "/chartes/1/versions", "/chartes/1/clauses/RESP-1",
         "/journal", "/admin/comptes", "/static/charte.css"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=30, help="requests per page")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db", "SECRET_KEY": "b" * 40,
            "INSTANCE_PATH": tmp, "WTF_CSRF_ENABLED": False,
        })
        with app.app_context():
            upgrade(directory=str(PROJECT_ROOT / "migrations"))
            accounts = fill_demo(PASSWORD)
            db.session.commit()
            secret = next(secret for user, _, secret in accounts if user.email == "paul.lefebvre@belval.example")
        client = app.test_client()
        t0 = time.perf_counter()
        client.post("/connexion", data={"email": "paul.lefebvre@belval.example", "password": PASSWORD})
        login_ms = (time.perf_counter() - t0) * 1000
        client.post("/connexion/code", data={"code": pyotp.TOTP(secret).now()})  # the second factor
        print(f"login (argon2id, standard cost): {login_ms:.0f} ms")
        print(f"{'page':32} {'bytes':>8} {'gzip':>7} {'median ms':>10} {'p95 ms':>8}")
        tracemalloc.start()
        for url in PAGES:
            timings = []
            body = b""
            for _ in range(args.requests):
                start = time.perf_counter()
                response = client.get(url)
                body = response.get_data()
                response.close()
                timings.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            timings.sort()
            p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
            print(f"{url:32} {len(body):>8} {len(gzip.compress(body)):>7} {statistics.median(timings):>10.1f} "
                  f"{p95:>8.1f}")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"peak Python memory while serving: {peak / 1024 / 1024:.1f} MiB")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()

"""Print page weights and server times of the main pages, on a fresh demo database.

Sobriety is one of the charter's themes: pages must stay small and quick on an old office PC.
Also: what casting a ballot costs, through the service and through HTTP, beside one bare
INSERT + COMMIT on the same database.
Run: .venv/bin/python scripts/bench.py [--requests N] [--ballots N]
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
    parser.add_argument("--ballots", type=int, default=100, help="ballots cast for each ballot figure")
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
        ballot_costs(app, args.ballots)
        with app.app_context():
            db.engine.dispose()


def _median_ms(timings: list[float]) -> float:
    return statistics.median(timings) * 1000


def ballot_costs(app, ballots: int) -> None:
    """Cast `ballots` fresh ballots through the service (each committed), as many through the web form,
    and time as many bare INSERT + COMMIT on a scratch table of the same database."""
    from datetime import timedelta

    from sqlalchemy import select, text

    from charte.accounts.models import User
    from charte.amendements.models import Amendement, Revision
    from charte.chartes.models import Charte
    from charte.scrutins.services import ouvrir_vote, voter
    from charte.temps import maintenant
    from charte.tours.services import ouvrir_tour

    web_voters = ["julien.roux@belval.example", "sophie.garnier@belval.example"]
    with app.app_context():
        comite = db.session.scalars(select(User).filter_by(email="paul.lefebvre@belval.example")).one()
        charte = db.session.get(Charte, 1)
        now = maintenant()
        tour = ouvrir_tour(charte, comite, "Banc d’essai", now - timedelta(hours=1), now + timedelta(days=1),
                           now + timedelta(days=1), now + timedelta(days=8))
        users = db.session.scalars(select(User).filter_by(is_active=True).order_by(User.id)).all()
        refs = [c.ref for c in tour.version.clauses]
        count = -(-ballots // len(web_voters))
        for i in range(count):
            auteur = users[i % len(users)]
            amendement = Amendement(
                tour_id=tour.id, charte_id=charte.id, numero=i + 1, nature="modification", statut="depose",
                clause_ref=refs[i % len(refs)], auteur_id=auteur.id, departement_id=auteur.departement_id,
                base_version_id=tour.version_id, titre=f"Amendement {i + 1}", texte="Texte.", expose="Motif.",
                revision_courante=1, created_at=now, depose_at=now)
            amendement.revisions.append(Revision(numero=1, base_version_id=tour.version_id, titre=amendement.titre,
                                                 texte="Texte.", expose="Motif.", auteur_id=auteur.id, created_at=now))
            db.session.add(amendement)
        db.session.flush()
        ouvrir_vote(tour, comite, "Banc d’essai.")
        db.session.commit()
        amendement_ids = list(db.session.scalars(select(Amendement.id).filter_by(tour_id=tour.id)))
        pairs = [(a, u.id) for a in amendement_ids for u in users if u.email not in web_voters][:ballots]
        service = []
        for amendement_id, user_id in pairs:
            amendement, user = db.session.get(Amendement, amendement_id), db.session.get(User, user_id)
            start = time.perf_counter()
            voter(amendement, user, "pour")
            db.session.commit()
            service.append(time.perf_counter() - start)

    web = []
    for email in web_voters:
        client = app.test_client()
        client.post("/connexion", data={"email": email, "password": PASSWORD})
        for amendement_id in amendement_ids[:-(-ballots // len(web_voters))]:
            if len(web) == ballots:
                break
            start = time.perf_counter()
            response = client.post(f"/amendements/{amendement_id}/bulletin", data={"choix": "contre"})
            web.append(time.perf_counter() - start)
            assert response.status_code == 302, response.status_code

    with app.app_context():
        bare = []
        with db.engine.connect() as connection:
            connection.execute(text("CREATE TABLE bench_insert (id INTEGER PRIMARY KEY, v VARCHAR(20))"))
            connection.commit()
            for i in range(ballots):
                start = time.perf_counter()
                connection.execute(text("INSERT INTO bench_insert (v) VALUES (:v)"), {"v": f"ligne {i}"})
                connection.commit()
                bare.append(time.perf_counter() - start)
            connection.execute(text("DROP TABLE bench_insert"))
            connection.commit()
        dialect = db.engine.dialect.name
    base = _median_ms(bare)
    print(f"casting a ballot: median of {ballots} fresh ballots, {dialect} database")
    print(f"  {'bare INSERT + COMMIT':34} {base:>8.2f} ms")
    for label, timings in (("voter() service + commit", service), ("POST /amendements/<id>/bulletin", web)):
        print(f"  {label:34} {_median_ms(timings):>8.2f} ms  (×{_median_ms(timings) / base:.0f})")


if __name__ == "__main__":
    main()

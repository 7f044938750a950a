"""Print how long the consolidation service takes: 150 adopted amendments on a 300-clause charter, on a
fresh SQLite database (migrations, template import, round, amendments with their results), through
`charte.consolidation.services.consolider` as the committee's button calls it (loading, exact merge,
writing the draft, its conflicts, the caducs and the journal), each run rolled back.

Run: .venv/bin/python scripts/bench_consolidation.py [--repetitions N]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from charte import create_app  # noqa: E402
from charte.config import PROJECT_ROOT  # noqa: E402
from charte.extensions import db  # noqa: E402

CLAUSES, AMENDEMENTS = 300, 150


def preparer():
    """A charter of CLAUSES clauses, its closed round with AMENDEMENTS adopted amendments, a committee member."""
    import json
    from datetime import datetime, timedelta, timezone

    from charte.accounts.services import creer_compte, creer_departement
    from charte.chartes.services import creer_charte, importer_modele
    from charte.tours.models import ReglesCharte, Tour, TourStatut
    from tests.consolidation.test_queries import adopted_amendments, modele_source

    departement = creer_departement("Direction générale", None)
    comite, _ = creer_compte("comite@banc.example", "Membre du comité", departement, {"agent", "comite"}, None,
                             password="mot de passe du banc d’essai")
    auteurs = [creer_compte(f"agent{i}@banc.example", f"Agent {i}", departement, {"agent"}, None,
                            password="mot de passe du banc d’essai")[0] for i in range(3)]
    charte = creer_charte(importer_modele(modele_source(CLAUSES).encode("utf-8"), "banc.md", None), None, None)
    now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    regles = ReglesCharte(charte_id=charte.id, quorum_pct=25, majorite="simple", une_voix_par_service=False,
                          resultats_en_direct=False, cosignataires_min=0, validation_seuil=2)
    tour = Tour(charte_id=charte.id, version_id=charte.versions[0].id, numero=1, titre="Tour n° 1",
                statut=TourStatut.CLOS, depot_debut_at=now - timedelta(days=14), depot_fin_at=now - timedelta(days=7),
                vote_debut_at=now - timedelta(days=7), vote_fin_at=now - timedelta(days=1),
                regles_json=json.dumps(regles.as_dict()), created_at=now)
    db.session.add(tour)
    db.session.commit()
    adopted_amendments(tour, auteurs, AMENDEMENTS)
    return tour.id, comite.id


def mesurer(repetitions: int) -> tuple[float, object]:
    """Median seconds of one consolidation, and the last run's counts."""
    from charte.accounts.models import User
    from charte.consolidation.services import consolider
    from charte.tours.models import Tour

    tour_id, comite_id = preparer()
    durees, resultat = [], None
    for _ in range(repetitions):
        db.session.expire_all()
        tour, comite = db.session.get(Tour, tour_id), db.session.get(User, comite_id)
        debut = time.perf_counter()
        resultat = consolider(tour, actor=comite)
        durees.append(time.perf_counter() - debut)
        resultat = (resultat.appliques, resultat.conflits, resultat.caducs)
        db.session.rollback()
    return statistics.median(durees), resultat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repetitions", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db", "SECRET_KEY": "b" * 40,
                          "INSTANCE_PATH": tmp, "CHARTE_PASSWORD_PROFILE": "tests"})
        with app.app_context():
            upgrade(directory=str(PROJECT_ROOT / "migrations"))
            duree, (appliques, conflits, caducs) = mesurer(args.repetitions)
            db.engine.dispose()
    print(f"consolider (service, base SQLite) : {AMENDEMENTS} amendements adoptés sur {CLAUSES} clauses en "
          f"{duree * 1000:.0f} ms (médiane de {args.repetitions}) — {appliques} appliqués, {conflits} conflit(s), "
          f"{caducs} caduc(s)")


if __name__ == "__main__":
    main()

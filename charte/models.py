"""Every model, imported in one place for the metadata, Alembic and the tests."""
from charte.accounts.models import CodeSecours, Departement, LoginAttempt, User  # noqa: F401
from charte.chartes.models import Charte, Modele, Version, VersionClause  # noqa: F401
from charte.journal.models import JournalEntry  # noqa: F401
from charte.parametres import Parametre  # noqa: F401
from charte.tours.models import ReglesCharte, Tour, TourEvenement  # noqa: F401
from charte.amendements.models import Amendement, Commentaire, CommentaireEdition, Cosignature, Revision  # noqa: F401
from charte.scrutins.models import Bulletin, BulletinEvenement, Electeur, Resultat  # noqa: F401
from charte.notifications.models import Notification  # noqa: F401
from charte.consolidation.models import ConflitFusion, Correction, Decision, Projet  # noqa: F401
from charte.publication.models import Publication  # noqa: F401

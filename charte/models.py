"""Every model, imported in one place for the metadata, Alembic and the tests."""
from charte.accounts.models import CodeSecours, Departement, LoginAttempt, User  # noqa: F401
from charte.chartes.models import Charte, Modele, Version, VersionClause  # noqa: F401
from charte.journal.models import JournalEntry  # noqa: F401
from charte.parametres import Parametre  # noqa: F401
from charte.publication.models import Publication  # noqa: F401

"""Import every domain's models so that Alembic and create_all see the whole schema."""
from workspace.accounts.models import AccountToken, User  # noqa: F401
from workspace.events import Event  # noqa: F401
from workspace.live.presence import Presence  # noqa: F401
from workspace.mail.models import OutboxMessage  # noqa: F401
from workspace.workspaces.models import (  # noqa: F401
    Membership,
    Organization,
    Workspace,
    WorkspaceOrganization,
)
from workspace.papers.models import (  # noqa: F401
    Paper,
    PolicyArea,
    Revision,
    Section,
    Snapshot,
    SnapshotSection,
)
from workspace.export.models import ExportJob, ExportTemplate  # noqa: F401

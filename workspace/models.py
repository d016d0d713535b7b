"""Import every domain's models so that Alembic and create_all see the whole schema."""
from workspace.accessibility.models import AccessibilityReport  # noqa: F401
from workspace.accounts.models import AccountToken, AuthSession, User  # noqa: F401
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
from workspace.decisions.models import (  # noqa: F401
    ApprovalRound,
    Decision,
    Ratification,
    RoundParticipant,
)
from workspace.comments.models import Comment, CommentThread, Suggestion  # noqa: F401
from workspace.notifications.models import Notification, NotificationPreference  # noqa: F401
from workspace.priorities.models import (  # noqa: F401
    FollowUp,
    PriorityItem,
    PriorityItemPaper,
    PriorityList,
    Ranking,
)
from workspace.export.models import ExportJob, ExportTemplate  # noqa: F401

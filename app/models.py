"""Import every model so the metadata (and Alembic's autogenerate) sees all tables."""

from agenda.chair_review import ChairComment, ChairReview  # noqa: F401
from agenda.minutes.adjustment_models import (  # noqa: F401
    Announcement,
    MinutesAdjustment,
    MinutesApproval,
    MinutesCorrection,
)
from agenda.minutes.dispatch_models import MinutesDispatch  # noqa: F401
from agenda.minutes.documents import MinutesDocument  # noqa: F401
from agenda.minutes.models import (  # noqa: F401
    Absence,
    CommitteeSeat,
    FiledMotion,
    Minutes,
    MinutesConflict,
    MinutesParagraph,
    MinutesRevision,
    ParagraphCounter,
)
from agenda.models import AgendaItem, DelegationDecision, Meeting, MeetingStatus, Publication, StandingItem  # noqa: F401
from agenda.notes import HandlingNote  # noqa: F401
from agenda.visits import NoticeVisit  # noqa: F401
from app.audit import AuditEntry  # noqa: F401
from app.auth.models import ApiToken, CommitteeRole, MunicipalityRole, MunicipalRole, Role, User  # noqa: F401
from app.idempotency import IdempotentRequest  # noqa: F401
from app.notifications import OutboxMessage  # noqa: F401
from app.organisation.models import Administration, Committee, Municipality  # noqa: F401
from app.registry.models import (  # noqa: F401
    Case,
    CaseStatus,
    ClassificationCode,
    Diarium,
    Direction,
    RegisteredDocument,
    RegistrationCounter,
)
from app.search.models import ExtractedText, SearchEntry  # noqa: F401
from tasks.models import Job, JobState, KeptTask  # noqa: F401
from tasks.rendering.document_templates import DocumentTemplateFile  # noqa: F401
from workflows.models import (  # noqa: F401
    CaseReport,
    ReportAttachment,
    ReportConflict,
    ReportRevision,
    ReportSectionDefinition,
    ReportTransition,
    StoredFileRecord,
)

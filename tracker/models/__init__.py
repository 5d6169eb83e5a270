"""CareerPath's data: a guide's content (edited by admins), then each person's profile,
progress and mentorships. Modules by domain; everything is importable from here."""

from tracker.models.accounts import Profile, display_name
from tracker.models.base import GuidePart, VersionedModel
from tracker.models.content import (
    LEVEL_RANK,
    Advice,
    AdviceRule,
    CareerStage,
    Guide,
    ImpactArea,
    Level,
    Milestone,
    MilestonePrerequisite,
    Pillar,
    Resource,
    ResourceKind,
    SalaryBand,
)
from tracker.models.mentoring import (
    OPEN_MENTORSHIP,
    Mentorship,
    MentorshipStatus,
    ReviewRequest,
    ReviewStatus,
)
from tracker.models.operations import HealthProbe, JobRun, Notification
from tracker.models.progress import (
    FINISHED,
    PlanSnapshot,
    Progress,
    ProgressEvent,
    ProgressStatus,
    http_url_validator,
    is_finished,
)

__all__ = [
    "FINISHED",
    "LEVEL_RANK",
    "OPEN_MENTORSHIP",
    "Advice",
    "AdviceRule",
    "CareerStage",
    "Guide",
    "GuidePart",
    "HealthProbe",
    "ImpactArea",
    "JobRun",
    "Level",
    "Mentorship",
    "MentorshipStatus",
    "Milestone",
    "MilestonePrerequisite",
    "Notification",
    "Pillar",
    "PlanSnapshot",
    "Profile",
    "Progress",
    "ProgressEvent",
    "ProgressStatus",
    "Resource",
    "ResourceKind",
    "ReviewRequest",
    "ReviewStatus",
    "SalaryBand",
    "VersionedModel",
    "display_name",
    "http_url_validator",
    "is_finished",
]

"""Any change to a guide's content bumps its ``content_version``, which keys the cache of
the guide's plan in every web process (see selectors.guide_content)."""

from django.db.models import F
from django.db.models.signals import post_delete, post_save

from tracker.models import (
    Advice,
    CareerStage,
    Guide,
    ImpactArea,
    Milestone,
    MilestonePrerequisite,
    Pillar,
    Resource,
    SalaryBand,
)


def content_changed(*, guide_ids=None, milestone_ids=None) -> None:
    guides = Guide.objects.all()
    if guide_ids is not None:
        guides = guides.filter(pk__in=guide_ids)
    if milestone_ids is not None:
        guides = guides.filter(milestones__in=milestone_ids)
    Guide.objects.filter(pk__in=guides.values("pk")).update(
        content_version=F("content_version") + 1
    )


def _on_guide_part(sender, instance, **kwargs):
    content_changed(guide_ids=[instance.guide_id])


def _on_milestone_part(sender, instance, **kwargs):
    content_changed(milestone_ids=[instance.milestone_id])


def connect() -> None:
    for model in (CareerStage, Pillar, Milestone, SalaryBand, Advice, ImpactArea):
        post_save.connect(_on_guide_part, sender=model, dispatch_uid=f"content-{model.__name__}")
        post_delete.connect(
            _on_guide_part, sender=model, dispatch_uid=f"content-del-{model.__name__}"
        )
    for model in (Resource, MilestonePrerequisite):
        post_save.connect(
            _on_milestone_part, sender=model, dispatch_uid=f"content-{model.__name__}"
        )
        post_delete.connect(
            _on_milestone_part, sender=model, dispatch_uid=f"content-del-{model.__name__}"
        )

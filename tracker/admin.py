from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tracker.models import (
    Advice,
    CareerStage,
    Guide,
    ImpactArea,
    JobRun,
    Level,
    MailPreferences,
    Mentorship,
    Milestone,
    MilestonePrerequisite,
    Notification,
    Pillar,
    Profile,
    Progress,
    ProgressEvent,
    Resource,
    ReviewRequest,
    SalaryBand,
    ScheduledMail,
)
from tracker.selectors.content import milestone_with_history
from tracker.services.content import (
    PrerequisiteEdit,
    milestone_delete,
    milestone_set_archived,
    prerequisites_check,
)

admin.site.site_header = _("CareerPath administration")
admin.site.site_title = _("CareerPath admin")
admin.site.index_title = _("Guides, learners and mentors")


class PillarInline(admin.TabularInline):
    model = Pillar
    fields = ["order", "name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    extra = 0
    show_change_link = True


class CareerStageInline(admin.TabularInline):
    model = CareerStage
    fields = ["order", "name", "slug", "completes_level"]
    extra = 0


@admin.register(Guide)
class GuideAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "published", "pillar_count", "milestone_count", "updated_at"]
    list_filter = ["published"]
    search_fields = ["title", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [PillarInline, CareerStageInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "promise", "published"]}),
        (
            _("Source"),
            {
                "fields": ["source_author", "source_title", "source_published_on", "source_url"],
                "classes": ["collapse"],
            },
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                pillar_total=Count("pillars", distinct=True),
                milestone_total=Count(
                    "milestones", filter=Q(milestones__archived=False), distinct=True
                ),
            )
        )

    @admin.display(description=_("pillars"), ordering="pillar_total")
    def pillar_count(self, guide):
        return guide.pillar_total

    @admin.display(description=_("milestones"), ordering="milestone_total")
    def milestone_count(self, guide):
        return guide.milestone_total


class PillarMilestoneFormSet(BaseInlineFormSet):
    """A pillar's milestones: a level changed here is checked against the milestones'
    prerequisites and the milestones that require them, as on the milestone's own page."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        edits = [
            PrerequisiteEdit(milestone=form.instance)
            for form in self.initial_forms
            if "level" in form.changed_data and not self._should_delete_form(form)
        ]
        problems = prerequisites_check(edits=edits) if edits else []
        if problems:
            raise ValidationError(problems)


class MilestoneInline(admin.TabularInline):
    model = Milestone
    formset = PillarMilestoneFormSet
    fields = ["order", "title", "slug", "level", "estimated_hours", "is_project", "archived"]
    prepopulated_fields = {"slug": ["title"]}
    extra = 0
    show_change_link = True
    ordering = ["order"]


@admin.register(Pillar)
class PillarAdmin(admin.ModelAdmin):
    list_display = ["name", "guide", "order", "milestone_count"]
    list_filter = ["guide"]
    list_select_related = ["guide"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MilestoneInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(milestone_total=Count("milestones", filter=Q(milestones__archived=False)))
        )

    @admin.display(description=_("milestones"), ordering="milestone_total")
    def milestone_count(self, pillar):
        return pillar.milestone_total


class ResourceInline(admin.TabularInline):
    model = Resource
    fields = ["order", "title", "url", "kind"]
    extra = 0


class PrerequisiteFormSet(BaseInlineFormSet):
    """A milestone's prerequisites as the editor leaves them: no circle (counting the rows
    added, changed and deleted in this submit, and the milestones that require this one),
    and no milestone requiring a later level (counting the milestone's level as edited).

    Checked in the admin's transaction (its change view is atomic), with the guide locked
    until the save commits, so two editors cannot each add half of a circle."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        milestone = self.instance
        if milestone.pillar_id is None or milestone.level not in Level.values:
            return  # the milestone's own form says what is missing
        required = set()
        for form in self.forms:
            if self._should_delete_form(form):
                continue
            value = form.cleaned_data.get("prerequisite")
            if value is not None:
                # A view-only row's cleaned data is its initial data: a primary key.
                required.add(getattr(value, "pk", value))
        edit = PrerequisiteEdit(
            milestone=milestone,
            prerequisite_ids=required,
            replaced_rows=[form.instance.pk for form in self.initial_forms],
        )
        problems = prerequisites_check(edits=[edit])
        if problems:
            raise ValidationError(problems)


class PrerequisiteInline(admin.TabularInline):
    model = MilestonePrerequisite
    formset = PrerequisiteFormSet
    fk_name = "milestone"
    autocomplete_fields = ["prerequisite"]
    extra = 0
    verbose_name = _("prerequisite")
    verbose_name_plural = _("prerequisites (milestones to finish first)")


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "pillar",
        "level",
        "estimated_hours",
        "order",
        "is_project",
        "archived",
        "resource_count",
    ]
    list_filter = ["guide", "pillar", "level", "is_project", "archived"]
    list_select_related = ["pillar"]
    list_editable = ["order", "estimated_hours"]
    ordering = ["guide", "pillar__order", "order", "pk"]
    search_fields = ["title", "slug", "description"]
    prepopulated_fields = {"slug": ["title"]}
    fields = [
        "pillar",
        "title",
        "slug",
        "description",
        "level",
        "estimated_hours",
        "order",
        "is_project",
        "archived",
    ]
    inlines = [PrerequisiteInline, ResourceInline]
    actions = ["archive", "unarchive"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(resource_total=Count("resources"))

    @admin.display(description=_("resources"), ordering="resource_total")
    def resource_count(self, milestone):
        return milestone.resource_total

    @admin.action(description=_("Archive (hide from plans, keep learners' history)"))
    def archive(self, request, queryset):
        count = milestone_set_archived(milestones=queryset, archived=True)
        self.message_user(request, ngettext("%d archived.", "%d archived.", count) % count)

    @admin.action(description=_("Restore archived milestones"))
    def unarchive(self, request, queryset):
        count = milestone_set_archived(milestones=queryset, archived=False)
        self.message_user(request, ngettext("%d restored.", "%d restored.", count) % count)

    def get_deleted_objects(self, objs, request):
        # Milestones with history are archived instead (below): they must not block the
        # deletion as "protected", nor be listed among the objects that will be deleted.
        objs = list(objs)
        kept = set(
            milestone_with_history(
                Milestone.objects.filter(pk__in=[obj.pk for obj in objs])
            ).values_list("pk", flat=True)
        )
        return super().get_deleted_objects([o for o in objs if o.pk not in kept], request)

    def delete_model(self, request, obj):
        if milestone_with_history(Milestone.objects.filter(pk=obj.pk)).exists():
            obj.archived = True
            obj.save(update_fields=["archived"])
            self.message_user(
                request,
                _("“%s” has learners' progress, so it was archived instead of deleted.") % obj,
                messages.WARNING,
            )
        else:
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        archived = milestone_delete(milestones=queryset)
        if archived:
            self.message_user(
                request,
                ngettext(
                    "%d milestone has learners' progress and was archived instead.",
                    "%d milestones have learners' progress and were archived instead.",
                    archived,
                )
                % archived,
                messages.WARNING,
            )


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "milestone", "url"]
    list_filter = ["kind", "milestone__pillar"]
    list_select_related = ["milestone"]
    search_fields = ["title", "url", "milestone__title"]
    autocomplete_fields = ["milestone"]


@admin.register(CareerStage)
class CareerStageAdmin(admin.ModelAdmin):
    list_display = ["name", "guide", "order", "completes_level"]
    list_filter = ["guide", "completes_level"]
    list_select_related = ["guide"]
    search_fields = ["name", "slug"]


@admin.register(SalaryBand)
class SalaryBandAdmin(admin.ModelAdmin):
    """The guide's salary figures, as it states them: a figure belongs to a career stage,
    or to none (a figure about a place, such as a tech-hub average)."""

    list_display = ["figure", "guide", "career_stage", "region", "low", "high", "currency", "order"]
    list_filter = ["guide", "stage", "region", "currency"]
    list_select_related = ["guide", "stage"]
    search_fields = ["label", "region", "source", "note"]
    fieldsets = [
        (None, {"fields": ["guide", "label", "stage", "region", "order"]}),
        (_("Figures"), {"fields": ["low", "high", "currency", "note"]}),
        (_("Source"), {"fields": ["source", "as_of"]}),
    ]

    @admin.display(description=_("figure"), ordering="label")
    def figure(self, band: SalaryBand) -> str:
        return band.display_label

    @admin.display(description=_("career stage"), ordering="stage__order")
    def career_stage(self, band: SalaryBand) -> str:
        return band.stage.name if band.stage else _("none: a figure about a place")


@admin.register(Advice)
class AdviceAdmin(admin.ModelAdmin):
    list_display = ["title", "guide", "rule", "order"]
    list_filter = ["guide", "rule"]
    list_select_related = ["guide"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(ImpactArea)
class ImpactAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "guide", "order"]
    list_filter = ["guide"]
    list_select_related = ["guide"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


# Learner data: visible for support, editable only where fixing abuse needs it.


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "display_name", "region", "public_profile", "share_notes_with_mentors"]
    list_filter = ["public_profile", "share_notes_with_mentors", "region"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email", "display_name"]
    raw_id_fields = ["user"]


@admin.register(Progress)
class ProgressAdmin(admin.ModelAdmin):
    list_display = ["learner", "milestone", "status", "verified_at", "updated_at"]
    ordering = ["-pk"]  # newest first, straight from the primary key index
    list_filter = ["status", "milestone__pillar", "milestone__level"]
    list_select_related = ["learner", "milestone"]
    search_fields = ["learner__username", "learner__email", "milestone__title"]
    readonly_fields = [
        "learner",
        "milestone",
        "status",
        "started_at",
        "completed_at",
        "verified_at",
        "verified_by",
        "updated_at",
    ]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False


@admin.register(ProgressEvent)
class ProgressEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "learner", "milestone", "old_status", "new_status", "actor"]
    list_filter = ["new_status"]
    list_select_related = ["learner", "milestone", "actor"]
    search_fields = ["learner__username", "milestone__title"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Mentorship)
class MentorshipAdmin(admin.ModelAdmin):
    list_display = [
        "mentor",
        "invited_as",
        "mentee",
        "status",
        "invited_at",
        "responded_at",
        "ended_at",
    ]
    list_filter = ["status"]
    list_select_related = ["mentor", "mentee"]
    search_fields = ["mentor__username", "mentee__username", "invited_as"]
    raw_id_fields = ["mentor", "mentee"]


@admin.register(ReviewRequest)
class ReviewRequestAdmin(admin.ModelAdmin):
    list_display = ["progress", "mentorship", "status", "requested_at", "decided_at"]
    list_filter = ["status"]
    list_select_related = [
        "progress__learner",
        "progress__milestone",
        "mentorship__mentor",
        "mentorship__mentee",
    ]
    search_fields = ["progress__learner__username", "mentorship__mentor__username"]
    raw_id_fields = ["progress", "mentorship"]


# The app's own work: the mail it sent or gave up on, and the scheduled jobs it ran.


class DeliveryFilter(admin.SimpleListFilter):
    title = _("delivery")
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        return [
            ("sent", _("Sent")),
            ("waiting", _("Waiting or retrying")),
            ("failed", _("Given up")),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "sent":
                return queryset.filter(sent_at__isnull=False)
            case "waiting":
                return queryset.filter(sent_at__isnull=True, failed_at__isnull=True)
            case "failed":
                return queryset.filter(failed_at__isnull=False)
        return queryset


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "subject", "attempts", "sent_at", "failed_at"]
    list_filter = [DeliveryFilter]
    search_fields = ["recipient", "subject", "key"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Notification._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ["job", "period", "started_at", "finished_at", "result"]
    list_filter = ["job"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MailPreferences)
class MailPreferencesAdmin(admin.ModelAdmin):
    list_display = ["user", "weekly_digest", "weekday", "hour", "inactivity_days", "mentor_reviews"]
    list_filter = ["weekly_digest", "mentor_reviews", "inactivity_days"]
    search_fields = ["user__username", "user__email"]
    exclude = ["calendar_token"]  # a secret: the person resets it in their settings
    readonly_fields = ["digest_chosen_at"]


@admin.register(ScheduledMail)
class ScheduledMailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "kind", "period", "next_stage", "next_stage_on"]
    list_filter = ["kind"]
    search_fields = ["user__username", "period"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

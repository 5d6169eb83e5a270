"""Abstract shapes shared by the models."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class VersionedModel(models.Model):
    """A model with fields that change only through their own ``UPDATE … SET n = n + 1``
    (tracker.caching.versions). Saving a copy loaded earlier, from a form or the
    admin, never writes them back: a version that went down could bring a stale cached
    page back."""

    UPDATED_APART: frozenset[str] = frozenset()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in self.UPDATED_APART
            ]
        super().save(*args, **kwargs)


class GuidePart(models.Model):
    """A row that belongs to one guide, placed by ``order`` and named in URLs and in the
    guide file by a slug that is unique within its guide. Subclasses declare the ``guide``
    key themselves, for its related name."""

    slug = models.SlugField(_("slug"), max_length=80)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["guide", "slug"], name="%(class)s_slug_unique_per_guide"
            ),
        ]


class NamedGuidePart(GuidePart):
    """A part of a guide known by its name, with a description: a pillar, an impact area."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)

    class Meta(GuidePart.Meta):
        abstract = True
        ordering = ["guide", "order", "name"]

    def __str__(self) -> str:
        return self.name

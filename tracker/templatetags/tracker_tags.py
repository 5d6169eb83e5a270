"""Small pieces of markup that appear once per milestone, hence many times a page.

A simple tag renders in a few microseconds where an {% include %} costs a template
render; the guide page shows one status badge per milestone.
"""

import datetime

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.forms import BoundField
from django.utils import timezone, translation
from django.utils.html import format_html, urlize
from django.utils.safestring import mark_safe

from tracker.caching import fragments, pages
from tracker.models import display_name, is_finished
from tracker.rules import advice_text

register = template.Library()

ICONS = {
    "done": mark_safe(
        '<svg class="status-icon" viewBox="0 0 16 16" aria-hidden="true">'
        '<circle cx="8" cy="8" r="7.25" fill="currentColor"/>'
        '<path d="M4.5 8.2 7 10.6 11.5 5.6" fill="none" stroke="#fff" stroke-width="1.8" '
        'stroke-linecap="round" stroke-linejoin="round"/></svg>'
    ),
    # A check inside a ring: finished like done, but known before, not done here.
    "known": mark_safe(
        '<svg class="status-icon" viewBox="0 0 16 16" aria-hidden="true">'
        '<circle cx="8" cy="8" r="7" fill="none" stroke="currentColor" stroke-width="1.5"/>'
        '<path d="M4.8 8.2 7 10.4 11.2 5.8" fill="none" stroke="currentColor" '
        'stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"/></svg>'
    ),
    "in_progress": mark_safe(
        '<svg class="status-icon" viewBox="0 0 16 16" aria-hidden="true">'
        '<circle cx="8" cy="8" r="7" fill="none" stroke="currentColor" stroke-width="1.5"/>'
        '<path d="M8 1a7 7 0 0 1 0 14z" fill="currentColor"/></svg>'
    ),
    "not_started": mark_safe(
        '<svg class="status-icon" viewBox="0 0 16 16" aria-hidden="true">'
        '<circle cx="8" cy="8" r="7" fill="none" stroke="currentColor" stroke-width="1.5"/>'
        "</svg>"
    ),
}
LABELS = {
    "done": "Done",
    "known": "Already know it",
    "in_progress": "In progress",
    "not_started": "Not started",
}
CLASSES = {
    "done": "status-badge status-done",
    "known": "status-badge status-done status-known",
    "in_progress": "status-badge",
    "not_started": "status-badge text-body-secondary",
}
VERIFIED = mark_safe(' <span class="badge badge-verified rounded-pill">Verified</span>')


@register.simple_tag
def status_badge(status: str | None, verified=None):
    """A status shown by icon and text, never by colour alone; "Verified" when approved."""
    status = status if status in LABELS else "not_started"
    badge = format_html(
        '<span class="{}">{}{}</span>', CLASSES[status], ICONS[status], LABELS[status]
    )
    if status in ("done", "known") and verified:
        return badge + VERIFIED
    return badge


DAYS_COUNTED = 14  # "13 days ago"; from two weeks on, the date


@register.filter
def days_ago(moment: datetime.datetime | None) -> str:
    """A day's precision ("today", "yesterday", "3 days ago", then the date), which keeps
    cached pages (tracker.caching) true all day long."""
    if moment is None:
        return ""
    day = timezone.localdate(moment)
    days = (timezone.localdate() - day).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < DAYS_COUNTED:
        return f"{days} days ago"
    if day.year == timezone.localdate().year:
        return f"on {day.day} {day:%b}"
    return f"on {day.day} {day:%b %Y}"


@register.filter
def person(user) -> str:
    """A person as every page names them (tracker.models.display_name)."""
    return display_name(user)


@register.simple_tag
def progress_bar(value: int, label: str, size: str = ""):
    """A labelled progress bar, its figure in its accessible name and as its fallback."""
    css = f"cp-bar cp-bar-{size}" if size else "cp-bar"
    return format_html(
        '<progress class="{}" value="{}" max="100" aria-label="{}: {}%">{}%</progress>',
        css,
        value,
        label,
        value,
        value,
    )


CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}


def money(amount: int, currency: str) -> str:
    """An amount in its own currency: "$75,000", "€60,000", "90,000 CHF"."""
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{symbol}{intcomma(amount)}" if symbol else f"{intcomma(amount)} {currency}"


@register.filter
def salary_range(band) -> str:
    """A salary band's figures as the guide states them: a range, or one open end."""
    if band.low is not None and band.high is not None:
        return f"{money(band.low, band.currency)}\N{EN DASH}{money(band.high, band.currency)}"
    if band.low is not None:
        return f"from {money(band.low, band.currency)}"
    return f"up to {money(band.high, band.currency)}"


@register.filter
def advice_when(item) -> str:
    """When a piece of advice applies, in plain words: "When: {{ item|advice_when }}"."""
    return advice_text.advice_when(
        item.rule, inactive_days=item.inactive_days, label=item.get_rule_display()
    )


@register.simple_tag
def status_icon_symbols(prefix: str = "map-icon"):
    """The status badge's icons as SVG <symbol>s (``#map-icon-in_progress`` …), for a drawing that
    shows one per milestone (the guide map) and places each with <use>."""
    symbols = []
    for status, icon in ICONS.items():
        inner = icon[icon.index(">") + 1 : icon.rindex("</svg>")]
        symbols.append(
            format_html(
                '<symbol id="{}-{}" viewBox="0 0 16 16">{}</symbol>',
                prefix,
                status,
                mark_safe(inner),
            )
        )
    return mark_safe("".join(symbols))


@register.filter
def status_label(status: str | None) -> str:
    """A status in words, as its badge says it: "Done", "In progress", "Not started"."""
    return LABELS.get(status or "not_started", str(status).replace("_", " ").capitalize())


@register.filter
def finished(status: str | None) -> bool:
    """Whether a status counts like done: done, or already known."""
    return is_finished(status)


@register.filter
def status_icon(status: str | None) -> str:
    """Which of the badge's icons stands for a status (``status_icon_symbols``)."""
    return status if status in ICONS else "not_started"


NEEDS_WORK_ICON = mark_safe(
    '<svg class="status-icon" viewBox="0 0 16 16" aria-hidden="true">'
    '<circle cx="8" cy="8" r="7" fill="none" stroke="currentColor" stroke-width="1.5"/>'
    '<path d="M8 4v5" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"/>'
    '<circle cx="8" cy="11.6" r="1" fill="currentColor"/></svg>'
)


@register.simple_tag
def needs_work_badge():
    """The state a mentor's "changes requested" puts a milestone in (tracker.rules.threads)."""
    return format_html(
        '<span class="status-badge status-needs-work">{}Needs work</span>', NEEDS_WORK_ICON
    )


@register.filter(is_safe=True, needs_autoescape=True)
def message_text(text: str, autoescape: bool = True):
    """A message as written: escaped, its links made clickable (never followed, never
    given the opener), its line breaks kept."""
    linked = urlize(text or "", nofollow=True, autoescape=True)
    linked = linked.replace('rel="nofollow"', 'rel="nofollow noopener"')
    return mark_safe(linked.replace("\r\n", "\n").replace("\n", "<br>"))


@register.tag("kept")
def kept(parser, token):
    """``{% kept "name" part… %}…{% endkept %}``: the enclosed markup rendered once per
    process for each value of its parts (``tracker.caching.fragments``). The parts must
    name everything the markup shows that can differ between uses."""
    parts = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    if not parts:
        raise template.TemplateSyntaxError("{% kept %} needs a name and the parts of its key.")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(nodelist, parts)


class KeptNode(template.Node):
    def __init__(self, nodelist, parts):
        self.nodelist, self.parts = nodelist, parts

    def render(self, context):
        key = tuple(part.resolve(context) for part in self.parts)

        def render(csrf_placeholder: str) -> str:
            with context.push(csrf_token=csrf_placeholder):
                return self.nodelist.render(context)

        return fragments.fragment(key, render, context.get("csrf_token"))


@register.tag("cached")
def cached(parser, token):
    """``{% cached "name" part… %}…{% endcached %}``: the enclosed markup kept in the
    page cache (``tracker.caching.pages.part``), shared by every process, for each value
    of its parts: for markup of one person, which ``{% kept %}`` would hold in every
    process. The parts must name everything the markup shows that can differ."""
    parts = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    if not parts:
        raise template.TemplateSyntaxError("{% cached %} needs a name and the parts of its key.")
    nodelist = parser.parse(("endcached",))
    parser.delete_first_token()
    return CachedNode(nodelist, parts)


class CachedNode(KeptNode):
    def render(self, context):
        parts = tuple(part.resolve(context) for part in self.parts)

        def render(csrf_placeholder: str) -> str:
            with context.push(csrf_token=csrf_placeholder):
                return self.nodelist.render(context)

        return pages.part(context.get("request"), parts, render, context.get("csrf_token"))


@register.simple_tag(takes_context=True)
def crispy_cached(context, form):
    """``{{ form|crispy }}`` (or, given one of its fields, ``{{ field|as_crispy_field }}``),
    rendered once per state of an unbound form and kept in the page cache
    (``tracker.caching.pages.part``): crispy forms takes a millisecond or more per form.
    The state is what the markup shows that can differ between two forms of a class: each
    field's value and, for a choice field, its choices (so a form whose choices are a
    queryset must be given them as a list). A bound form (a visitor's input, its errors)
    is rendered afresh."""
    field = form if isinstance(form, BoundField) else None
    whole = field.form if field is not None else form
    if whole.is_bound:
        return _crispy(form, field)
    state = (
        type(whole).__module__,
        type(whole).__qualname__,
        whole.prefix,
        field.name if field is not None else None,
        translation.get_language(),
        tuple(_field_state(bound) for bound in whole),
    )
    return pages.part(
        context.get("request"), ("crispy", *state), lambda _: _crispy(form, field), None
    )


def _crispy(form, field) -> str:
    return as_crispy_field(field) if field is not None else as_crispy_form(form)


def _field_state(bound: BoundField) -> tuple:
    choices = getattr(bound.field, "choices", None)
    return (bound.name, bound.value(), tuple(choices) if choices is not None else None)

"""The small pieces of markup every page repeats: one source each."""

from types import SimpleNamespace

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form

from tracker.forms import MessageForm, NotesForm
from tracker.models import Progress, display_name
from tracker.templatetags.tracker_tags import crispy_cached, person, progress_bar, salary_range


def band(low, high, currency="USD"):
    return SimpleNamespace(low=low, high=high, currency=currency)


@pytest.mark.parametrize(
    ("figures", "shown"),
    [
        (band(182_000, 194_000), "$182,000\N{EN DASH}$194,000"),
        (band(75_000, None), "from $75,000"),
        (band(None, 90_000), "up to $90,000"),
        (band(50_000, 60_000, "EUR"), "€50,000\N{EN DASH}€60,000"),
        (band(90_000, None, "CHF"), "from 90,000 CHF"),
        (band(0, 40_000), "$0\N{EN DASH}$40,000"),
    ],
)
def test_salaries_render_in_their_own_currency(figures, shown):
    assert salary_range(figures) == shown


def test_a_progress_bar_names_its_figure():
    html = progress_bar(40, "Mathematics", "sm")
    assert 'class="cp-bar cp-bar-sm"' in html
    assert 'aria-label="Mathematics: 40%"' in html
    assert ">40%</progress>" in html


def test_a_progress_bar_escapes_its_label():
    assert "&lt;b&gt;" in progress_bar(10, "<b>", "")


@pytest.mark.django_db
def test_a_person_is_named_by_display_name_or_else_username(make_user):
    ada = make_user("ada")
    assert person(ada) == display_name(ada) == "ada"
    ada.profile.display_name = "Ada Lovelace"
    assert person(ada) == "Ada Lovelace"


@pytest.mark.django_db
def test_a_cached_form_is_the_markup_crispy_renders_for_its_state(rf):
    """``{% crispy_cached %}`` keeps the markup of each state of an unbound form; a bound
    form (a visitor's input and its errors) is rendered afresh every time."""
    context = {"request": rf.get("/")}
    for note in ["", "First note", "First note", "Second note"]:
        form = NotesForm(instance=Progress(note=note))
        assert crispy_cached(context, form) == as_crispy_form(form)
    unbound = MessageForm()
    assert crispy_cached(context, unbound["body"]) == as_crispy_field(unbound["body"])

    for body in ["Hello", "x" * 20_000]:
        bound = MessageForm({"body": body})
        bound.is_valid()
        assert crispy_cached(context, bound["body"]) == as_crispy_field(bound["body"])
    refused = NotesForm({"note": "x", "evidence_url": "ftp://no"}, instance=Progress())
    assert "ftp://no" in crispy_cached(context, refused)

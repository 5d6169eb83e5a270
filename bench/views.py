"""The benchmark's yardstick, after TechEmpower's "Fortunes" test.

One query of a small table, an extra row added in memory, a sort, and a small template,
through the project's full middleware stack: every page is measured as a ratio to it.
"""

from types import SimpleNamespace

from django.shortcuts import render
from django.views.decorators.http import require_safe

from tracker.models import Advice


@require_safe
def fortunes(request):
    rows = [SimpleNamespace(id=a.id, message=a.title) for a in Advice.objects.only("title")]
    rows.append(SimpleNamespace(id=0, message="Additional fortune added at request time."))
    rows.sort(key=lambda row: row.message)
    return render(request, "bench/fortunes.html", {"fortunes": rows})

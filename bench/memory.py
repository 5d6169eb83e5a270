"""The resident size of one web worker after serving 2,000 distinct learners' pages.

    python bench/memory.py [--database sqlite|postgres] [--learners 2000]

Without ``REDIS_URL`` each web process keeps its own page cache (``LocMemCache``, at most
``CACHE_MAX_ENTRIES`` entries, 2,000 by default), so a worker grows with the number of
people it serves until that cap. This runs the app in production mode in one process on the
benchmark's scale data (built by ``bench/pages.py`` on first use), logs in that many
distinct learners, requests each one's dashboard and guide page, and prints the resident
size (``VmRSS``) before and as it goes, the number and sizes of the cache's entries, and
whether the growth stays within ``MAX_GROWTH_MB``: the page cache's cap of the largest
entries (2,000 x 21 KB, 41 MB), the kept fragments' cap (10,000 x about 2 KB, 20 MB,
``tracker/caching/fragments.py``) and room for the interpreter's heap. Exits non-zero when
the bound is missed.
"""

import argparse
import logging
import statistics
import sys
from http import HTTPStatus
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pages import database_url, ensure_postgres_database, in_subprocess, setup_django

MAX_GROWTH_MB = 100
PAGES = ["/dashboard/", "/guides/ml-engineer/"]


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--learners", type=int, default=2000)
    args = parser.parse_args()
    if args.database == "postgres":
        ensure_postgres_database("scale")
    url = database_url(args.database, "scale")
    in_subprocess("--seed", url, "scale")
    setup_django(url)
    logging.getLogger("axes").setLevel(logging.WARNING)  # a line per log-in otherwise

    import gc

    from django.contrib.auth import get_user_model
    from django.core.cache import caches
    from django.core.management import call_command
    from django.test import Client

    call_command("collectstatic", interactive=False, verbosity=0)
    learners = list(
        get_user_model()
        .objects.filter(username__startswith="bench0")
        .order_by("username")[: args.learners]
    )
    warm = Client()
    warm.force_login(learners[-1])
    for page in PAGES:
        warm.get(page)
    gc.collect()
    start = resident_mb()
    print(f"{'learners served':>16} {'resident MB':>12} {'growth MB':>10}")
    print(f"{0:>16} {start:>12.1f} {0:>10.1f}")
    for served, learner in enumerate(learners, start=1):
        client = Client()
        client.force_login(learner)
        for page in PAGES:
            response = client.get(page)
            assert response.status_code == HTTPStatus.OK, (learner.username, page)
        if served % 500 == 0 or served == len(learners):
            gc.collect()
            now = resident_mb()
            print(f"{served:>16} {now:>12.1f} {now - start:>10.1f}")
    growth = resident_mb() - start

    cache = caches["default"]
    entries = getattr(cache, "_cache", {})  # LocMemCache: key -> pickled value
    sizes = sorted(len(value) for value in entries.values())
    if sizes:
        median_kb, largest_kb = statistics.median(sizes) / 1024, sizes[-1] / 1024
        print(
            f"\npage cache: {len(sizes)} entries (cap {cache._max_entries}), "
            f"{sum(sizes) / 2**20:.1f} MB pickled; entry median {median_kb:.1f} KB, "
            f"largest {largest_kb:.1f} KB"
        )
    else:
        print(f"\npage cache: {type(cache).__name__}, outside this process")
    verdict = "within" if growth <= MAX_GROWTH_MB else "OVER"
    bound = f"{verdict} the {MAX_GROWTH_MB} MB bound"
    print(f"growth {growth:.1f} MB for {len(learners)} learners: {bound}")
    return 0 if growth <= MAX_GROWTH_MB else 1


if __name__ == "__main__":
    sys.exit(main())

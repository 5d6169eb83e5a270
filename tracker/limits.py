"""How often one client, address or person may do something: a fixed-window counter per
limit in the shared ``limits`` cache (Redis when REDIS_URL is set, else a database
table), so that a limit reached through one process holds on every other.

The limits are settings (``LIMITS``: a count per period in seconds) multiplied by
``LIMITS_FACTOR``. A limited request is answered with a clear message and status 429,
never dropped silently.
"""

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import caches


def client_ip(request) -> str:
    """The client's address: the connection's own, or behind ``TRUSTED_PROXY_COUNT``
    proxies the address the outermost one saw. Headers are believed only that far."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    return forwarded[-proxies] if len(forwarded) >= proxies else remote


def allowance(name: str) -> tuple[int, int]:
    """The limit ``name`` as (count, seconds), after ``LIMITS_FACTOR``."""
    count, seconds = settings.LIMITS[name]
    return max(1, math.floor(count * settings.LIMITS_FACTOR)), seconds


def hit(name: str, value: str) -> bool:
    """Count one more use of limit ``name`` by ``value`` (an address, a client, a person);
    False once the limit for this window is exceeded."""
    count, seconds = allowance(name)
    window = int(time.time() // seconds)
    digest = hashlib.blake2b(value.strip().lower().encode(), digest_size=12).hexdigest()
    key = f"limit:{name}:{window}:{digest}"
    cache = caches["limits"]
    cache.add(key, 0, seconds + 5)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, seconds + 5)
        used = 1
    return used <= count


def hours(seconds: int) -> str:
    """A period after "in the last": "hour", "24 hours"."""
    count = round(seconds / 3600)
    return "hour" if count == 1 else f"{count} hours"


class LimitReached(Exception):
    """A limit was reached; the message says which and when to try again."""


def check(name: str, value: str, message: str) -> None:
    """Count one use; raise LimitReached with ``message`` (which may name ``{period}``)
    once the limit is exceeded."""
    if not hit(name, value):
        raise LimitReached(message.format(period=hours(allowance(name)[1])))


def check_sign_up(request) -> None:
    """Count one sign-up from the client's network (the sign-up page and an invitation's
    sign-up alike), with the message a person reads when it is one too many."""
    check(
        "sign_up_per_client",
        client_ip(request),
        "Too many accounts were created from your network in the last {period}. "
        "Please try again later.",
    )

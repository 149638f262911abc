"""Attempt limits with an expiring lockout, kept in Django's cache.

Used for registration codes now and for login, email codes and TOTP later. Counters live in
the cache named by ``WAGTAIL_TENANTPORTAL["RATE_LIMIT_CACHE"]`` (default ``"default"``), so
all processes share them when that cache is shared (Redis, Memcached, database cache). A
per-process cache (LocMemCache) limits each process separately, which is fine for tests
and single-process development only.

API::

    from wagtail_tenantportal.core.ratelimit import RateLimit, RateLimited

    limiter = RateLimit.for_scope("registration_ip")   # limit/window/lockout from settings
    limiter = RateLimit("login_user", limit=5, window=900, lockout=900)  # or explicit

    limiter.check(ip)           # raises RateLimited(retry_after=seconds) while locked out
    limiter.locked_for(ip)      # seconds left of a lockout, 0 if none
    locked = limiter.hit(ip)    # count one failed attempt; True if this locks the key now
    limiter.hit(user, amount=n) # count what something cost (e.g. pixels decoded), not attempts
    limiter.count(ip)           # the sliding-window count
    limiter.reset(ip)           # forget the failures (e.g. after a success)

What the caller may rely on:

- ``limit`` failures within ``window`` seconds lock the key for ``lockout`` seconds. The
  lockout always ends (it is a cache entry with a timeout and carries its end time); a
  failure after it ends may lock again at once while the window still holds enough
  failures.
- The window slides: the count is the current fixed bucket plus the previous bucket
  weighted by how much of it still lies inside the window. So splitting attempts across a
  bucket boundary does not double the allowance.
- Keys are never stored in clear: each is an HMAC of scope and key (IP addresses are
  personal data). The scope keeps limiters with the same key apart: a success that resets
  one scope (a correct password) leaves the counts of another (wrong two-factor codes)
  alone. Cache keys start with ``tenantportal:rl:<scope>:``, so an operator can find them.
- A lockout of n seconds is enforced for all of its n seconds, the last included, and for
  n = 1 too: the cache entry outlives the end time it carries.
- Only Django's cache API is used. ``cache.incr`` is atomic in Redis and Memcached; with
  other backends concurrent hits may be undercounted slightly, never overcounted.
- ``clock`` (seconds since the epoch) is injectable, and the default clock is the module
  function ``now``, which tests may patch; so lockouts can expire without sleeping. Cache
  timeouts only clean up behind it.

Scopes and their defaults are in ``DEFAULTS["RATE_LIMITS"]`` (see docs/settings.md). A site
overrides single values per scope: ``"RATE_LIMITS": {"registration_ip": {"limit": 50}}``.
"""

import time

from django.core.cache import caches
from django.utils.crypto import salted_hmac

from .conf import DEFAULTS, portal_settings

_KEY_SALT = "wagtail_tenantportal.core.ratelimit"


def now():
    """Seconds since the epoch: the default clock of every limiter (patchable in tests)."""
    return time.time()


class RateLimited(Exception):
    """The key is locked out; ``retry_after`` is the number of whole seconds left."""

    def __init__(self, retry_after, scope=""):
        self.retry_after = max(1, int(retry_after + 0.999))
        self.scope = scope
        super().__init__(f"Rate limit {scope!r} exceeded; retry after {self.retry_after} s")


def scope_config(scope):
    """``{"limit", "window", "lockout"}`` for ``scope``: the site's values over the defaults."""
    config = dict(DEFAULTS["RATE_LIMITS"].get(scope, {}))
    config.update((portal_settings.RATE_LIMITS or {}).get(scope, {}))
    missing = {"limit", "window", "lockout"} - set(config)
    if missing:
        raise KeyError(f"Rate limit scope {scope!r} lacks {', '.join(sorted(missing))}")
    return config


class RateLimit:
    def __init__(self, scope, *, limit, window, lockout, cache_alias=None, clock=None):
        if limit < 1 or window < 1 or lockout < 1:
            raise ValueError("limit, window and lockout must be positive")
        self.scope = scope
        self.limit = int(limit)
        self.window = int(window)
        self.lockout = int(lockout)
        self.cache_alias = cache_alias or portal_settings.RATE_LIMIT_CACHE
        self._clock = clock

    @classmethod
    def for_scope(cls, scope, **kwargs):
        """A limiter configured from ``RATE_LIMITS[scope]``; keyword arguments override it."""
        return cls(scope, **{**scope_config(scope), **kwargs})

    def clock(self):
        return self._clock() if self._clock is not None else now()

    @property
    def cache(self):
        return caches[self.cache_alias]

    def _digest(self, key):
        return salted_hmac(_KEY_SALT, f"{self.scope}\0{key}", algorithm="sha256").hexdigest()[:40]

    def _keys(self, key, now):
        digest = self._digest(key)
        bucket = int(now // self.window)
        prefix = f"tenantportal:rl:{self.scope}"
        return f"{prefix}:lock:{digest}", f"{prefix}:{bucket}:{digest}", f"{prefix}:{bucket - 1}:{digest}"

    def locked_for(self, key):
        """Seconds left of the lockout of ``key`` (0.0 if it is not locked)."""
        now = self.clock()
        lock_key, _, _ = self._keys(key, now)
        until = self.cache.get(lock_key)
        if until is None:
            return 0.0
        return max(0.0, float(until) - now)

    def check(self, key):
        """Raise ``RateLimited`` while ``key`` is locked out; otherwise return None."""
        left = self.locked_for(key)
        if left > 0:
            raise RateLimited(left, self.scope)

    def count(self, key):
        """The sliding-window count of failures of ``key``."""
        now = self.clock()
        _, current_key, previous_key = self._keys(key, now)
        values = self.cache.get_many([current_key, previous_key])
        elapsed = (now % self.window) / self.window
        return values.get(current_key, 0) + values.get(previous_key, 0) * (1 - elapsed)

    def hit(self, key, amount=1):
        """Count one failed attempt for ``key`` (or ``amount``, a cost such as pixels decoded);
        return True if ``key`` is locked out now."""
        now = self.clock()
        lock_key, current_key, _ = self._keys(key, now)
        cache = self.cache
        amount = int(amount)
        # Two windows: the bucket is still read as "previous" during the next window.
        if not cache.add(current_key, amount, timeout=2 * self.window):
            try:
                cache.incr(current_key, amount)
            except ValueError:  # expired between add and incr
                cache.add(current_key, amount, timeout=2 * self.window)
        if self.count(key) >= self.limit:
            # The value is the end time; the cache timeout (rounded up) only removes it later.
            cache.set(lock_key, now + self.lockout, timeout=self.lockout + 1)
            return True
        return False

    def reset(self, key):
        """Forget the failures and any lockout of ``key``."""
        now = self.clock()
        self.cache.delete_many(list(self._keys(key, now)))

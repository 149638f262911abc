"""The cache-based attempt limiter: lockout, expiry, sliding window, hashed keys, settings."""

import pytest
from django.core.cache import caches

from wagtail_tenantportal.core.ratelimit import RateLimit, RateLimited, scope_config


def limiter(frozen_clock, **kwargs):
    return RateLimit("test", **{"limit": 3, "window": 600, "lockout": 300, **kwargs})


def test_the_limit_locks_the_key_and_the_lockout_expires(frozen_clock):
    limit = limiter(frozen_clock)
    assert [limit.hit("k") for _ in range(3)] == [False, False, True]
    with pytest.raises(RateLimited) as exc:
        limit.check("k")
    assert exc.value.retry_after == 300
    frozen_clock.advance(299)
    assert limit.locked_for("k") == pytest.approx(1)
    frozen_clock.advance(2)
    assert limit.locked_for("k") == 0
    limit.check("k")  # no longer raises


def test_other_keys_and_scopes_are_not_affected(frozen_clock):
    limit = limiter(frozen_clock)
    for _ in range(3):
        limit.hit("k")
    assert limit.locked_for("other") == 0
    assert RateLimit("another", limit=3, window=600, lockout=300).locked_for("k") == 0


def test_reset_forgets_failures_and_lockout(frozen_clock):
    limit = limiter(frozen_clock)
    for _ in range(3):
        limit.hit("k")
    limit.reset("k")
    assert limit.locked_for("k") == 0
    assert limit.count("k") == 0


def test_attempts_split_across_a_bucket_boundary_still_count(frozen_clock):
    limit = limiter(frozen_clock, limit=4)
    frozen_clock.value = 600 * 1000 + 590  # ten seconds before a bucket boundary
    for _ in range(3):
        limit.hit("k")
    frozen_clock.advance(20)  # next bucket: a fixed window would start again from zero
    assert limit.hit("k") is False
    assert limit.hit("k") is True


def test_failures_older_than_the_window_are_forgotten(frozen_clock):
    limit = limiter(frozen_clock)
    limit.hit("k")
    limit.hit("k")
    frozen_clock.advance(2 * 600)
    assert limit.count("k") == 0
    assert limit.hit("k") is False


def test_keys_are_stored_hashed(frozen_clock):
    limit = limiter(frozen_clock)
    limit.hit("203.0.113.77")
    stored = list(caches["default"]._cache)
    assert stored
    assert not any("203.0.113.77" in key for key in stored)


def test_scopes_take_site_values_over_the_defaults(settings):
    settings.WAGTAIL_TENANTPORTAL = {"RATE_LIMITS": {"registration_ip": {"limit": 50}}}
    assert scope_config("registration_ip") == {"limit": 50, "window": 3600, "lockout": 3600}
    assert scope_config("registration_code")["limit"] == 5
    with pytest.raises(KeyError):
        scope_config("no_such_scope")


def test_invalid_configuration_is_refused():
    with pytest.raises(ValueError):
        RateLimit("x", limit=0, window=10, lockout=10)

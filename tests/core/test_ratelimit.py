"""core.ratelimit, to the letter: what the mutants of issue 17 showed untested.

(``tests/accounts/test_ratelimit.py`` holds the behaviour tests; ``tests/test_ratelimit_redis.py``
the cross-process one.) Here: scopes keep their namespaces, a 1-second lockout is stored and
the last second of every lockout holds (with the cache's own clock moving too), the guards of
the numbers, the weighting of the sliding window, the key layout and the rare branches.
"""

import re
import time

import pytest
from django.core.cache import caches
from freezegun import freeze_time

from wagtail_tenantportal.core import ratelimit
from wagtail_tenantportal.core.ratelimit import RateLimit, RateLimited, scope_config

START = "2027-03-01 12:00:00"


@pytest.fixture(autouse=True)
def _fresh_cache():
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture
def clock(monkeypatch):
    """The limiter's clock alone (the cache's timeouts keep real time)."""
    value = [1_800_000_000.0]
    monkeypatch.setattr(ratelimit, "now", lambda: value[0])
    return value


def stored_keys():
    """The keys in the default LocMemCache, without Django's ":<version>:" prefix."""
    return sorted(key.split(":", 2)[2] for key in caches["default"]._cache)


# -- scopes keep their namespaces ----------------------------------------------------------------


def test_limiters_of_different_scopes_never_share_counts_or_locks(clock):
    first = RateLimit.for_scope("two_factor_user")
    second = RateLimit.for_scope("two_factor_reauth")
    assert (first.scope, second.scope) == ("two_factor_user", "two_factor_reauth")
    for _ in range(second.limit):
        second.hit("42")
    assert second.locked_for("42") > 0
    assert first.count("42") == 0 and first.locked_for("42") == 0
    first.hit("42")
    second.reset("42")
    assert first.count("42") == 1


@pytest.mark.django_db
def test_a_correct_password_at_reauthentication_keeps_the_wrong_code_count(rf, clock):
    from django.contrib.sessions.backends.cache import SessionStore

    from tests.factories import UserFactory
    from wagtail_tenantportal.accounts.twofactor import services as twofactor

    user = UserFactory(password="Richtiges-Passwort-1")
    codes = RateLimit.for_scope("two_factor_user")
    for _ in range(3):
        codes.hit(str(user.pk))
    request = rf.post("/")
    request.user, request.session = user, SessionStore()
    twofactor.reauthenticate(request, "Richtiges-Passwort-1")
    assert codes.count(str(user.pk)) == 3


def test_for_scope_takes_the_settings_and_keyword_arguments_win(settings):
    settings.WAGTAIL_TENANTPORTAL = {"RATE_LIMITS": {"login_ip": {"limit": 7}}, "RATE_LIMIT_CACHE": "default"}
    limiter = RateLimit.for_scope("login_ip")
    assert (limiter.scope, limiter.limit, limiter.window, limiter.lockout) == ("login_ip", 7, 900, 900)
    limiter = RateLimit.for_scope("login_ip", lockout=5, cache_alias="default")
    assert (limiter.limit, limiter.lockout, limiter.cache_alias) == (7, 5, "default")


def test_a_scope_only_the_site_defines(settings):
    settings.WAGTAIL_TENANTPORTAL = {"RATE_LIMITS": {"own": {"limit": 2, "window": 60, "lockout": 30}}}
    assert scope_config("own") == {"limit": 2, "window": 60, "lockout": 30}
    settings.WAGTAIL_TENANTPORTAL = {"RATE_LIMITS": {"half": {"limit": 2}}}
    with pytest.raises(KeyError) as error:
        scope_config("half")
    assert "Rate limit scope 'half' lacks lockout, window" in str(error.value)
    settings.WAGTAIL_TENANTPORTAL = {"RATE_LIMITS": None}
    assert scope_config("login_ip") == {"limit": 30, "window": 900, "lockout": 900}


def test_scope_config_returns_a_copy(settings):
    scope_config("login_ip")["limit"] = 1
    assert scope_config("login_ip")["limit"] == 30


# -- lockouts: every second of them, with the cache's clock moving too --------------------------


@pytest.mark.parametrize("lockout", [1, 2, 300])
def test_every_second_of_a_lockout_is_enforced_and_it_ends(lockout):
    with freeze_time(START) as frozen:  # moves time.time(): the limiter's clock and the cache's
        limiter = RateLimit("short", limit=1, window=60, lockout=lockout)
        assert limiter.hit("k") is True
        frozen.tick(lockout - 0.25)
        assert limiter.locked_for("k") == pytest.approx(0.25)
        with pytest.raises(RateLimited) as error:
            limiter.check("k")
        assert (error.value.retry_after, error.value.scope) == (1, "short")
        frozen.tick(0.5)
        assert limiter.locked_for("k") == 0
        limiter.check("k")


def test_the_lock_entry_outlives_its_end_time_by_one_second_in_the_cache():
    with freeze_time(START) as frozen:
        limiter = RateLimit("entry", limit=1, window=60, lockout=10)
        limiter.hit("k")
        (lock_key,) = [key for key in stored_keys() if ":lock:" in key]
        frozen.tick(10.5)
        assert caches["default"].get(lock_key) is not None  # still stored ...
        assert limiter.locked_for("k") == 0  # ... but over: its end time decides
        frozen.tick(1)
        assert caches["default"].get(lock_key) is None  # and then cleaned up


def test_a_lock_is_over_when_its_end_time_passed_even_if_the_cache_still_holds_it(clock):
    limiter = RateLimit("over", limit=1, window=60, lockout=10)
    limiter.hit("k")
    clock[0] += 10
    assert limiter.locked_for("k") == 0.0
    clock[0] += 5
    assert limiter.locked_for("k") == 0.0  # never negative


def test_the_count_of_the_previous_bucket_survives_one_window_in_the_cache():
    with freeze_time("2027-03-01 12:00:05") as frozen:  # early in a 60-second bucket
        limiter = RateLimit("keep", limit=10, window=60, lockout=60)
        for _ in range(4):
            limiter.hit("k")
        frozen.tick(60)  # 5 seconds into the next bucket: 55/60 of the old one still counts
        assert limiter.count("k") == pytest.approx(4 * 55 / 60)
        frozen.tick(60)
        assert limiter.count("k") == 0


# -- numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["limit", "window", "lockout"])
@pytest.mark.parametrize("value", [0, -1])
def test_each_number_must_be_positive(name, value):
    numbers = {"limit": 3, "window": 60, "lockout": 60, name: value}
    with pytest.raises(ValueError, match=r"^limit, window and lockout must be positive$"):
        RateLimit("x", **numbers)


def test_one_is_a_valid_value_of_each_number():
    limiter = RateLimit("x", limit=1, window=1, lockout=1)
    assert (limiter.limit, limiter.window, limiter.lockout) == (1, 1, 1)


def test_numbers_are_whole(clock):
    limiter = RateLimit("x", limit=2.9, window=60.7, lockout=30.2)
    assert (limiter.limit, limiter.window, limiter.lockout) == (2, 60, 30)
    assert [limiter.hit("k") for _ in range(2)] == [False, True]
    assert limiter.locked_for("k") == 30


@pytest.mark.parametrize(
    ("seconds", "whole"),
    [(0, 1), (0.0001, 1), (0.5, 1), (1, 1), (1.01, 2), (1.5, 2), (299.2, 300), (300, 300)],
)
def test_retry_after_is_whole_seconds_rounded_up(seconds, whole):
    error = RateLimited(seconds, "login_ip")
    assert error.retry_after == whole
    assert error.scope == "login_ip"
    assert str(error) == f"Rate limit 'login_ip' exceeded; retry after {whole} s"
    assert RateLimited(3).scope == ""


# -- counting ------------------------------------------------------------------------------------


def test_the_window_slides_by_the_share_of_the_previous_bucket_still_inside(clock):
    limiter = RateLimit("slide", limit=100, window=600, lockout=60)
    clock[0] = 600 * 5000.0  # the start of a bucket
    for _ in range(3):
        limiter.hit("k")
    assert limiter.count("k") == 3
    clock[0] += 600 + 150  # a quarter into the next bucket
    limiter.hit("k")
    assert limiter.count("k") == pytest.approx(1 + 3 * 0.75)
    clock[0] += 450  # the start of the bucket after: the first three are out
    assert limiter.count("k") == pytest.approx(1)


def test_hit_counts_an_amount_and_locks_when_the_count_reaches_the_limit(clock):
    limiter = RateLimit("cost", limit=1000, window=600, lockout=60)
    assert limiter.hit("k", amount=600) is False
    assert limiter.count("k") == 600
    assert limiter.hit("k", amount=399) is False
    assert limiter.hit("k", amount=1) is True
    assert limiter.locked_for("k") == 60


def test_the_limit_locks_exactly_at_the_limit(clock):
    limiter = RateLimit("exact", limit=2, window=600, lockout=60)
    assert limiter.hit("k") is False
    assert limiter.locked_for("k") == 0
    assert limiter.hit("k") is True
    assert limiter.locked_for("k") == 60


def test_a_counter_that_expires_between_add_and_incr_starts_again(clock):
    calls = []

    class Expiring:
        def add(self, key, value, timeout):
            calls.append(("add", key, value, timeout))
            return len(calls) > 1  # the first add finds the counter, the second recreates it

        def incr(self, key, delta):
            calls.append(("incr", key, delta))
            raise ValueError("expired")

        def get_many(self, keys):
            return {}

    class Limiter(RateLimit):
        cache = Expiring()

    limiter = Limiter("gone", limit=5, window=60, lockout=60)
    assert limiter.hit("k", amount=3) is False
    bucket = limiter._keys("k", clock[0])[1]
    assert calls == [("add", bucket, 3, 120), ("incr", bucket, 3), ("add", bucket, 3, 120)]


def test_reset_forgets_the_current_and_the_previous_bucket_and_the_lock(clock):
    limiter = RateLimit("reset", limit=3, window=600, lockout=60)
    clock[0] = 600 * 7000.0
    limiter.hit("k")
    clock[0] += 600
    limiter.hit("k")
    limiter.hit("k")
    assert limiter.locked_for("k") > 0
    limiter.reset("k")
    assert limiter.count("k") == 0 and limiter.locked_for("k") == 0
    assert stored_keys() == []


# -- keys ----------------------------------------------------------------------------------------


def test_cache_keys_name_the_scope_and_the_bucket_and_hide_the_key(clock):
    limiter = RateLimit("login_ip", limit=1, window=600, lockout=60)
    clock[0] = 600 * 9000.0 + 1
    limiter.hit("203.0.113.5")
    keys = stored_keys()
    digest = limiter._digest("203.0.113.5")
    assert re.fullmatch(r"[0-9a-f]{40}", digest)
    assert keys == sorted(
        [f"tenantportal:rl:login_ip:9000:{digest}", f"tenantportal:rl:login_ip:lock:{digest}"]
    )
    assert limiter._keys("203.0.113.5", clock[0]) == (
        f"tenantportal:rl:login_ip:lock:{digest}",
        f"tenantportal:rl:login_ip:9000:{digest}",
        f"tenantportal:rl:login_ip:8999:{digest}",
    )


def test_the_digest_depends_on_scope_and_key():
    digest = RateLimit("a", limit=1, window=1, lockout=1)._digest
    assert digest("k") != RateLimit("b", limit=1, window=1, lockout=1)._digest("k")
    assert digest("k") != digest("k2")
    assert digest("k") == RateLimit("a", limit=9, window=9, lockout=9)._digest("k")
    from django.utils.crypto import salted_hmac

    assert digest("k") == salted_hmac(ratelimit._KEY_SALT, "a\0k", algorithm="sha256").hexdigest()[:40]
    assert ratelimit._KEY_SALT == "wagtail_tenantportal.core.ratelimit"


# -- caches and clocks ---------------------------------------------------------------------------


def test_the_cache_alias_comes_from_the_settings(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "a"},
        "limits": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "b"},
    }
    settings.WAGTAIL_TENANTPORTAL = {"RATE_LIMIT_CACHE": "limits"}
    limiter = RateLimit("c", limit=1, window=60, lockout=60)
    assert limiter.cache_alias == "limits"
    limiter.hit("k")
    assert limiter.cache is caches["limits"]
    assert caches["limits"]._cache and not caches["default"]._cache
    assert RateLimit("c", limit=1, window=60, lockout=60, cache_alias="default").locked_for("k") == 0


def test_an_injected_clock_is_used_and_the_default_is_time():
    ticks = iter([100.0, 100.0, 100.0, 100.0, 500.0])
    limiter = RateLimit("clocked", limit=1, window=60, lockout=60, clock=lambda: next(ticks))
    assert limiter.clock() == 100.0
    limiter.hit("k")  # clock read at 100 (hit) and 100 (count)
    assert limiter.locked_for("k") == 60.0
    assert limiter.locked_for("k") == 0.0  # 500: over
    with freeze_time(START):
        assert ratelimit.now() == time.time()
        assert RateLimit("x", limit=1, window=1, lockout=1).clock() == time.time()

"""Attempt limits shared between processes through a real Redis (Django's RedisCache).

The unit tests of ratelimit.py run in one process with LocMemCache; this proves what
production relies on: a second process (a second worker of the web server) sees the
failures counted and the lockout set by the first, and the lockout ends for both.

Needs Redis at ``REDIS_TEST_URL`` (default ``redis://127.0.0.1:6379/9``) and the ``redis``
package (dev extra). Skipped with the reason when either is missing; with ``CI=true`` the
test fails instead, as a CI run without it would prove nothing (like the PostgreSQL run of
the Makefile). Keys get a prefix unique to the run and are deleted afterwards.
"""

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.cache import caches
from django.test import override_settings

from wagtail_tenantportal.core.ratelimit import RateLimit, RateLimited

REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/9")
REPO = Path(__file__).resolve().parent.parent
SCOPE = "redis_cross_process"
KEY = "203.0.113.7"  # an IP address from the documentation range
LIMIT, WINDOW, LOCKOUT = 3, 60, 2

# The second process: the same test settings and overrides; started once (Django's start-up
# takes longer than a short lockout), then answers one JSON line per JSON command line.
CHILD = """
import json, os, sys, time
import django
django.setup()
from django.test.utils import override_settings
config = json.loads(sys.argv[1])
override_settings(**config["settings"]).enable()
from wagtail_tenantportal.core import ratelimit
print(json.dumps({"pid": os.getpid()}), flush=True)
for line in sys.stdin:
    command = json.loads(line)
    offset = command["clock_offset"]
    limiter = ratelimit.RateLimit(
        config["scope"], limit=config["limit"], window=config["window"], lockout=config["lockout"],
        clock=lambda: time.time() + offset,
    )
    out = {}
    for action in command["actions"]:
        if action == "hit":
            out["hit"] = limiter.hit(config["key"])
        elif action == "locked_for":
            out["locked_for"] = limiter.locked_for(config["key"])
        elif action == "count":
            out["count"] = limiter.count(config["key"])
        elif action == "check":
            try:
                limiter.check(config["key"])
                out["check"] = None
            except ratelimit.RateLimited as exc:
                out["check"] = exc.retry_after
    print(json.dumps(out), flush=True)
"""


def _unavailable(reason):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"the cross-process rate-limit test needs Redis in CI: {reason}", pytrace=False)
    pytest.skip(f"{reason} (CI=true makes this a failure)")


@pytest.fixture(scope="module")
def redis_module_settings():
    """Settings naming a Redis cache for the attempt limits, with a prefix unique to this run."""
    try:
        import redis
    except ImportError:
        _unavailable("the 'redis' package is not installed (pip install -e '.[dev]')")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        _unavailable(f"Redis is not reachable at {REDIS_URL}: {exc}")
    prefix = f"tp-test-{uuid.uuid4().hex}"
    overrides = {
        "CACHES": {
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "ratelimit": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": prefix,
            },
        },
        "WAGTAIL_TENANTPORTAL": {"RATE_LIMIT_CACHE": "ratelimit"},
    }
    with override_settings(**overrides):
        yield overrides
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)
    client.close()


def limiter(**kwargs):
    return RateLimit(SCOPE, limit=LIMIT, window=WINDOW, lockout=LOCKOUT, **kwargs)


class OtherProcess:
    """A second Python process with the same settings and a limiter of the same scope."""

    def __init__(self, overrides):
        config = {"settings": overrides, "scope": SCOPE, "key": KEY}
        config.update(limit=LIMIT, window=WINDOW, lockout=LOCKOUT)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(REPO)}
        self.process = subprocess.Popen(  # noqa: S603 (our own interpreter and script)
            [sys.executable, "-c", CHILD, json.dumps(config)],
            cwd=REPO,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.pid = self._read()["pid"]
        assert self.pid != os.getpid()

    def _read(self):
        line = self.process.stdout.readline()
        if not line:
            self.process.wait(timeout=10)
            pytest.fail(f"the second process ended: {self.process.stderr.read()}")
        return json.loads(line)

    def __call__(self, *actions, clock_offset=0.0):
        self.process.stdin.write(json.dumps({"actions": actions, "clock_offset": clock_offset}) + "\n")
        self.process.stdin.flush()
        return self._read()

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=10)
        self.process.stdout.close()
        self.process.stderr.close()


@pytest.fixture(scope="module")
def other_process_module(redis_module_settings):
    process = OtherProcess(redis_module_settings)
    yield process
    process.close()


@pytest.fixture
def redis_settings(redis_module_settings):
    limiter().reset(KEY)  # every test starts without failures
    return redis_module_settings


@pytest.fixture
def other_process(redis_settings, other_process_module):
    return other_process_module


def test_the_settings_reach_redis(redis_settings):
    here = limiter()
    assert here.cache_alias == "ratelimit"
    assert type(caches["ratelimit"]).__name__ == "RedisCache"
    assert here.hit(KEY) is False
    assert here.count(KEY) == pytest.approx(1, abs=0.01)


def test_a_lockout_set_in_one_process_holds_in_another_and_ends(other_process):
    here = limiter()
    assert [here.hit(KEY) for _ in range(LIMIT)] == [False, False, True]
    with pytest.raises(RateLimited):
        here.check(KEY)

    there = other_process("count", "locked_for", "check")
    assert there["count"] >= LIMIT - 0.01  # the failures counted here
    assert 0 < there["locked_for"] <= LOCKOUT
    assert 1 <= there["check"] <= LOCKOUT  # RateLimited.retry_after

    # The lock carries its end time: a process whose clock is past it is let through,
    # although the cache entry still exists.
    later = other_process("locked_for", "check", clock_offset=LOCKOUT + 0.5)
    assert later == {"locked_for": 0.0, "check": None}

    # Redis forgets the lock by its timeout (lockout + 1 s), in every process.
    time.sleep(LOCKOUT + 1.2)
    assert here.locked_for(KEY) == 0.0
    assert caches["ratelimit"].get(here._keys(KEY, here.clock())[0]) is None
    after = other_process("locked_for", "check")
    assert after["locked_for"] == 0.0 and after["check"] is None


def test_failures_in_two_processes_add_up(other_process):
    here = limiter()
    assert [here.hit(KEY) for _ in range(LIMIT - 1)] == [False, False]
    there = other_process("hit", "locked_for")
    assert there["hit"] is True  # the third failure overall, counted in the other process
    assert 0 < there["locked_for"] <= LOCKOUT
    assert 0 < here.locked_for(KEY) <= LOCKOUT  # and the lockout holds here too


def test_reset_in_one_process_clears_the_other(other_process):
    here = limiter()
    for _ in range(LIMIT):
        here.hit(KEY)
    assert other_process("locked_for")["locked_for"] > 0
    here.reset(KEY)
    there = other_process("count", "locked_for")
    assert there["count"] == 0 and there["locked_for"] == 0.0

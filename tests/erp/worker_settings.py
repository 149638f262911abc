"""Settings of the worker processes the fault tests start: the suite's settings with a short
lease, so that the rows of a killed worker come free within the test."""

from tests.settings import *  # noqa: F403

WAGTAIL_TENANTPORTAL = {"OUTBOX_LEASE_SECONDS": 5}

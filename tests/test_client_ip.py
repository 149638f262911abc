"""The client address of attempt limits behind reverse proxies (TRUSTED_PROXY_COUNT)."""

import pytest
from django.test import RequestFactory, override_settings

from wagtail_tenantportal.core.adapter import get_adapter


def ip(meta, proxies):
    request = RequestFactory().get("/", **meta)
    with override_settings(WAGTAIL_TENANTPORTAL={"TRUSTED_PROXY_COUNT": proxies}):
        return get_adapter().get_client_ip(request)


def test_without_proxies_the_header_is_ignored():
    assert ip({"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, 0) == "10.0.0.1"


@pytest.mark.parametrize(
    "header,proxies,expected",
    [
        ("203.0.113.7", 1, "203.0.113.7"),
        # a client sending its own header cannot choose its address: the proxy appended the real one
        ("6.6.6.6, 203.0.113.7", 1, "203.0.113.7"),
        ("6.6.6.6, 203.0.113.7, 10.0.0.5", 2, "203.0.113.7"),
        (" 203.0.113.7 ,  ", 1, "203.0.113.7"),
    ],
)
def test_behind_proxies_the_address_the_outermost_proxy_saw(header, proxies, expected):
    assert ip({"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": header}, proxies) == expected


def test_too_short_or_missing_header_falls_back_to_remote_addr():
    assert ip({"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}, 2) == "10.0.0.1"
    assert ip({"REMOTE_ADDR": "10.0.0.1"}, 1) == "10.0.0.1"

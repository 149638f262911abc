import pytest

#: Markers of tests that run only when asked for with ``-m <marker>``.
ON_REQUEST = {
    # minutes, needs the package registry (make quickstart-test)
    "quickstart": "slow: run with `make quickstart-test` (pytest -m quickstart)",
    # a server in a subprocess (make api-journey, make api-schemathesis)
    "api_http": "runs a server: `make api-journey` / `make api-schemathesis` (pytest -m api_http)",
}


def pytest_collection_modifyitems(config, items):
    """The quickstart test and the API's HTTP tests take a while and start processes: they run
    only when asked for with ``-m <marker>``, not in every pytest run."""
    wanted = config.getoption("markexpr") or ""
    for marker, reason in ON_REQUEST.items():
        if marker in wanted:
            continue
        skip = pytest.mark.skip(reason=reason)
        for item in items:
            if item.get_closest_marker(marker):
                item.add_marker(skip)

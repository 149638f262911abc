import pytest


def pytest_collection_modifyitems(config, items):
    """The quickstart test takes minutes and needs the package registry: it runs only when asked
    for with ``-m quickstart`` (``make quickstart-test``), not in every pytest run."""
    if "quickstart" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="slow: run with `make quickstart-test` (pytest -m quickstart)")
    for item in items:
        if item.get_closest_marker("quickstart"):
            item.add_marker(skip)

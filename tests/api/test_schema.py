"""The OpenAPI schema: committed copy up to date, served with this site's server, rendered
docs from the site's own files."""

import pathlib
import re

import yaml

from tests.api.conftest import API, client_for
from wagtail_tenantportal.api import schema

COMMITTED = pathlib.Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.yaml"


def test_the_committed_schema_is_up_to_date(db):
    assert COMMITTED.read_text(encoding="utf-8") == schema.render_yaml(schema.generate()), (
        "docs/api/openapi.yaml differs from the code: run `make api-schema`"
    )


def test_schema_served_with_this_sites_server(db):
    response = client_for().get(API + "schema/")
    assert response.status_code == 200
    document = yaml.safe_load(response.content)
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "http://testserver/portal/api/v1"}]
    assert "/requests/" in document["paths"] and "/auth/login/" in document["paths"]
    error = document["paths"]["/requests/"]["get"]["responses"]["401"]
    assert error["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_rendered_docs_load_nothing_from_elsewhere(db):
    for path in ("docs/", "docs/swagger/"):
        response = client_for().get(API + path)
        assert response.status_code == 200
        html = response.content.decode()
        assert "/static/drf_spectacular_sidecar/" in html
        assert '"/portal/api/v1/schema/"' in html
        assert not re.search(r"(src|href)=\"https?://", html), "an external resource"

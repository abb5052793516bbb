"""The web app publishes its OpenAPI schema at /openapi.json (it is Patron's HTTP API), so a
property test (schemathesis) sends requests made from it, GET and POST, to the app in-process
on the demo portfolio and finds no server error. Writes carry a valid CSRF token, so the
generated forms reach the pages' code instead of stopping at the guard."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from patron.settings import defaults
from patron.web.security import SESSION_COOKIE, sign
from tests.conftest import NOW
from tests.web_helpers import build_demo, opened

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402

SECRET = b"openapi-test-key" * 2
SESSION = "0123456789abcdef" * 2
HOST = {"Host": "127.0.0.1:8765"}
HEADERS = {**HOST, "Accept": "application/json", "X-CSRF-Token": sign(SECRET, SESSION)}


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from patron.web.app import create_app

    store = opened(build_demo(tmp_path_factory.mktemp("openapi")))
    app = create_app(store, defaults(), lambda: NOW, secret=SECRET)
    yield schemathesis.openapi.from_asgi("/openapi.json", app, headers=HOST)
    store.close()


def test_no_generated_request_gets_a_server_error(api_schema: object) -> None:
    """Each operation in turn (schemathesis's strategies driven by hypothesis directly: its
    pytest plugin does not run under pytest 9)."""
    operations = [result.ok() for result in api_schema.get_all_operations()]  # type: ignore[attr-defined]
    assert {(op.method.upper(), op.path) for op in operations} >= {
        ("GET", "/"), ("GET", "/engagements/{ident}"), ("GET", "/people/{ident}"),
        ("POST", "/people/{ident}/touchpoints"), ("POST", "/asks/{ident}/done"),
        ("GET", "/answer/{token}"), ("POST", "/answer/{token}"), ("GET", "/influence"),
        ("GET", "/engagements/{ident}/influence"), ("POST", "/engagements/{ident}/influence/accept")}
    for operation in operations:
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck),
                  database=None)
        @given(case=operation.as_strategy())
        def check(case: object) -> None:
            answer = case.call(headers=HEADERS, cookies={SESSION_COOKIE: SESSION})  # type: ignore[attr-defined]
            assert answer.status_code < 500, (case, answer.text)
            if answer.status_code >= 400:
                assert set(answer.json()) >= {"error"}, answer.text  # one line, never a trace

        check()

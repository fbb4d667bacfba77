"""Property-based API tests: schemathesis generates requests from the OpenAPI schema; no request
may produce a server error (5xx). The database holds a few hand-coded articles so that lookups by
id and filters hit real rows; the write endpoint gets a token and a fake coder (no model)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))

from eventwire.api.main import create_app


def _fake_coder_factory(settings_: object) -> object:
    def code(articles: list[object]) -> list[object]:
        return list(articles)

    return code


def _app(tmp: Path) -> object:
    from store_fixtures import coded_article  # type: ignore[import-not-found]

    from eventwire.storage.ingest import store_batch
    from eventwire.storage.repo import open_store

    url = f"sqlite:///{tmp / 'api.db'}"
    store = open_store(url)
    with store.write() as session:
        store_batch(
            session,
            [
                coded_article(),
                coded_article(
                    text=(
                        "France imposed new sanctions on Ukraine on Tuesday, officials in Paris said.\n\n"
                        '"We will not stand by," the Foreign Secretary said. Moscow called the measures unlawful.'
                    ),
                    title="France imposes sanctions",
                    url="https://news.example.org/a/2",
                    source=("France", "FRA", None, "Q142"),
                    target=("Ukraine", "UKR", None, "Q212"),
                    place="Paris",
                ),
            ],
        )
    store.close()
    return create_app(url, token="secret-token", coder_factory=_fake_coder_factory)


_TMP = Path(__import__("tempfile").mkdtemp(prefix="eventwire-schemathesis-"))
try:
    APP = _app(_TMP)
except Exception as exc:
    APP = None
    _ERROR = exc

schema = schemathesis.openapi.from_asgi("/openapi.json", APP) if APP is not None else None


if schema is not None:

    @schema.parametrize()
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    def test_api_schemathesis_no_server_errors(case: schemathesis.Case) -> None:
        case.headers = {**(case.headers or {}), "Authorization": "Bearer secret-token"}
        case.call_and_validate(checks=[not_a_server_error])

else:

    def test_api_schemathesis_no_server_errors() -> None:
        pytest.fail(f"could not build the API app for schemathesis: {_ERROR!r}")

"""Invariants of the web app, for any input: text from the register always reads as text,
and no write passes without the token signed for its session."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from patron.domain.records import PERSON
from patron.services import records
from patron.store.database import open_store
from tests.conftest import NOW
from tests.web_helpers import client, csrf

names = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40).filter(
    lambda s: s.strip() == s and s.strip())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=names)
def test_any_name_is_shown_escaped(tmp_path: Path, name: str) -> None:
    store = open_store(str(tmp_path / "names.sqlite"))
    try:
        with store.begin() as conn:
            ident = records.add(conn, PERSON, {"name": name, "title": name}, NOW)
        page = client(store).get(f"/people/{ident}").text
        assert f"<h1>{escape(name)} " in page
        if "<" in name:
            assert f"<h1>{name} " not in page
    finally:
        store.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offered=st.text(max_size=80))
def test_no_write_passes_without_the_sessions_own_token(tmp_path: Path, offered: str) -> None:
    store = open_store(str(tmp_path / "csrf.sqlite"))
    try:
        with store.begin() as conn:
            records.add(conn, PERSON, {"name": "Victor"}, NOW)
        web = client(store)
        token = csrf(web.get("/people/1").text)
        answer = web.post("/people/1/touchpoints", data={"csrf_token": offered, "notes": "x"})
        assert answer.status_code == (303 if offered == token else 403)
    finally:
        store.close()

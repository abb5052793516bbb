"""The pages read the same on SQLite and PostgreSQL: the queries they brought into the
services (a person's page, promises coming due, the score's history) run on both."""

from __future__ import annotations

from click.testing import CliRunner

from patron.store.database import open_store
from tests.conftest import Patron
from tests.web_helpers import JSON, client, csrf


def test_the_pages_and_a_write_on_each_backend(db_url: str) -> None:
    patron = Patron(db_url, CliRunner())
    patron.ok("engagement add Ledger --kind client")
    patron.ok("person add 'Helen Brandt'")
    patron.ok("stakeholder add Helen Ledger --role sponsor")
    patron.ok("ask add 'Board preview' --from Helen --engagement Ledger --due 2026-11-25")
    patron.ok("promise 'Send the mock-up' --to Helen --due 2026-11-24")
    patron.ok("promise 'Call back some day' --to Helen")
    patron.ok("met Helen 'Steering committee' --at '2026-11-02 10:00'")
    patron.ok("met Helen 'Kick-off' --at '2026-10-01 09:00'")
    patron.ok("feedback add Helen --engagement Ledger --rating 8 --text 'Good start'")
    store = open_store(db_url, create=False)
    try:
        web = client(store)
        today = web.get("/", headers=JSON).json()
        assert [a["title"] for a in today["asks"]] == ["Board preview"]
        assert [p["title"] for p in today["promises"]] == ["Send the mock-up"]
        person = web.get("/people/1", headers=JSON).json()
        assert [t["summary"] for t in person["touchpoints"]] == ["Steering committee", "Kick-off"]
        assert [p["title"] for p in person["promises"]] == ["Send the mock-up", "Call back some day"]
        assert [(f["rating"], f["text"]) for f in person["feedback"]] == [(8, "Good start")]
        assert [r["role"] for r in person["roles"]] == ["sponsor"]
        engagement = web.get("/engagements/1", headers=JSON).json()
        assert len(engagement["hire_me_back"]["history"]) == 12
        token = csrf(web.get("/").text)
        assert web.post("/asks/1/done", data={"csrf_token": token}).status_code == 303
        assert web.get("/", headers=JSON).json()["asks"] == []
    finally:
        store.close()

"""Canary PHI sent through the API appears in no log line, no problem answer and no database byte."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from ivr_domain.shared.actor import Role
from tests.e2e.conftest import E2E, PATIENTS, Headers, Launch, assert_problem, bearer, patient_body

CANARIES = (
    "Zebulonqx",
    "Quillfeatherby",
    "1931-05-17",
    "5559876",
    "canarymail",
    "Canarystreet",
    "Canaryflat",
    "Canaryville",
    "CANARY98765",
    "GRPCANARY55",
    "Payercanaryhealth",
    "Subcanaryname",
    "1929-11-02",
    "CANARYSEC4321",
)


def canary_patient(**overrides: Any) -> dict[str, Any]:
    """Return a patient body made of canary values in every PHI field."""
    body = patient_body(
        first_name="Zebulonqx",
        last_name="Quillfeatherby",
        date_of_birth="1931-05-17",
        sex="male",
        phone="+1 217 555 9876",
        email="zeb@canarymail.example.com",
        address={
            "line1": "77 Canarystreet",
            "line2": "Apt Canaryflat",
            "city": "Canaryville",
            "state": "IL",
            "postal_code": "62701",
        },
        insurances=[
            {
                "rank": "primary",
                "payer_name": "Payercanaryhealth",
                "payer_id": "00952",
                "member_id": "CANARY98765",
                "group_number": "GRPCANARY55",
                "plan_type": "commercial",
                "subscriber_relationship": "self",
            },
            {
                "rank": "secondary",
                "payer_name": "Medicare Part B",
                "payer_id": "00952",
                "member_id": "CANARYSEC4321",
                "group_number": None,
                "plan_type": "medicare",
                "subscriber_relationship": "spouse",
                "subscriber": {
                    "first_name": "Subcanaryname",
                    "last_name": "Quillfeatherby",
                    "date_of_birth": "1929-11-02",
                },
            },
        ],
    )
    body.update(overrides)
    return body


def canaries_in(text: str | bytes) -> list[str]:
    """Return the canaries found in a text or byte string, ignoring case."""
    haystack = (text if isinstance(text, bytes) else text.encode("utf-8", "replace")).lower()
    return [c for c in CANARIES if c.lower().encode() in haystack]


class Traffic:
    """Sends requests, keeping every answer so problems can be searched afterwards."""

    def __init__(self, e2e: E2E) -> None:
        self.e2e = e2e
        self.answers: list[Any] = []

    def send(self, method: str, url: str, status: int, **kwargs: Any) -> Any:
        """Send one request and check its status."""
        response = self.e2e.client.request(method, url, **kwargs)
        assert response.status_code == status, (method, url, response.text)
        self.answers.append(response)
        return response

    def refused(self, method: str, url: str, status: int, **kwargs: Any) -> dict[str, Any]:
        """Send a request that must be refused with a problem."""
        return assert_problem(self.send(method, url, status, **kwargs), status)


def _use_the_canary_patient(traffic: Traffic, doctor: Headers, sales: Headers) -> dict[str, Any]:
    """Create, replay, read, list, search and update the canary patient through the API."""
    created = traffic.send("POST", PATIENTS, 201, json=canary_patient(), headers={**doctor, "Idempotency-Key": "zeb-1"})
    replayed = traffic.send(
        "POST", PATIENTS, 201, json=canary_patient(), headers={**doctor, "Idempotency-Key": "zeb-1"}
    )
    assert replayed.content == created.content
    patient = dict(created.json())
    url = f"{PATIENTS}/{patient['id']}"
    assert patient["phone"] == "+12175559876"
    assert patient["insurances"][1]["subscriber"]["first_name"] == "Subcanaryname"
    assert traffic.send("GET", url, 200, headers=doctor).json() == patient
    assert [p["id"] for p in traffic.send("GET", PATIENTS, 200, headers=doctor).json()["items"]] == [patient["id"]]
    searches = (
        {"member_id": "canary98765"},
        {"member_id": "CANARYSEC4321"},
        {"last_name": "QUILLFEATHERBY", "first_name": "zebulonqx", "date_of_birth": "1931-05-17"},
    )
    for query in searches:
        found = traffic.send("POST", f"{PATIENTS}/search", 200, json=query, headers=doctor).json()["items"]
        assert [p["id"] for p in found] == [patient["id"]], query
    masked = traffic.send("GET", url, 200, headers=sales)
    assert masked.json()["initials"] == "ZQ"
    assert canaries_in(masked.text) == []
    sales_search = traffic.send("POST", f"{PATIENTS}/search", 200, json={"member_id": "CANARY98765"}, headers=sales)
    assert canaries_in(sales_search.text) == []
    changed = canary_patient(phone="+1 217 555 9876", email="zebulonqx@canarymail.example.com")
    updated = traffic.send("PUT", url, 200, json=changed, headers={**doctor, "If-Match": '"1"'})
    assert updated.json()["email"] == "zebulonqx@canarymail.example.com"
    return patient


def _send_refused_canaries(traffic: Traffic, patient: dict[str, Any], auth: dict[str, Headers]) -> None:
    """Send requests carrying canaries that must each be refused, in every way a request can be."""
    doctor = auth["doctor"]
    url = f"{PATIENTS}/{patient['id']}"
    json_type = {"content-type": "application/json"}
    traffic.refused("POST", PATIENTS, 409, json=canary_patient(), headers=doctor)
    wrong_types = canary_patient(
        first_name=["Zebulonqx"],
        last_name={"value": "Quillfeatherby"},
        date_of_birth="1931-05-17T00:00",
        sex="Zebulonqx",
        phone=5559876,
        nickname="Zebulonqx Quillfeatherby",
    )
    wrong_types["insurances"][0]["member_id"] = ["CANARY98765"]
    wrong_types["insurances"][1]["subscriber"]["date_of_birth"] = "1929-11-02 Subcanaryname"
    wrong_types["address"]["city"] = ["Canaryville"]
    problem = traffic.refused("POST", PATIENTS, 422, json=wrong_types, headers=doctor)
    assert len(problem["errors"]) == 9
    invalid_values = canary_patient(
        date_of_birth="2931-05-17",
        phone="Zebulonqx",
        email="Quillfeatherby at canarymail",
        address={**canary_patient()["address"], "state": "Canaryville", "postal_code": "5559876-Canarystreet"},
    )
    problem = traffic.refused("POST", PATIENTS, 422, json=invalid_values, headers=doctor)
    fields = {e["field"] for e in problem["errors"]}
    assert fields == {"date_of_birth", "phone", "email", "address.state", "address.postal_code"}
    traffic.refused("PUT", url, 422, json=invalid_values, headers=doctor)
    raw = json.dumps(canary_patient()).encode()
    traffic.refused("POST", PATIENTS, 400, content=raw[:-40], headers={**doctor, **json_type})
    traffic.refused("POST", PATIENTS, 415, content=raw, headers={**doctor, "content-type": "text/plain"})
    traffic.refused("POST", PATIENTS, 413, json=canary_patient(notes="Zebulonqx " * 120_000), headers=doctor)
    traffic.refused("POST", PATIENTS, 401, json=canary_patient(), headers=bearer("Zebulonqx.Quillfeatherby.x"))
    traffic.refused(
        "PUT", url, 412, json=canary_patient(first_name="Zebulonqxa"), headers={**doctor, "If-Match": '"1"'}
    )
    traffic.refused("PUT", url, 404, json=canary_patient(), headers=auth["other_doctor"])
    traffic.refused("PUT", url, 403, json=canary_patient(), headers=auth["sales"])
    traffic.refused("POST", PATIENTS, 403, json=canary_patient(), headers=auth["sales"])
    traffic.refused("GET", PATIENTS, 403, headers=auth["logistics"])
    traffic.refused(
        "POST", PATIENTS, 422, json=canary_patient(allow_duplicate=True), headers={**doctor, "Idempotency-Key": "zeb-1"}
    )
    search = f"{PATIENTS}/search"
    traffic.refused("POST", search, 422, json={"last_name": "Quillfeatherby"}, headers=doctor)
    traffic.refused("POST", search, 422, json={"member_id": ["CANARY98765"]}, headers=doctor)
    traffic.refused(
        "POST", search, 422, json={"last_name": "Quillfeatherby", "date_of_birth": "1931-05-17x"}, headers=doctor
    )
    # PHI in a URL is the client's mistake; the server must still not repeat or log it.
    traffic.refused(
        "GET",
        PATIENTS,
        400,
        params={"cursor": "Zebulonqx-Quillfeatherby", "last_name": "Quillfeatherby"},
        headers=doctor,
    )
    traffic.refused("GET", PATIENTS, 400, params={"created_from": "1931-05-17Zebulonqx"}, headers=doctor)


def _rows_text(e2e: E2E) -> list[tuple[str, str, bytes]]:
    """Return every value of every column of every table as bytes, PostgreSQL text casts included."""
    found: list[tuple[str, str, bytes]] = []
    with e2e.engine.connect() as db:
        inspector = sa.inspect(db)
        for table in inspector.get_table_names():
            for column in inspector.get_columns(table):
                name = column["name"]
                binary = isinstance(column["type"], sa.LargeBinary)
                if e2e.backend == "postgresql" and not binary:
                    query = sa.text(f'SELECT "{name}"::text FROM "{table}"')  # noqa: S608 -- names from the catalog
                else:
                    query = sa.text(f'SELECT "{name}" FROM "{table}"')  # noqa: S608 -- names from the catalog
                for (value,) in db.execute(query):
                    if value is not None:
                        raw = bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
                        found.append((table, name, raw))
            if e2e.backend == "postgresql":
                # Whole rows as PostgreSQL prints them: bytea comes out in hex, so canaries are sought in hex too.
                for (row,) in db.execute(sa.text(f'SELECT t::text FROM "{table}" AS t')):  # noqa: S608
                    found.append((table, "*", row.encode()))
                    found.append((table, "*hex", bytes.fromhex(_hex_runs(row))))
    return found


def _hex_runs(text: str) -> str:
    """Return the concatenated bytea hex literals (\\x...) of a row's text."""
    runs = []
    for part in text.split("\\x")[1:]:
        digits = ""
        for ch in part:
            if ch in "0123456789abcdef":
                digits += ch
            else:
                break
        runs.append(digits[: len(digits) // 2 * 2])
    return "".join(runs)


def _database_files(path: Path) -> dict[str, bytes]:
    """Return the raw bytes of a SQLite database and its -wal and -shm files."""
    return {p.name: p.read_bytes() for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()}


@pytest.fixture
def canary_e2e(launch: Launch) -> E2E:
    """The platform logging at its most verbose."""
    return launch({"IVR_LOG_LEVEL": "DEBUG"})


def test_canaries_reach_no_log_no_problem_and_no_stored_byte(
    canary_e2e: E2E, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    e2e = canary_e2e
    doctor_id = e2e.create_user("doc@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    e2e.create_user("other@example.org", Role.DOCTOR, practice="Shelbyville Foot Center")
    sales_id = e2e.create_user("sales@example.org", Role.SALESPERSON)
    e2e.create_user("ship@example.org", Role.LOGISTICS)
    e2e.assign(sales_id, doctor_id)
    auth = {
        "doctor": e2e.login("doc@example.org"),
        "other_doctor": e2e.login("other@example.org"),
        "sales": e2e.login("sales@example.org"),
        "logistics": e2e.login("ship@example.org"),
    }
    caplog.set_level(logging.DEBUG)
    capsys.readouterr()
    traffic = Traffic(e2e)

    patient = _use_the_canary_patient(traffic, auth["doctor"], auth["sales"])
    _send_refused_canaries(traffic, patient, auth)

    problems = [r for r in traffic.answers if r.status_code >= 400]
    assert len(problems) == 19
    for response in problems:
        assert response.headers["content-type"].startswith("application/problem+json")
        assert canaries_in(response.text) == [], (response.request.method, response.status_code, response.text)
        assert canaries_in(json.dumps(dict(response.headers))) == []

    out, err = capsys.readouterr()
    # The test client's own loggers (httpx, httpcore) print the URLs it sends: they are not the server's logs.
    server = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    logged = out + err + "\n".join(f"{r.name} {r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in server)
    access = [json.loads(line) for line in err.splitlines() if line.startswith("{") and '"event": "request"' in line]
    assert len(access) == len(traffic.answers), "every request wrote its access line, and the capture saw them"
    assert [line for line in logged.splitlines() if canaries_in(line)] == [], "PHI in the logs"

    stored = _rows_text(e2e)
    assert any(b"doc@example.org" in raw for _, _, raw in stored), "the scan reads what the database holds"
    leaks = sorted({(table, column, c) for table, column, raw in stored for c in canaries_in(raw)})
    assert leaks == [], "PHI stored in plaintext"
    if e2e.db.path is not None:
        files = _database_files(e2e.db.path)
        assert b"doc@example.org" in b"".join(files.values())
        assert {name: canaries_in(raw) for name, raw in files.items()} == {name: [] for name in files}
        with e2e.engine.connect() as db:
            db.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        assert canaries_in(e2e.db.path.read_bytes()) == []

    # The canary data is really there, encrypted: the API still reads it back whole.
    read = e2e.client.get(f"{PATIENTS}/{patient['id']}", headers=auth["doctor"]).json()
    assert (read["first_name"], read["insurances"][0]["group_number"]) == ("Zebulonqx", "GRPCANARY55")

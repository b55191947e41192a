"""Property-based tests of the whole API from its OpenAPI description (schemathesis).

Every operation the app describes gets requests generated from its schema — valid ones and
invalid ones, with random path parameters and with real ones from the demo case (so the
handlers run, not only the 404 paths) — sent in process with an admin's API token, on SQLite
and on PostgreSQL. No response may be a server error, and a response whose status the
description declares (200/201, and the 422 FastAPI declares for every operation with input)
must have the declared content type and match the declared schema. Seeds are fixed
(``derandomize``), so a failure reproduces; the report gives a curl command for each, one per
operation and status.

Kept out of the generated requests, on purpose:

* the brief as HTML or PDF: rendering takes 2-10 s a call, so the brief operation runs with
  ``format=md`` only (the same code path up to rendering; ``test_api`` fetches a real PDF);
* the fuzzing account itself: ``PATCH /users/{username}`` may disable or demote any account it
  names, so the token belongs to an admin whose name the generator cannot produce, and the
  real-value requests target ``viewer``.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)
from schemathesis.core.result import Ok

from watchboard.jobs import accounts
from watchboard.store import Store
from watchboard.web import create_app

from .conftest import CASE, Demo, copy_demo

MAX_EXAMPLES = 25
#: Query values fixed per operation (see the module docstring).
FIXED_QUERY = {("GET", "/api/v1/cases/{slug}/brief"): {"format": "md"}}


@dataclass
class Fuzzing:
    app: FastAPI
    headers: dict[str, str]
    real: dict[str, str]
    failures: list[str] = field(default_factory=list)


@pytest.fixture
def fuzzing(
    demo_template: Demo, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Fuzzing]:
    demo = copy_demo(demo_template, tmp_path / "ws", request)
    name = "fuzz-" + secrets.token_hex(8)
    with Store.open(demo.settings.database_url) as store:
        accounts.add_user(store, name, secrets.token_urlsafe(16), role="admin")
        token = accounts.new_token(store, name, "schemathesis")
    app = create_app(demo.settings)
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(app) as client:
        claims = client.get(f"/api/v1/cases/{CASE}/claims?limit=1", headers=headers).json()
        claim = claims["items"][0]
        alerts = client.get(f"/api/v1/cases/{CASE}/alerts", headers=headers).json()
        milestones = client.get(f"/api/v1/cases/{CASE}/milestones", headers=headers).json()
        indicators = client.get(f"/api/v1/cases/{CASE}/indicators", headers=headers).json()
        suggestions = client.get(f"/api/v1/cases/{CASE}/suggestions", headers=headers).json()
        audit = client.get("/api/v1/audit?limit=1", headers=headers).json()["items"]
    real = {
        "slug": CASE,
        "claim_id": claim["id"],
        "doc_id": claim["document_id"],
        "alert_id": alerts[0]["id"],
        "entry_id": str(audit[0]["id"]),
        "name": claim["outlet"],
        "username": "viewer",
        "ref": str(suggestions[0]["id"]) if suggestions else "1",
        "decision": "accept",
        "milestone": milestones[0]["key"],
        "indicator": indicators[0]["key"],
    }
    yield Fuzzing(app=app, headers=headers, real=real)
    app.state.store.close()


def _real_path(fuzz: Fuzzing, path: str, names: list[str]) -> dict[str, str]:
    values = {}
    for name in names:
        if name == "key":
            values[name] = fuzz.real["indicator" if "/indicators/" in path else "milestone"]
        else:
            assert name in fuzz.real, f"{path}: add a real value for the parameter {name!r}"
            values[name] = fuzz.real[name]
    return values


def _check_operation(fuzz: Fuzzing, operation: Any) -> None:
    method, path = operation.method.upper(), operation.path
    names = [p.name for p in operation.path_parameters]
    query = FIXED_QUERY.get((method, path))
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE, query=query),
        operation.as_strategy(GenerationMode.NEGATIVE, query=query),
    ]
    if names:
        strategies.append(
            operation.as_strategy(
                GenerationMode.POSITIVE,
                path_parameters=_real_path(fuzz, path, names),
                query=query,
            )
        )
    declared = set(operation.definition.raw.get("responses", {}))
    seen: set[str] = set()

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(case=st.one_of(*strategies))
    def run(case: Any) -> None:
        def record(status: str, message: str) -> None:
            key = f"{method} {path} -> {status}"
            if key not in seen:
                seen.add(key)
                curl = case.as_curl_command(headers={"Authorization": "Bearer TOKEN"})
                fuzz.failures.append(f"{key}\n  {curl}\n  {message.strip()[:600]}")

        try:
            # The in-process client re-raises what the app raised: that is a 500 to a client.
            response = case.call(headers=fuzz.headers)
        except Exception as exc:
            record("500", f"{type(exc).__name__}: {exc}")
            return
        checks = [not_a_server_error]
        if str(response.status_code) in declared:
            checks += [content_type_conformance, response_schema_conformance]
        try:
            case.validate_response(response, checks=checks, headers=fuzz.headers)
        except BaseExceptionGroup as group:  # schemathesis's FailureGroup of check failures
            found = sorted({f"{getattr(e, 'title', '')}: {e}" for e in group.exceptions})
            record(str(response.status_code), "\n  ".join(found))

    run()


def test_every_operation_survives_generated_requests(fuzzing: Fuzzing) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", fuzzing.app)
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), f"the API description is invalid: {result.err()}"
        operations.append(result.ok())
    assert len(operations) >= 30
    for operation in operations:
        _check_operation(fuzzing, operation)
    assert not fuzzing.failures, "\n\n".join(fuzzing.failures)

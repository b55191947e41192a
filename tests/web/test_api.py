"""The REST API's behaviour and security, on the demo case with four accounts (see conftest).

Most tests drive the app in process with ``TestClient`` on a private copy of the demo workspace,
on SQLite and on PostgreSQL; a few go through a real uvicorn on 127.0.0.1.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from watchboard.config import Settings
from watchboard.jobs import accounts
from watchboard.store import Store
from watchboard.web import create_app

from .conftest import CASE, Demo, LiveServer, copy_demo

API = "/api/v1"
PROBLEM = "application/problem+json"
MUTATING = ("post", "put", "patch", "delete")


# -- helpers ---------------------------------------------------------------------------------------


def all_claims(client: TestClient, demo: Demo, **params: Any) -> list[dict[str, Any]]:
    """Every claim of the demo case matching ``params`` (walking the cursor)."""
    items: list[dict[str, Any]] = []
    query: dict[str, Any] = {"limit": 500, **params}
    while True:
        response = client.get(
            f"{API}/cases/{CASE}/claims", params=query, headers=demo.auth("admin")
        )
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        if not page["next_cursor"]:
            return items
        query["cursor"] = page["next_cursor"]


def ids(claims: list[dict[str, Any]]) -> list[str]:
    return [c["id"] for c in claims]


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """An RFC 9457 problem document with this status."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM), response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["title"] and isinstance(body["title"], str)
    assert body["detail"] and isinstance(body["detail"], str)
    assert "Traceback" not in response.text
    return body


def sign_in(client: TestClient, username: str, password: str, *, next: str = "/") -> Any:
    """Post the login form as a browser does (double-submit token); returns the response."""
    form = client.get("/login", params={"next": next})
    assert form.status_code == 200, form.text
    match = re.search(r'name="login_token" value="([^"]+)"', form.text)
    assert match, "no login_token in the login form"
    return client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "login_token": match.group(1),
            "next": next,
        },
        follow_redirects=False,
    )


def session_csrf(client: TestClient) -> str:
    """The signed-in session's CSRF token, as a page carries it."""
    page = client.get("/", headers={"Accept": "text/html"})
    assert page.status_code == 200, page.text
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
    assert match, "the page has no csrf-token meta tag"
    return match.group(1)


def first_claim(client: TestClient, demo: Demo) -> dict[str, Any]:
    response = client.get(f"{API}/cases/{CASE}/claims?limit=1", headers=demo.auth("admin"))
    claim: dict[str, Any] = response.json()["items"][0]
    return claim


def other_modality(modality: str) -> str:
    return "speculative" if modality != "speculative" else "stated"


def case_audit_entry(client: TestClient, demo: Demo) -> dict[str, Any]:
    """Correct a claim as the analyst and return the audit entry it wrote (in the demo case)."""
    claim = first_claim(client, demo)
    response = client.patch(
        f"{API}/claims/{claim['id']}",
        json={"modality": other_modality(claim["modality"]), "reason": "a change to audit"},
        headers=demo.auth("analyst"),
    )
    assert response.status_code == 200, response.text
    entry: dict[str, Any] = client.get(
        f"{API}/audit", params={"case": CASE, "limit": 1}, headers=demo.auth("admin")
    ).json()["items"][0]
    assert entry["case_id"] is not None
    return entry


@pytest.fixture
def session_client(app: FastAPI, demo: Demo) -> Iterator[TestClient]:
    """A TestClient signed in as the analyst through the login form (HTTPS, secure cookies)."""
    with TestClient(app, base_url="https://testserver") as signed_in:
        response = sign_in(signed_in, "analyst", demo.passwords["analyst"])
        assert response.status_code == 303, response.text
        yield signed_in


# -- errors are problem details ------------------------------------------------------------------


def test_unauthenticated_request_gets_a_401_problem(client: TestClient) -> None:
    response = client.get(f"{API}/cases")
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_viewer_changing_a_claim_gets_a_403_problem(client: TestClient, demo: Demo) -> None:
    claim = first_claim(client, demo)
    response = client.patch(
        f"{API}/claims/{claim['id']}",
        json={"modality": other_modality(claim["modality"]), "reason": "test"},
        headers=demo.auth("viewer"),
    )
    assert_problem(response, 403)


def test_unknown_things_get_404_problems(client: TestClient, demo: Demo) -> None:
    for path in (
        f"{API}/claims/ffffffffffffffff",
        f"{API}/documents/ffffffffffff",
        f"{API}/cases/no-such-case/claims",
        f"{API}/no-such-route",
    ):
        assert_problem(client.get(path, headers=demo.auth("admin")), 404)


def test_invalid_input_gets_a_422_problem_naming_the_field(client: TestClient, demo: Demo) -> None:
    response = client.get(
        f"{API}/cases/{CASE}/claims", params={"limit": 0}, headers=demo.auth("admin")
    )
    body = assert_problem(response, 422)
    assert [e["field"] for e in body["errors"]] == ["query.limit"]
    response = client.get(
        f"{API}/cases/{CASE}/claims", params={"bbox": "1,2,3"}, headers=demo.auth("admin")
    )
    assert_problem(response, 422)
    response = client.patch(
        f"{API}/claims/{first_claim(client, demo)['id']}",
        json={"modality": "stated"},
        headers=demo.auth("analyst"),
    )
    body = assert_problem(response, 422)
    assert "reason" in {e["field"] for e in body["errors"]}


@pytest.mark.parametrize("cursor", ["not-a-cursor", "eyJ4IjoxfQ", "eyJhZnRlciI6IDF9", "%%%"])
def test_a_cursor_the_server_did_not_give_out_gets_a_400_problem(
    client: TestClient, demo: Demo, cursor: str
) -> None:
    response = client.get(
        f"{API}/cases/{CASE}/claims", params={"cursor": cursor}, headers=demo.auth("admin")
    )
    assert_problem(response, 400)


# -- caching and paging ----------------------------------------------------------------------------


def test_etag_and_if_none_match_give_304_until_the_data_changes(
    client: TestClient, demo: Demo
) -> None:
    url = f"{API}/cases/{CASE}/claims?limit=5"
    first = client.get(url, headers=demo.auth("viewer"))
    tag = first.headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', tag)
    again = client.get(url, headers={**demo.auth("viewer"), "If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == tag
    weak = client.get(url, headers={**demo.auth("viewer"), "If-None-Match": f'"x", W/{tag}'})
    assert weak.status_code == 304
    other = client.get(url, headers={**demo.auth("viewer"), "If-None-Match": '"0000"'})
    assert other.status_code == 200
    assert other.json() == first.json()

    claim = first.json()["items"][0]
    changed = client.patch(
        f"{API}/claims/{claim['id']}",
        json={"modality": other_modality(claim["modality"]), "reason": "etag test"},
        headers=demo.auth("analyst"),
    )
    assert changed.status_code == 200, changed.text
    after = client.get(url, headers={**demo.auth("viewer"), "If-None-Match": tag})
    assert after.status_code == 200
    assert after.headers["etag"] != tag


@pytest.mark.parametrize("limit", [1, 7, 49, 50])
def test_cursor_paging_walks_every_claim_exactly_once(
    client: TestClient, demo: Demo, limit: int
) -> None:
    everything = ids(all_claims(client, demo))
    assert len(everything) > 40
    seen: list[str] = []
    url: str | None = f"{API}/cases/{CASE}/claims?limit={limit}"
    pages = 0
    while url:
        response = client.get(url, headers=demo.auth("viewer"))
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= limit
        seen += ids(page["items"])
        pages += 1
        link = response.headers.get("link")
        if page["next_cursor"]:
            # The Link header carries the same cursor.
            match = re.fullmatch(r'<([^>]+)>; rel="next"', link or "")
            assert match, link
            assert f"cursor={page['next_cursor']}" in match.group(1)
            url = match.group(1)
        else:
            assert link is None
            url = None
        assert pages <= len(everything) + 1, "the cursor never ends"
    assert seen == everything
    assert len(set(seen)) == len(seen)


# -- filters ---------------------------------------------------------------------------------------


@pytest.fixture
def claims_by_id(client: TestClient, demo: Demo) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in all_claims(client, demo)}


def test_modality_filter_returns_exactly_the_claims_with_that_modality(
    client: TestClient, demo: Demo, claims_by_id: dict[str, dict[str, Any]]
) -> None:
    modalities = {c["modality"] for c in claims_by_id.values()}
    assert len(modalities) >= 3
    for modality in modalities:
        expected = [i for i, c in claims_by_id.items() if c["modality"] == modality]
        assert ids(all_claims(client, demo, modality=modality)) == expected, modality


@pytest.mark.parametrize("ceiling", [1, 2, 3, 6])
def test_max_credibility_keeps_claims_graded_that_well_or_better(
    client: TestClient, demo: Demo, claims_by_id: dict[str, dict[str, Any]], ceiling: int
) -> None:
    expected = [
        i
        for i, c in claims_by_id.items()
        if c["credibility"] is not None and c["credibility"] <= ceiling
    ]
    assert expected
    assert ids(all_claims(client, demo, max_credibility=ceiling)) == expected


def _in_box(claim: dict[str, Any], west: float, south: float, east: float, north: float) -> bool:
    def lon_ok(lon: float) -> bool:
        return west <= lon <= east if west <= east else (lon >= west or lon <= east)

    return any(
        p["lat"] is not None and south <= p["lat"] <= north and lon_ok(p["lon"])
        for p in claim["places"]
    )


@pytest.mark.parametrize(
    "bbox",
    [
        (125.0, 38.5, 127.0, 41.5),  # around Pyongyang and the northern towns
        (126.0, 37.0, 128.0, 38.5),  # around Seoul and the peninsula's point
        (120.0, 30.0, -170.0, 45.0),  # crossing 180°, eastwards from 120°E: all of Korea
        (-180.0, -90.0, 180.0, 90.0),  # the world
    ],
)
def test_bbox_keeps_claims_with_a_place_inside(
    client: TestClient,
    demo: Demo,
    claims_by_id: dict[str, dict[str, Any]],
    bbox: tuple[float, float, float, float],
) -> None:
    expected = [i for i, c in claims_by_id.items() if _in_box(c, *bbox)]
    assert expected, "the box should hold some of the demo's places"
    assert len(expected) < len(claims_by_id), "some claims have no place"
    got = all_claims(client, demo, bbox=",".join(str(v) for v in bbox))
    assert ids(got) == expected


def test_a_bbox_crossing_180_over_the_pacific_finds_nothing_on_the_demo(
    client: TestClient, demo: Demo
) -> None:
    assert all_claims(client, demo, bbox="170,-60,-170,60") == []
    assert all_claims(client, demo, bbox="179.5,-90,-179.5,90") == []


def _overlaps(claim: dict[str, Any], since: str | None, until: str | None) -> bool:
    # Claim times are half-open [start, end); the filter keeps claims overlapping the days.
    return any(
        t["start"] is not None
        and (since is None or t["end"][:10] > since)
        and (until is None or t["start"][:10] <= until)
        for t in claim["times"]
    )


@pytest.mark.parametrize(
    ("since", "until"),
    [
        ("2026-01-01", None),
        (None, "2025-12-31"),
        ("2026-01-01", "2026-03-31"),
        ("2027-01-01", None),
    ],
)
def test_since_and_until_keep_claims_dated_in_the_interval(
    client: TestClient,
    demo: Demo,
    claims_by_id: dict[str, dict[str, Any]],
    since: str | None,
    until: str | None,
) -> None:
    expected = [i for i, c in claims_by_id.items() if _overlaps(c, since, until)]
    assert expected
    params = {k: v for k, v in {"since": since, "until": until}.items() if v}
    assert ids(all_claims(client, demo, **params)) == expected


def test_since_after_until_is_invalid(client: TestClient, demo: Demo) -> None:
    response = client.get(
        f"{API}/cases/{CASE}/claims",
        params={"since": "2026-02-01", "until": "2026-01-01"},
        headers=demo.auth("admin"),
    )
    assert_problem(response, 422)


@pytest.mark.parametrize("words", ["missiles", "MISSILES", "Kim missiles", "factories"])
def test_q_keeps_claims_whose_quote_holds_every_word(
    client: TestClient, demo: Demo, claims_by_id: dict[str, dict[str, Any]], words: str
) -> None:
    # Full-text search: every word, case-insensitive, stemmed ("factories" finds "factory").
    def tokens(quote: str) -> list[str]:
        return re.findall(r"\w+", quote.lower())

    exact = [
        i
        for i, c in claims_by_id.items()
        if all(w.lower() in tokens(c["quote"]) for w in words.split())
    ]
    assert exact
    found = ids(all_claims(client, demo, q=words))
    assert set(exact) <= set(found)
    for claim_id in found:
        quote = tokens(claims_by_id[claim_id]["quote"])
        for w in words.lower().split():
            stem = w[: max(3, len(w) - 3)]
            assert any(t.startswith(stem) for t in quote), (claim_id, w)


def test_q_phrases_or_and_exclusions(client: TestClient, demo: Demo) -> None:
    both = set(ids(all_claims(client, demo, q="missiles shells")))
    either = set(ids(all_claims(client, demo, q="missiles OR shells")))
    without = set(ids(all_claims(client, demo, q="missiles -shells")))
    assert both <= either and without <= either and not (both & without)


def test_q_with_sql_wildcards_matches_them_literally(client: TestClient, demo: Demo) -> None:
    assert all_claims(client, demo, q="%") == []
    assert all_claims(client, demo, q="_") == []


@pytest.mark.parametrize("outlet", ["Reuters", "kcna", "THE KOREA HERALD"])
def test_source_filter_keeps_one_outlets_claims(
    client: TestClient, demo: Demo, claims_by_id: dict[str, dict[str, Any]], outlet: str
) -> None:
    expected = [i for i, c in claims_by_id.items() if c["outlet"].lower() == outlet.lower()]
    assert expected
    assert ids(all_claims(client, demo, source=outlet)) == expected


def test_filters_combine(
    client: TestClient, demo: Demo, claims_by_id: dict[str, dict[str, Any]]
) -> None:
    expected = [
        i
        for i, c in claims_by_id.items()
        if c["outlet"] == "Reuters" and c["credibility"] is not None and c["credibility"] <= 3
    ]
    assert expected
    got = all_claims(client, demo, source="Reuters", max_credibility=3)
    assert ids(got) == expected


# -- roles -----------------------------------------------------------------------------------------


def _schema_value(schema: dict[str, Any], spec: dict[str, Any]) -> Any:
    """A small value valid for ``schema`` (enough for the API's request bodies)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return _schema_value(spec["components"]["schemas"][name], spec)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return _schema_value(options[0], spec)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        return {k: _schema_value(properties[k], spec) for k in schema.get("required", [])}
    if kind == "string":
        return "x" * max(schema.get("minLength", 1), 1)
    if kind == "integer":
        return max(schema.get("minimum", 1), 1)
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    return None


def _path_values(client: TestClient, demo: Demo) -> dict[str, str]:
    """A real value for every path parameter, so a 404 cannot hide a missing 403."""
    auth = demo.auth("admin")
    claim = first_claim(client, demo)
    alerts = client.get(f"{API}/cases/{CASE}/alerts", headers=auth).json()
    milestones = client.get(f"{API}/cases/{CASE}/milestones", headers=auth).json()
    entry = case_audit_entry(client, demo)
    suggestions = client.get(f"{API}/cases/{CASE}/suggestions", headers=auth).json()
    return {
        "slug": CASE,
        "claim_id": claim["id"],
        "doc_id": claim["document_id"],
        "alert_id": alerts[0]["id"],
        "key": milestones[0]["key"],
        "entry_id": str(entry["id"]),
        "name": claim["outlet"],
        "username": "analyst",
        "ref": str(suggestions[0].get("id", "x")) if suggestions else "x",
        "decision": "accept",
    }


def mutating_operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if method in MUTATING
    ]


def test_a_viewer_can_change_nothing(client: TestClient, demo: Demo) -> None:
    spec = client.get(f"{API}/openapi.json").json()
    operations = mutating_operations(spec)
    assert len(operations) >= 10, "the API should describe its changing operations"
    values = _path_values(client, demo)
    audit_before = client.get(f"{API}/audit?limit=500", headers=demo.auth("admin")).json()

    refused = []
    for method, path, operation in operations:
        params = re.findall(r"{(\w+)}", path)
        missing = [p for p in params if p not in values]
        assert not missing, f"{method.upper()} {path}: add a real value for {missing}"
        url = path.format(**values)
        body = None
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            body = _schema_value(content["application/json"]["schema"], spec)
        response = client.request(method.upper(), url, json=body, headers=demo.auth("viewer"))
        assert response.status_code == 403, f"{method.upper()} {url}: {response.text}"
        assert_problem(response, 403)
        refused.append(f"{method.upper()} {path}")

    # Nothing was written, not even to the audit log.
    after = client.get(f"{API}/audit?limit=500", headers=demo.auth("admin")).json()
    assert after == audit_before
    assert len(refused) == len(operations)


def test_an_analyst_cannot_manage_accounts(client: TestClient, demo: Demo) -> None:
    auth = demo.auth("analyst")
    assert_problem(client.get(f"{API}/users", headers=auth), 403)
    new = {"username": "mallory", "password": "long-enough-password", "role": "admin"}
    assert_problem(client.post(f"{API}/users", json=new, headers=auth), 403)
    assert_problem(client.patch(f"{API}/users/analyst", json={"role": "admin"}, headers=auth), 403)
    me = client.get(f"{API}/me", headers=auth).json()
    assert me["role"] == "analyst"


# -- per-case access -------------------------------------------------------------------------------


def test_an_outsider_gets_404_for_everything_in_a_case_not_theirs(
    client: TestClient, demo: Demo
) -> None:
    values = _path_values(client, demo)
    outsider = demo.auth("outsider")
    reads = [
        f"{API}/cases/{CASE}",
        f"{API}/cases/{CASE}/claims",
        f"{API}/cases/{CASE}/documents",
        f"{API}/cases/{CASE}/alerts",
        f"{API}/cases/{CASE}/brief?format=md",
        f"{API}/cases/{CASE}/milestones",
        f"{API}/cases/{CASE}/export",
        f"{API}/claims/{values['claim_id']}",
        f"{API}/documents/{values['doc_id']}",
        f"{API}/documents/{values['doc_id']}/versions",
        f"{API}/audit?case={CASE}",
    ]
    for url in reads:
        assert_problem(client.get(url, headers=outsider), 404)
    # An outsider is an analyst, so changes are allowed in principle: still 404 here.
    changes = [
        ("PATCH", f"{API}/claims/{values['claim_id']}", {"modality": "stated", "reason": "x"}),
        ("POST", f"{API}/alerts/{values['alert_id']}/ack", {"note": "x"}),
        ("POST", f"{API}/audit/{values['entry_id']}/revert", {"reason": "x"}),
        (
            "POST",
            f"{API}/cases/{CASE}/entities/merge",
            {"alias": "a", "canonical": "b", "reason": "x"},
        ),
    ]
    for method, url, body in changes:
        assert_problem(client.request(method, url, json=body, headers=outsider), 404)


def test_a_404_for_a_case_not_yours_reads_like_one_that_does_not_exist(
    client: TestClient, demo: Demo
) -> None:
    outsider = demo.auth("outsider")
    hidden = client.get(f"{API}/cases/{CASE}/claims", headers=outsider).json()
    missing = client.get(f"{API}/cases/zz-none/claims", headers=outsider).json()
    assert hidden["detail"].replace(CASE, "?") == missing["detail"].replace("zz-none", "?")
    claim = first_claim(client, demo)["id"]
    hidden = client.get(f"{API}/claims/{claim}", headers=outsider).json()
    missing = client.get(f"{API}/claims/0000000000000000", headers=outsider).json()
    assert hidden["detail"].replace(claim, "?") == missing["detail"].replace("0" * 16, "?")


def test_an_outsider_lists_only_their_own_cases_and_audit(client: TestClient, demo: Demo) -> None:
    claim = first_claim(client, demo)
    changed = client.patch(
        f"{API}/claims/{claim['id']}",
        json={"modality": other_modality(claim["modality"]), "reason": "case entry"},
        headers=demo.auth("analyst"),
    )
    assert changed.status_code == 200
    admin_log = client.get(f"{API}/audit?case={CASE}", headers=demo.auth("admin")).json()
    demo_case_id = admin_log["items"][0]["case_id"]
    assert demo_case_id is not None

    outsider = demo.auth("outsider")
    cases = client.get(f"{API}/cases", headers=outsider).json()
    assert [c["slug"] for c in cases] == [demo.other_case]
    audit = client.get(f"{API}/audit?limit=500", headers=outsider).json()["items"]
    assert all(e["case_id"] != demo_case_id for e in audit)
    stats = client.get(f"{API}/stats", headers=outsider).json()
    assert CASE not in stats["claims"]


# -- CSRF, tokens ----------------------------------------------------------------------------------


def test_a_session_change_needs_the_csrf_token(
    session_client: TestClient, client: TestClient, demo: Demo
) -> None:
    claim = first_claim(client, demo)
    url = f"{API}/claims/{claim['id']}"
    body = {"modality": other_modality(claim["modality"]), "reason": "csrf test"}
    assert_problem(session_client.patch(url, json=body), 403)
    assert_problem(session_client.patch(url, json=body, headers={"X-CSRF-Token": "wrong"}), 403)
    unchanged = client.get(url, headers=demo.auth("admin")).json()
    assert unchanged["modality"] == claim["modality"]

    token = session_csrf(session_client)
    response = session_client.patch(url, json=body, headers={"X-CSRF-Token": token})
    assert response.status_code == 200, response.text
    changed = client.get(url, headers=demo.auth("admin")).json()
    assert changed["modality"] == body["modality"]
    assert "modality" in changed["corrected"]


def test_a_session_read_needs_no_csrf_token(session_client: TestClient) -> None:
    response = session_client.get(f"{API}/me")
    assert response.status_code == 200
    assert response.json()["via"] == "session"


def test_bearer_tokens_need_no_csrf_token(client: TestClient, demo: Demo) -> None:
    claim = first_claim(client, demo)
    response = client.patch(
        f"{API}/claims/{claim['id']}",
        json={"modality": other_modality(claim["modality"]), "reason": "token change"},
        headers=demo.auth("analyst"),
    )
    assert response.status_code == 200, response.text


def test_a_revoked_token_gets_401(client: TestClient, demo: Demo) -> None:
    auth = demo.auth("analyst")
    assert client.get(f"{API}/me", headers=auth).status_code == 200
    with Store.open(demo.settings.database_url) as store:
        (token,) = [t for t in accounts.list_tokens(store, "analyst") if t["name"] == "tests"]
        accounts.revoke_token(store, token["id"])
    response = client.get(f"{API}/me", headers=auth)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"
    assert_problem(client.get(f"{API}/me", headers={"Authorization": "Bearer wb_made_up"}), 401)


# -- the audit log ---------------------------------------------------------------------------------


def test_the_api_describes_no_way_to_edit_the_audit_log(client: TestClient) -> None:
    spec = client.get(f"{API}/openapi.json").json()
    audit_routes = {
        (method, path)
        for path, operations in spec["paths"].items()
        if path.startswith(f"{API}/audit")
        for method in operations
    }
    assert audit_routes == {("get", f"{API}/audit"), ("post", f"{API}/audit/{{entry_id}}/revert")}


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_editing_the_audit_log_is_not_allowed(client: TestClient, demo: Demo, method: str) -> None:
    admin = demo.auth("admin")
    before = client.get(f"{API}/audit?limit=500", headers=admin).json()
    entry = before["items"][0]["id"]
    body = {"reason": "rewrite history", "actor": "nobody"}
    for url in (f"{API}/audit", f"{API}/audit/{entry}/revert"):
        response = client.request(method, url, json=body, headers=admin)
        assert_problem(response, 405)
    response = client.request(method, f"{API}/audit/{entry}", json=body, headers=admin)
    assert response.status_code in (404, 405)
    assert client.get(f"{API}/audit?limit=500", headers=admin).json() == before


def test_a_revert_appends_an_entry_and_leaves_the_old_one_unchanged(
    client: TestClient, demo: Demo
) -> None:
    analyst = demo.auth("analyst")
    claim = first_claim(client, demo)
    url = f"{API}/claims/{claim['id']}"
    new = other_modality(claim["modality"])
    assert (
        client.patch(url, json={"modality": new, "reason": "misread"}, headers=analyst).status_code
        == 200
    )
    log = client.get(f"{API}/audit?case={CASE}", headers=analyst).json()["items"]
    change = log[0]
    assert change["actor"] == "analyst"
    assert change["reason"] == "misread"
    assert claim["id"] in change["target"]
    assert client.get(url, headers=analyst).json()["modality"] == new

    response = client.post(
        f"{API}/audit/{change['id']}/revert", json={"reason": "was right"}, headers=analyst
    )
    assert response.status_code == 200, response.text
    assert client.get(url, headers=analyst).json()["modality"] == claim["modality"]

    after = client.get(f"{API}/audit?case={CASE}", headers=analyst).json()["items"]
    assert after[1:] == log, "the earlier entries are unchanged"
    revert = after[0]
    assert revert["id"] > change["id"]
    assert revert["actor"] == "analyst"
    assert "was right" in revert["reason"]
    assert revert["target"] == change["target"]
    assert (revert["before"], revert["after"]) == (change["after"], change["before"])


# -- signing in ------------------------------------------------------------------------------------


@pytest.fixture
def small_app(workspace: Settings) -> Iterator[FastAPI]:
    """An app on an empty workspace (each backend) with one user, ``sam``."""
    with Store.open(workspace.database_url) as store:
        accounts.add_user(store, "sam", "sam-password-1", role="viewer")
    application = create_app(workspace)
    yield application
    application.state.store.close()


def test_five_failed_logins_lock_the_account_with_429_and_retry_after(
    small_app: FastAPI,
) -> None:
    with TestClient(small_app, base_url="https://testserver") as browser:
        for _ in range(5):
            response = sign_in(browser, "sam", "wrong-password")
            assert response.status_code == 401
            assert "wrong user name or password" in response.text
            assert "wb_session" not in response.cookies
        locked = sign_in(browser, "sam", "wrong-password")
        assert locked.status_code == 429
        assert int(locked.headers["retry-after"]) > 0
        # Even the right password is refused while locked.
        right = sign_in(browser, "sam", "sam-password-1")
        assert right.status_code == 429
        assert "wb_session" not in right.cookies


def test_session_cookie_is_httponly_samesite_strict_and_secure(
    small_app: FastAPI,
) -> None:
    with TestClient(small_app, base_url="https://testserver") as browser:
        response = sign_in(browser, "sam", "sam-password-1")
        assert response.status_code == 303
        (cookie,) = [
            v for k, v in response.headers.multi_items() if k == "set-cookie" and "wb_session" in v
        ]
        attributes = {a.strip().split("=")[0].lower(): a for a in cookie.split(";")}
        assert "httponly" in attributes
        assert attributes["samesite"].strip().lower() == "samesite=strict"
        assert "secure" in attributes
        assert attributes["path"].strip() == "Path=/"
        assert browser.get(f"{API}/me").json()["username"] == "sam"


def test_insecure_cookies_drop_only_the_secure_flag(live_server: LiveServer) -> None:
    demo = live_server.demo
    with live_server.client() as browser:
        form = browser.get("/login")
        token = re.search(r'name="login_token" value="([^"]+)"', form.text)
        assert token
        response = browser.post(
            "/login",
            data={
                "username": "viewer",
                "password": demo.passwords["viewer"],
                "login_token": token.group(1),
            },
        )
        assert response.status_code == 303
        cookie = response.headers["set-cookie"].lower()
        assert "httponly" in cookie
        assert "samesite=strict" in cookie
        assert "secure" not in cookie.replace("samesite", "")
        assert browser.get(f"{API}/me").json()["username"] == "viewer"


def test_login_without_the_form_token_is_refused(small_app: FastAPI) -> None:
    with TestClient(small_app, base_url="https://testserver") as browser:
        response = browser.post(
            "/login",
            data={"username": "sam", "password": "sam-password-1", "login_token": "forged"},
            follow_redirects=False,
        )
        assert response.status_code == 403
        assert "wb_session" not in response.cookies


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/path",
        "https://evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
    ],
)
def test_login_never_redirects_off_the_site(small_app: FastAPI, target: str) -> None:
    with TestClient(small_app, base_url="https://testserver") as browser:
        form = browser.get("/login", params={"next": target})
        assert 'name="next" value="/"' in form.text
        response = sign_in(browser, "sam", "sam-password-1", next=target)
        assert response.status_code == 303
        assert response.headers["location"] == "/"


def test_login_returns_to_a_path_on_the_site(small_app: FastAPI) -> None:
    with TestClient(small_app, base_url="https://testserver") as browser:
        response = sign_in(browser, "sam", "sam-password-1", next="/cases/x?tab=claims")
        assert response.headers["location"] == "/cases/x?tab=claims"


@pytest.mark.parametrize(
    "target", ["/\t/evil.example", "/%2F/evil.example", "/%5Cevil.example", "/\r\n/evil.example"]
)
def test_login_redirects_stay_on_the_site_as_a_browser_reads_them(
    small_app: FastAPI, target: str
) -> None:
    with TestClient(small_app, base_url="https://testserver") as browser:
        response = sign_in(browser, "sam", "sam-password-1", next=target)
        assert response.status_code == 303
        location = response.headers["location"]
        # Browsers drop tabs and newlines from URLs before resolving them (WHATWG URL).
        cleaned = location.replace("\t", "").replace("\r", "").replace("\n", "")
        resolved = urlsplit(urljoin("https://testserver/login", cleaned))
        assert resolved.netloc == "testserver", location


# -- docs, briefs, headers -------------------------------------------------------------------------


def test_api_docs_load_only_assets_served_by_the_app(live_server: LiveServer) -> None:
    with live_server.client() as browser:
        page = browser.get("/api/docs")
        assert page.status_code == 200
        refs = re.findall(r'(?:src|href)\s*=\s*["\']([^"\']+)["\']', page.text)
        urls = re.findall(r"url:\s*['\"]([^'\"]+)['\"]", page.text)
        assert refs, page.text
        for ref in refs:
            assert ref.startswith("/static/"), ref
            assert browser.get(ref).status_code == 200, ref
        assert urls == ["/api/v1/openapi.json"]
        assert not re.search(r"https?://(?!127\.0\.0\.1)", page.text.replace("http://www.w3", ""))
        spec = browser.get("/api/v1/openapi.json").json()
        assert spec["openapi"].startswith("3.1")


def test_responses_carry_security_headers(client: TestClient, demo: Demo) -> None:
    response = client.get(f"{API}/me", headers=demo.auth("viewer"))
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "script-src 'self'" in response.headers["content-security-policy"]


@pytest.fixture
def sqlite_client(
    sqlite_demo_template: Demo, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[TestClient, Demo]]:
    """The PDF takes seconds to render: fetched on SQLite only."""
    demo = copy_demo(sqlite_demo_template, tmp_path / "ws", request)
    application = create_app(demo.settings)
    with TestClient(application, base_url="https://testserver") as test_client:
        yield test_client, demo
    application.state.store.close()


def test_the_brief_comes_as_a_pdf(sqlite_client: tuple[TestClient, Demo]) -> None:
    client, demo = sqlite_client
    response = client.get(
        f"{API}/cases/{CASE}/brief", params={"format": "pdf"}, headers=demo.auth("viewer")
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response.content.rstrip().endswith(b"%%EOF")
    assert f'filename="{CASE}-' in response.headers["content-disposition"]


# -- regressions found by schemathesis and probing (see test_schemathesis) -------------------------

HOSTILE = [
    ("GET", "/basemap?bbox=1-2,3,4,5", None),
    ("GET", "/basemap?bbox=.,.,.,.", None),
    ("GET", f"/cases/{CASE}/documents?offset={2**70}", None),
    ("GET", "/documents/{doc}?version=21806790873", None),
    ("GET", f"/audit?before={2**61}", None),
    ("POST", f"/cases/{CASE}/suggestions/{2**40}/accept", {}),
    ("POST", f"/cases/{CASE}/suggestions/{2**70}/accept", {}),
    ("GET", f"/cases/{CASE}/claims?q=%00", None),
    ("GET", f"/cases/{CASE}/claims?source=a%00b", None),
    ("GET", "/documents/ab%00cd", None),
    ("GET", f"/cases/{CASE}/indicators/a%00b/observations", None),
    ("GET", "/audit?case=a%00b", None),
    ("PATCH", "/sources/a%00b", {"reliability": "A", "reason": "x"}),
    ("PATCH", "/claims/{claim}", {"asserted_by": "a\x00b", "reason": "x\x00"}),
    ("POST", f"/cases/{CASE}/entities/merge", {"alias": "a\x00", "canonical": "b", "reason": "x"}),
    ("POST", "/users", {"username": "a\x00b", "password": "long-enough-password"}),
]


@pytest.mark.parametrize(
    ("method", "path", "body"), HOSTILE, ids=[f"{m} {p}" for m, p, _ in HOSTILE]
)
def test_hostile_input_gets_no_server_error(
    app: FastAPI, demo: Demo, method: str, path: str, body: dict[str, Any] | None
) -> None:
    # Out-of-range integers and NUL characters are input errors, not crashes (PostgreSQL refuses
    # both; SQLite takes them).
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as client:
        claim = first_claim(client, demo)
        url = API + path.format(doc=claim["document_id"], claim=claim["id"])
        response = client.request(method, url, json=body, headers=demo.auth("admin"))
    assert response.status_code < 500, f"{method} {url}: {response.text}"
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith(PROBLEM)


def test_the_modality_filter_sees_corrections(client: TestClient, demo: Demo) -> None:
    # The list shows a corrected claim with its corrected modality, so filtering by modality must
    # find it under that modality, and no longer under the one it was extracted with.
    claim = first_claim(client, demo)
    new = other_modality(claim["modality"])
    response = client.patch(
        f"{API}/claims/{claim['id']}",
        json={"modality": new, "reason": "misread"},
        headers=demo.auth("analyst"),
    )
    assert response.status_code == 200
    assert claim["id"] in ids(all_claims(client, demo, modality=new))
    assert claim["id"] not in ids(all_claims(client, demo, modality=claim["modality"]))


def test_an_analyst_of_another_case_cannot_regrade_this_cases_sources(
    client: TestClient, demo: Demo
) -> None:
    # KCNA is graded in the demo case; the outsider's case has no sources at all, so a regrade by
    # them changes the grades of a case they may not even see.
    response = client.patch(
        f"{API}/sources/KCNA",
        json={"reliability": "F", "reason": "x"},
        headers=demo.auth("outsider"),
    )
    assert response.status_code in (403, 404), response.text
    sources = {
        s["name"]: s for s in client.get(f"{API}/sources", headers=demo.auth("admin")).json()
    }
    assert sources["KCNA"]["reliability"] == "C"

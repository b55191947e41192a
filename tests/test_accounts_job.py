"""Accounts and analysts' corrections through jobs and the CLI, on both backends: users and
roles, per-case access, tokens, logins with rate limiting, sessions; claim corrections that
survive re-extraction and reach assessment; entity merges and splits; reverting changes from
the audit log; migration 5 on an older database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text

from watchboard import jobs
from watchboard.cli import cli
from watchboard.errors import NotFoundError, WatchboardError
from watchboard.jobs import accounts, review
from watchboard.jobs import assess as assess_jobs
from watchboard.store import Store, migrations
from watchboard.store.schema import audit_log, claim_places, claim_times, users


@pytest.fixture
def demo(tmp_path: Path, db_url: str):
    url = db_url if db_url.startswith("postgresql") else None
    return jobs.build_demo(tmp_path / "ws", database_url=url)


def run(ws: Path, *args: str, code: int = 0, stdin: str | None = None) -> str:
    result = CliRunner().invoke(cli, ["-w", str(ws), *args], input=stdin, catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


def test_users_roles_access_tokens_and_logins(demo):
    ws = demo.settings.workspace
    out = run(ws, "user", "add", "ana", "--role", "analyst", "--case", "dprk-2026",
              "--password-stdin", stdin="a long passphrase\n")  # fmt: skip
    assert "ana (analyst) can open dprk-2026" in out
    run(
        ws,
        "user",
        "add",
        "root",
        "--role",
        "admin",
        "--password-stdin",
        stdin="another passphrase\n",
    )
    assert "at least 10" in run(ws, "user", "add", "x", "--password-stdin", stdin="short\n", code=1)
    assert "already exists" in run(
        ws, "user", "add", "ana", "--password-stdin", stdin="a long passphrase\n", code=1
    )
    assert "no case 'nope'" in run(
        ws,
        "user",
        "add",
        "y",
        "--case",
        "nope",
        "--password-stdin",
        stdin="long enough pw\n",
        code=1,
    )
    listed = json.loads(run(ws, "user", "list", "--json"))
    assert {u["username"]: u["cases"] for u in listed} == {"ana": ["dprk-2026"], "root": []}
    assert all("password_hash" not in u for u in listed)

    store = Store.open(demo.settings.database_url)
    with store:
        with store.reading() as conn:
            stored = conn.execute(select(users.c.password_hash)).scalars().all()
        assert all(h.startswith("$argon2id$") for h in stored)
        user = accounts.login(store, "ana", "a long passphrase", client="127.0.0.1")
        cookie, csrf, _ = accounts.open_session(store, user["id"])
        principal = accounts.session_principal(store, cookie)
        assert principal and principal.role == "analyst" and principal.csrf == csrf
        case_id = next(iter(principal.case_ids or ()))
        assert principal.can_open(case_id) and not principal.can_open(case_id + 1)
        admin = accounts.token_principal(store, accounts.new_token(store, "root", "script"))
        assert admin and admin.case_ids is None and admin.via == "token"
        assert accounts.session_principal(store, "forged") is None
        # Wrong passwords are rate limited per account, whoever asks.
        for _ in range(accounts.MAX_FAILURES_PER_USER):
            with pytest.raises(accounts.LoginError):
                accounts.login(store, "ana", "wrong password!", client="10.0.0.9")
        with pytest.raises(accounts.RateLimited):
            accounts.login(store, "ana", "a long passphrase", client="127.0.0.1")
        with pytest.raises(accounts.LoginError):
            accounts.login(store, "nobody", "whatever it is", client="10.0.0.8")
        # Disabling ends sessions; tokens can be revoked.
        accounts.update_user(store, "ana", disabled=True)
        assert accounts.session_principal(store, cookie) is None
        token_id = accounts.list_tokens(store, "root")[0]["id"]
        accounts.revoke_token(store, token_id)
        with pytest.raises(NotFoundError):
            accounts.revoke_token(store, token_id)
        with pytest.raises(WatchboardError, match="no active admin"):
            accounts.update_user(store, "root", role="viewer")
        with store.reading() as conn:
            actions = conn.execute(select(audit_log.c.action)).scalars().all()
        assert {"user.add", "user.update", "token.add", "token.revoke"} <= set(actions)


def test_corrections_merges_and_reverts_reach_assessment(demo):
    store = Store.open(demo.settings.database_url)
    with store:
        claim = next(c for c in demo.claims if c["modality"] == "ordered")
        result = review.correct_claim(
            store,
            claim["id"],
            {"modality": "denied", "event_type": None},
            reason="misread",
            actor="ana",
        )
        assert set(result["changed"]) >= {"modality"}
        assert jobs.get_claim(store, claim["id"])["modality"] == "denied"
        with pytest.raises(WatchboardError, match="modality must be one of"):
            review.correct_claim(store, claim["id"], {"modality": "maybe"}, reason="x")
        with pytest.raises(WatchboardError, match="cannot be corrected"):
            review.correct_claim(store, claim["id"], {"quote": "x"}, reason="x")
        # Re-extracting the document keeps the correction.
        jobs.extract_documents(store, case="dprk-2026", force=True)
        assert jobs.get_claim(store, claim["id"])["modality"] == "denied"
        report = assess_jobs.assess_case(store, demo.settings, "dprk-2026")
        assert report.assessment.records[claim["id"]].modality == "denied"

        merged = review.merge_entity(store, "KCNA", "Korean Central News Agency", reason="same")
        assert merged["canonical"] == "Korean Central News Agency"
        names = {e["name"] for e in review.list_entities(store, "dprk-2026")}
        assert "Korean Central News Agency" in names and "KCNA" not in names
        report = assess_jobs.assess_case(store, demo.settings, "dprk-2026")
        actors = {a for r in report.assessment.records.values() for a in r.actors}
        assert "kcna" not in actors

        entries = assess_jobs.audit_log(store, limit=50)
        correction = next(
            e
            for e in entries
            if e["action"] == "claim.correct" and "modality" in (e["after"] or {})
        )
        review.revert(store, correction["id"], reason="was right", actor="lead")
        assert jobs.get_claim(store, claim["id"])["modality"] == "ordered"
        merge = next(
            e for e in assess_jobs.audit_log(store, limit=50) if e["action"] == "entity.merge"
        )
        review.revert(store, merge["id"], reason="not the same", actor="lead")
        assert "KCNA" in {e["name"] for e in review.list_entities(store, "dprk-2026")}
        regrade = assess_jobs.regrade_source(store, "KCNA", "E", reason="test", actor="ana")
        entry = next(
            e for e in assess_jobs.audit_log(store, limit=5) if e["action"] == "source.reliability"
        )
        review.revert(store, entry["id"], reason="undo", actor="lead")
        assert {s["name"]: s["reliability"] for s in jobs.list_sources(store)}["KCNA"] == regrade[
            "before"
        ]
        # Reverts append; the original entries are unchanged.
        after = {e["id"]: e for e in assess_jobs.audit_log(store, limit=100)}
        assert after[correction["id"]]["after"] == correction["after"]
        assert sum(1 for e in after.values() if (e["reason"] or "").startswith("revert of")) == 3
        accounts.add_user(store, "z", "long enough pw", role="viewer")
        add = next(e for e in assess_jobs.audit_log(store, limit=5) if e["action"] == "user.add")
        with pytest.raises(WatchboardError, match="cannot be reverted"):
            review.revert(store, add["id"], reason="no")


def test_migration_5_indexes_claims_of_an_older_database(tmp_path):
    result = jobs.build_demo(tmp_path / "ws")
    url = result.settings.database_url
    store = Store.open(url)
    with store, store.transaction() as conn:
        places = conn.execute(select(func.count()).select_from(claim_places)).scalar_one()
        times = conn.execute(select(func.count()).select_from(claim_times)).scalar_one()
        assert places > 0 and times > 0
        # Make it a version-4 database again.
        for trigger in ("claims_fts_insert", "claims_fts_delete", "claims_fts_update"):
            conn.execute(text(f"DROP TRIGGER {trigger}"))
        for table in (*reversed(migrations._V5_TABLES), "claim_fts", "claim_fts_rows"):
            conn.execute(text(f"DROP TABLE {table}"))
        conn.execute(text("DROP INDEX ix_claims_case"))
        conn.execute(text("ALTER TABLE claims DROP COLUMN case_id"))
        conn.execute(text("DELETE FROM schema_migrations WHERE version = 5"))
    with pytest.raises(Exception, match="migrate"):
        Store.open(url)
    assert "applied migrations: [5]" in run(result.settings.workspace, "migrate")
    with Store.open(url) as store, store.reading() as conn:
        assert conn.execute(select(func.count()).select_from(claim_places)).scalar_one() == places
        assert conn.execute(select(func.count()).select_from(claim_times)).scalar_one() == times
        assert conn.execute(text("SELECT count(*) FROM claims WHERE case_id IS NULL")).scalar() == 0
        found = conn.execute(
            text("SELECT count(*) FROM claim_fts WHERE claim_fts MATCH 'factories'")
        ).scalar()
        assert found and found > 0

"""Account queries: users, per-case access, API tokens, browser sessions, login failures.

Secrets never reach the database in clear: passwords are argon2 hashes (made by the caller),
API tokens and session cookies are stored as SHA-256 hashes of random 256-bit values.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from watchboard.errors import NotFoundError, WatchboardError
from watchboard.store.schema import (
    api_tokens,
    case_access,
    cases,
    login_failures,
    users,
    web_sessions,
)

ROLES = ("viewer", "analyst", "admin")


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def add_user(
    conn: Connection,
    *,
    username: str,
    password_hash: str,
    role: str,
    display_name: str | None,
    at: datetime,
) -> int:
    if role not in ROLES:
        raise WatchboardError(f"role {role!r} is not one of: {', '.join(ROLES)}")
    if conn.execute(select(users.c.id).where(users.c.username == username)).first():
        raise WatchboardError(f"user {username!r} already exists")
    result = conn.execute(
        insert(users).values(
            username=username,
            display_name=display_name,
            password_hash=password_hash,
            role=role,
            disabled=False,
            created_at=at,
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def user(conn: Connection, username: str) -> dict[str, Any]:
    row = conn.execute(select(users).where(users.c.username == username)).first()
    if row is None:
        raise NotFoundError(f"no user {username!r} (see 'watchboard user list')")
    return dict(row._mapping)


def user_by_id(conn: Connection, user_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(users).where(users.c.id == user_id)).first()
    return dict(row._mapping) if row else None


def list_users(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(select(users).order_by(users.c.username)).all()
    access = access_map(conn)
    return [
        {k: v for k, v in r._mapping.items() if k != "password_hash"}
        | {"cases": sorted(access.get(r.id, ()))}
        for r in rows
    ]


def count_admins(conn: Connection) -> int:
    return int(
        conn.execute(
            select(func.count()).where(users.c.role == "admin", users.c.disabled.is_(False))
        ).scalar_one()
    )


def update_user(conn: Connection, user_id: int, **values: Any) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(**values))


def access_map(conn: Connection) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    rows = conn.execute(
        select(case_access.c.user_id, cases.c.slug).join(cases, cases.c.id == case_access.c.case_id)
    )
    for user_id, slug in rows:
        out.setdefault(user_id, set()).add(slug)
    return out


def case_ids_for(conn: Connection, user_id: int) -> set[int]:
    return set(
        conn.execute(
            select(case_access.c.case_id).where(case_access.c.user_id == user_id)
        ).scalars()
    )


def set_access(conn: Connection, user_id: int, case_ids: Iterable[int]) -> None:
    conn.execute(delete(case_access).where(case_access.c.user_id == user_id))
    rows = [{"user_id": user_id, "case_id": c} for c in sorted(set(case_ids))]
    if rows:
        conn.execute(insert(case_access), rows)


# -- API tokens ----------------------------------------------------------------------------------


def add_token(conn: Connection, user_id: int, name: str, token: str, at: datetime) -> int:
    result = conn.execute(
        insert(api_tokens).values(
            user_id=user_id, name=name, token_hash=digest(token), created_at=at
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def token_user(conn: Connection, token: str) -> tuple[int, int, datetime | None] | None:
    """(token id, user id, last used) of a live token."""
    row = conn.execute(
        select(api_tokens.c.id, api_tokens.c.user_id, api_tokens.c.last_used_at).where(
            api_tokens.c.token_hash == digest(token), api_tokens.c.revoked_at.is_(None)
        )
    ).first()
    return (row.id, row.user_id, row.last_used_at) if row else None


def touch_token(conn: Connection, token_id: int, at: datetime) -> None:
    conn.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(last_used_at=at))


def tokens(conn: Connection, user_id: int | None = None) -> list[dict[str, Any]]:
    q = (
        select(
            api_tokens.c.id,
            users.c.username,
            api_tokens.c.name,
            api_tokens.c.created_at,
            api_tokens.c.last_used_at,
            api_tokens.c.revoked_at,
        )
        .join(users, users.c.id == api_tokens.c.user_id)
        .order_by(api_tokens.c.id)
    )
    if user_id is not None:
        q = q.where(api_tokens.c.user_id == user_id)
    return [dict(r._mapping) for r in conn.execute(q)]


def revoke_token(conn: Connection, token_id: int, at: datetime) -> bool:
    result = conn.execute(
        update(api_tokens)
        .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=at)
    )
    return bool(result.rowcount)


# -- sessions --------------------------------------------------------------------------------------


def add_session(
    conn: Connection, *, cookie: str, user_id: int, csrf: str, at: datetime, expires: datetime
) -> None:
    conn.execute(
        insert(web_sessions).values(
            id=digest(cookie), user_id=user_id, csrf_token=csrf, created_at=at, expires_at=expires
        )
    )


def session(conn: Connection, cookie: str, now: datetime) -> dict[str, Any] | None:
    row = conn.execute(select(web_sessions).where(web_sessions.c.id == digest(cookie))).first()
    if row is None:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=now.tzinfo)
    if expires <= now:
        return None
    return dict(row._mapping)


def end_session(conn: Connection, cookie: str) -> None:
    conn.execute(delete(web_sessions).where(web_sessions.c.id == digest(cookie)))


def end_sessions_of(conn: Connection, user_id: int) -> None:
    conn.execute(delete(web_sessions).where(web_sessions.c.user_id == user_id))


def prune_sessions(conn: Connection, now: datetime) -> None:
    conn.execute(delete(web_sessions).where(web_sessions.c.expires_at <= now))


# -- login failures --------------------------------------------------------------------------------


def record_failure(conn: Connection, username: str, client: str, at: datetime) -> None:
    conn.execute(insert(login_failures).values(username=username[:100], client=client[:100], at=at))


def failures_since(
    conn: Connection, *, username: str, client: str, since: datetime
) -> tuple[int, int]:
    """Failed logins since a time: (for this username, from this client)."""
    by_user = conn.execute(
        select(func.count()).where(
            login_failures.c.username == username, login_failures.c.at > since
        )
    ).scalar_one()
    by_client = conn.execute(
        select(func.count()).where(login_failures.c.client == client, login_failures.c.at > since)
    ).scalar_one()
    return int(by_user), int(by_client)


def clear_failures(conn: Connection, username: str) -> None:
    conn.execute(delete(login_failures).where(login_failures.c.username == username))

"""Account use cases: users and roles, case access, API tokens, logins and sessions.

Passwords are hashed with argon2id (argon2-cffi's defaults: RFC 9106's second recommended
profile); a hash made with older parameters is upgraded at the next login. Logins are
rate-limited per account and per client address (failures are kept in the database, so every
server process sees them). A session is a random cookie whose SHA-256 is stored with the
session's CSRF token; an API token is a random ``wb_…`` string shown once.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from watchboard.errors import NotFoundError, WatchboardError
from watchboard.store import Store
from watchboard.store import accounts as q
from watchboard.store import assessment as audit_q
from watchboard.store import cases as case_q

ROLES = q.ROLES
MIN_PASSWORD = 10
SESSION_HOURS = 12
#: Failed logins allowed in WINDOW per account and per client before logins are refused.
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_CLIENT = 20
WINDOW = timedelta(minutes=15)

_hasher = PasswordHasher()


class LoginError(WatchboardError):
    """Wrong user name or password (deliberately not saying which)."""


class RateLimited(WatchboardError):
    """Too many failed logins; try again later."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Principal:
    """Who is asking: a user, how they authenticated, and what they may see."""

    user_id: int
    username: str
    role: str
    case_ids: frozenset[int] | None  # None: every case (admins)
    via: str  # "session" or "token"
    csrf: str | None = None  # the session's CSRF token

    def can_open(self, case_id: int) -> bool:
        return self.case_ids is None or case_id in self.case_ids

    @property
    def can_change(self) -> bool:
        return self.role in ("analyst", "admin")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise WatchboardError(f"the password must have at least {MIN_PASSWORD} characters")


def add_user(
    store: Store,
    username: str,
    password: str,
    *,
    role: str = "viewer",
    cases: Sequence[str] = (),
    display_name: str | None = None,
    actor: str = "cli",
) -> int:
    username = username.strip()
    if not username or len(username) > 100 or any(c.isspace() for c in username):
        raise WatchboardError(f"user name {username!r}: 1-100 characters without spaces")
    check_password(password)
    hashed = _hasher.hash(password)
    now = _now()
    with store.transaction() as conn:
        user_id = q.add_user(
            conn,
            username=username,
            password_hash=hashed,
            role=role,
            display_name=display_name,
            at=now,
        )
        q.set_access(conn, user_id, _case_ids(conn, cases))
        audit_q.audit(
            conn,
            actor=actor,
            action="user.add",
            target=username,
            before=None,
            after={"role": role, "cases": sorted(cases)},
            reason=None,
            at=now,
        )
    return user_id


def _case_ids(conn: Any, slugs: Sequence[str]) -> list[int]:
    ids = []
    for slug in slugs:
        case_id = case_q.find_id(conn, slug)
        if case_id is None:
            raise NotFoundError(f"no case {slug!r} (see 'watchboard case list')")
        ids.append(case_id)
    return ids


def update_user(
    store: Store,
    username: str,
    *,
    role: str | None = None,
    cases: Sequence[str] | None = None,
    password: str | None = None,
    disabled: bool | None = None,
    actor: str = "cli",
) -> dict[str, Any]:
    now = _now()
    with store.transaction() as conn:
        row = q.user(conn, username)
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        values: dict[str, Any] = {}
        if role is not None and role != row["role"]:
            if role not in ROLES:
                raise WatchboardError(f"role {role!r} is not one of: {', '.join(ROLES)}")
            before["role"], after["role"] = row["role"], role
            values["role"] = role
        if disabled is not None and disabled != row["disabled"]:
            before["disabled"], after["disabled"] = row["disabled"], disabled
            values["disabled"] = disabled
        if password is not None:
            check_password(password)
            values["password_hash"] = _hasher.hash(password)
            after["password"] = "changed"
        if values:
            q.update_user(conn, row["id"], **values)
        if (values.get("role", row["role"]) != "admin" or values.get("disabled")) and (
            row["role"] == "admin" and q.count_admins(conn) == 0
        ):
            raise WatchboardError("refused: this would leave no active admin")
        if cases is not None:
            old = sorted(q.access_map(conn).get(row["id"], set()))
            q.set_access(conn, row["id"], _case_ids(conn, cases))
            if old != sorted(cases):
                before["cases"], after["cases"] = old, sorted(cases)
        if "password_hash" in values or values.get("disabled"):
            q.end_sessions_of(conn, row["id"])
        if after:
            audit_q.audit(
                conn,
                actor=actor,
                action="user.update",
                target=username,
                before=before or None,
                after=after,
                reason=None,
                at=now,
            )
    return after


def list_users(store: Store) -> list[dict[str, Any]]:
    with store.reading() as conn:
        return q.list_users(conn)


def new_token(store: Store, username: str, name: str, *, actor: str = "cli") -> str:
    token = "wb_" + secrets.token_urlsafe(32)
    now = _now()
    with store.transaction() as conn:
        row = q.user(conn, username)
        q.add_token(conn, row["id"], name, token, now)
        audit_q.audit(
            conn,
            actor=actor,
            action="token.add",
            target=username,
            before=None,
            after={"name": name},
            reason=None,
            at=now,
        )
    return token


def list_tokens(store: Store, username: str | None = None) -> list[dict[str, Any]]:
    with store.reading() as conn:
        user_id = q.user(conn, username)["id"] if username else None
        return q.tokens(conn, user_id)


def revoke_token(store: Store, token_id: int, *, actor: str = "cli") -> None:
    now = _now()
    with store.transaction() as conn:
        if not q.revoke_token(conn, token_id, now):
            raise NotFoundError(f"no live token {token_id} (see 'watchboard user tokens')")
        audit_q.audit(
            conn,
            actor=actor,
            action="token.revoke",
            target=str(token_id),
            before=None,
            after={"revoked": True},
            reason=None,
            at=now,
        )


# -- logins and sessions ---------------------------------------------------------------------------


def login(store: Store, username: str, password: str, *, client: str) -> dict[str, Any]:
    """Check a password (rate-limited); return the user row. Raises LoginError/RateLimited."""
    now = _now()
    with store.reading() as conn:
        by_user, by_client = q.failures_since(
            conn, username=username, client=client, since=now - WINDOW
        )
    if by_user >= MAX_FAILURES_PER_USER or by_client >= MAX_FAILURES_PER_CLIENT:
        raise RateLimited(
            "too many failed logins; wait 15 minutes and try again",
            retry_after=int(WINDOW.total_seconds()),
        )
    with store.reading() as conn:
        try:
            row: dict[str, Any] | None = q.user(conn, username)
        except NotFoundError:
            row = None
    ok = False
    if row is not None and not row["disabled"]:
        try:
            ok = _hasher.verify(row["password_hash"], password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
    else:
        # Spend the same time as a real check, so timing does not reveal which names exist.
        with contextlib.suppress(VerifyMismatchError, VerificationError, InvalidHashError):
            _hasher.verify(_dummy_hash(), password)
    with store.transaction() as conn:
        if not ok:
            q.record_failure(conn, username, client, now)
        else:
            assert row is not None
            values: dict[str, Any] = {"last_login_at": now}
            if _hasher.check_needs_rehash(row["password_hash"]):
                values["password_hash"] = _hasher.hash(password)
            q.update_user(conn, row["id"], **values)
            q.clear_failures(conn, username)
    if not ok or row is None:
        raise LoginError("wrong user name or password")
    return row


@cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def open_session(store: Store, user_id: int) -> tuple[str, str, datetime]:
    """A new session: (cookie value, CSRF token, expiry)."""
    cookie = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = _now()
    expires = now + timedelta(hours=SESSION_HOURS)
    with store.transaction() as conn:
        q.prune_sessions(conn, now)
        q.add_session(conn, cookie=cookie, user_id=user_id, csrf=csrf, at=now, expires=expires)
    return cookie, csrf, expires


def close_session(store: Store, cookie: str) -> None:
    with store.transaction() as conn:
        q.end_session(conn, cookie)


def _principal(conn: Any, user_id: int, via: str, csrf: str | None) -> Principal | None:
    row = q.user_by_id(conn, user_id)
    if row is None or row["disabled"]:
        return None
    cases = None if row["role"] == "admin" else frozenset(q.case_ids_for(conn, user_id))
    return Principal(user_id, row["username"], row["role"], cases, via, csrf)


def session_principal(store: Store, cookie: str) -> Principal | None:
    with store.reading() as conn:
        found = q.session(conn, cookie, _now())
        if found is None:
            return None
        return _principal(conn, found["user_id"], "session", found["csrf_token"])


def token_principal(store: Store, token: str) -> Principal | None:
    with store.reading() as conn:
        found = q.token_user(conn, token)
        if found is None:
            return None
        principal = _principal(conn, found[1], "token", None)
    now = _now()
    # Record use at most once a minute: a write per request would serialise readers.
    if principal is not None and (
        found[2] is None or now - _aware(found[2]) > timedelta(minutes=1)
    ):
        with store.transaction() as conn:
            q.touch_token(conn, found[0], now)
    return principal

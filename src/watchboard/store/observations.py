"""Indicator queries: observations (with provenance), series, detected changes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from watchboard.errors import NotFoundError
from watchboard.model.observation import Observation
from watchboard.store.schema import indicator_changes, indicators, observations

CHUNK = 2000


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def indicator_rows(conn: Connection, case_id: int) -> list[dict[str, Any]]:
    counted = conn.execute(
        select(observations.c.indicator_key, func.count())
        .where(observations.c.case_id == case_id)
        .group_by(observations.c.indicator_key)
    )
    counts = {key: int(n) for key, n in counted}
    q = select(indicators).where(indicators.c.case_id == case_id).order_by(indicators.c.id)
    rows = []
    for r in conn.execute(q):
        row = dict(r._mapping)
        row["observations"] = int(counts.get(row["key"], 0))
        rows.append(row)
    return rows


def indicator(conn: Connection, case_id: int, key: str) -> dict[str, Any]:
    row = conn.execute(
        select(indicators).where(indicators.c.case_id == case_id, indicators.c.key == key)
    ).first()
    if row is None:
        raise NotFoundError(f"no indicator {key!r} in this case (see 'watchboard indicators')")
    return dict(row._mapping)


def existing(
    conn: Connection, case_id: int, indicator_key: str
) -> dict[tuple[str, datetime], tuple[int, float | None]]:
    q = select(
        observations.c.id, observations.c.site_key, observations.c.time, observations.c.value
    ).where(observations.c.case_id == case_id, observations.c.indicator_key == indicator_key)
    return {(r.site_key, _aware(r.time)): (r.id, r.value) for r in conn.execute(q)}


def insert_observations(
    conn: Connection,
    case_id: int,
    indicator_key: str,
    items: Sequence[Observation],
    *,
    file_sha256: str | None,
    now: datetime,
) -> None:
    rows = [
        {
            "case_id": case_id,
            "indicator_key": indicator_key,
            "site_key": o.site or "",
            "time": o.time,
            "value": o.value,
            "unit": o.unit,
            "period": o.period,
            "quality": o.quality,
            "source": o.source or "file",
            "ref": o.ref,
            "file_sha256": file_sha256,
            "extra": o.extra,
            "imported_at": now,
        }
        for o in items
    ]
    for i in range(0, len(rows), CHUNK):
        conn.execute(insert(observations), rows[i : i + CHUNK])


def replace_values(
    conn: Connection, changes: Sequence[tuple[int, Observation]], now: datetime
) -> None:
    for row_id, o in changes:
        conn.execute(
            update(observations)
            .where(observations.c.id == row_id)
            .values(value=o.value, quality=o.quality, ref=o.ref, extra=o.extra, imported_at=now)
        )


def series(
    conn: Connection,
    case_id: int,
    indicator_key: str,
    *,
    site: str | None = None,
    until: datetime | None = None,
) -> list[dict[str, Any]]:
    q = select(observations).where(
        observations.c.case_id == case_id, observations.c.indicator_key == indicator_key
    )
    if site is not None:
        q = q.where(observations.c.site_key == site)
    if until is not None:
        q = q.where(observations.c.time <= until)
    rows = [dict(r._mapping) for r in conn.execute(q.order_by(observations.c.time))]
    for row in rows:
        row["time"] = _aware(row["time"])
    return rows


def sync_changes(
    conn: Connection,
    case_id: int,
    indicator_key: str,
    rows: Sequence[dict[str, Any]],
    now: datetime,
) -> list[str]:
    """Store the detector's current changes for an indicator; return ids found the first time.
    Changes no longer found stay, marked inactive (an analyst may have linked them)."""
    known = {
        r.id: r.active
        for r in conn.execute(
            select(indicator_changes.c.id, indicator_changes.c.active).where(
                indicator_changes.c.case_id == case_id,
                indicator_changes.c.indicator_key == indicator_key,
            )
        )
    }
    current = {r["id"] for r in rows}
    new = [r for r in rows if r["id"] not in known]
    if new:
        conn.execute(
            insert(indicator_changes),
            [{**r, "case_id": case_id, "detected_at": now, "active": True} for r in new],
        )
    for change_id, active in known.items():
        if active != (change_id in current):
            conn.execute(
                update(indicator_changes)
                .where(indicator_changes.c.id == change_id)
                .values(active=change_id in current)
            )
    return [r["id"] for r in new]


def changes(
    conn: Connection, case_id: int, *, indicator_key: str | None = None, active_only: bool = True
) -> list[dict[str, Any]]:
    q = select(indicator_changes).where(indicator_changes.c.case_id == case_id)
    if indicator_key is not None:
        q = q.where(indicator_changes.c.indicator_key == indicator_key)
    if active_only:
        q = q.where(indicator_changes.c.active.is_(True))
    rows = [dict(r._mapping) for r in conn.execute(q.order_by(indicator_changes.c.time))]
    for row in rows:
        row["time"] = _aware(row["time"])
    return rows


def change(conn: Connection, ref: str) -> dict[str, Any]:
    rows = list(
        conn.execute(
            select(indicator_changes).where(indicator_changes.c.id.like(f"{ref}%")).limit(2)
        )
    )
    if len(ref) < 4 or not rows:
        raise NotFoundError(f"no detected change {ref!r} (see 'watchboard detect')")
    if len(rows) > 1:
        raise NotFoundError(f"change {ref!r} is ambiguous; give more characters")
    return dict(rows[0]._mapping)


def link_change(conn: Connection, change_id: str, milestone_key: str | None) -> None:
    conn.execute(
        update(indicator_changes)
        .where(indicator_changes.c.id == change_id)
        .values(milestone_key=milestone_key)
    )


def linked_changes(conn: Connection, case_id: int) -> list[dict[str, Any]]:
    q = select(indicator_changes).where(
        indicator_changes.c.case_id == case_id, indicator_changes.c.milestone_key.is_not(None)
    )
    return [dict(r._mapping) for r in conn.execute(q)]

"""Case queries: a case and its declared sites, milestones, indicators and hypotheses."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, func, select

from watchboard.model import Case, Site
from watchboard.store import sources as source_queries
from watchboard.store.schema import (
    case_sources,
    cases,
    documents,
    hypotheses,
    indicators,
    milestones,
    sites,
)


def save(conn: Connection, case: Case, *, file_sha256: str | None) -> int:
    """Insert or replace a case and everything it declares; return the case id.

    Declared parts (sites, milestones from the case file, indicators, hypotheses) are replaced
    as a whole, so the database matches the file; suggested milestones and documents are kept.
    """
    values = {
        "title": case.title,
        "question": case.question,
        "region": case.region,
        "start_date": case.start,
        "end_date": case.end,
        "description": case.description,
        "file_sha256": file_sha256,
        "loaded_at": datetime.now(UTC),
    }
    case_id = conn.execute(select(cases.c.id).where(cases.c.slug == case.slug)).scalar()
    if case_id is None:
        inserted = conn.execute(cases.insert().values(slug=case.slug, **values))
        case_id = inserted.inserted_primary_key[0]  # type: ignore[index]
    else:
        conn.execute(cases.update().where(cases.c.id == case_id).values(**values))
        for table in (sites, indicators, hypotheses, case_sources):
            conn.execute(delete(table).where(table.c.case_id == case_id))
        conn.execute(
            delete(milestones).where(
                (milestones.c.case_id == case_id) & (milestones.c.origin == "case")
            )
        )
    origin = f"case:{case.slug}"[:30]
    for source in case.sources:
        source_id = source_queries.upsert(conn, source, origin=origin)
        conn.execute(case_sources.insert().values(case_id=case_id, source_id=source_id))
    if case.sites:
        conn.execute(
            sites.insert(),
            [
                {
                    "case_id": case_id,
                    "key": s.id,
                    "name": s.name,
                    "aliases": list(s.aliases),
                    "kind": s.kind,
                    "lat": s.lat,
                    "lon": s.lon,
                    "polygon": s.polygon,
                    "geonames_id": s.geonames_id,
                    "country": s.country,
                    "notes": s.notes,
                }
                for s in case.sites
            ],
        )
    if case.milestones:
        conn.execute(
            milestones.insert(),
            [
                {
                    "case_id": case_id,
                    "key": m.id,
                    "title": m.title,
                    "due_start": m.due_start,
                    "due_end": m.due_end,
                    "site_key": m.site,
                    "description": m.description,
                    "event_type": m.event_type,
                    "origin": "case",
                }
                for m in case.milestones
            ],
        )
    if case.indicators:
        conn.execute(
            indicators.insert(),
            [
                {
                    "case_id": case_id,
                    "key": i.id,
                    "name": i.name,
                    "unit": i.unit,
                    "site_key": i.site,
                    "region": i.region,
                    "expected_direction": i.expected_direction,
                    "expected_by": i.expected_by,
                    "detector": i.detector,
                    "detector_params": dict(i.detector_params),
                    "description": i.description,
                }
                for i in case.indicators
            ],
        )
    if case.hypotheses:
        conn.execute(
            hypotheses.insert(),
            [{"case_id": case_id, "key": h.id, "text": h.text} for h in case.hypotheses],
        )
    return int(case_id)


def all_sites(conn: Connection) -> list[Site]:
    """Every case's sites, as model objects (for gazetteers and matching)."""
    return [
        Site(
            id=row.key,
            name=row.name,
            aliases=tuple(row.aliases or ()),
            kind=row.kind,
            lat=row.lat,
            lon=row.lon,
            polygon=row.polygon,
            geonames_id=row.geonames_id,
            country=row.country,
            notes=row.notes,
        )
        for row in conn.execute(select(sites).order_by(sites.c.case_id, sites.c.key))
    ]


def find_id(conn: Connection, slug: str) -> int | None:
    return conn.execute(select(cases.c.id).where(cases.c.slug == slug)).scalar()


def only_case_id(conn: Connection) -> int | None:
    """The id of the workspace's case when it holds exactly one, else ``None``."""
    ids = list(conn.execute(select(cases.c.id).limit(2)).scalars())
    return ids[0] if len(ids) == 1 else None


def slugs(conn: Connection) -> dict[int, str]:
    """Every case's slug by id."""
    return {row.id: row.slug for row in conn.execute(select(cases.c.id, cases.c.slug))}


def summaries(conn: Connection) -> list[dict[str, Any]]:
    """Every case with the number of each kind of declared thing and of documents."""
    out = []
    for row in conn.execute(select(cases).order_by(cases.c.slug)):
        counts = {
            name: conn.execute(
                select(func.count()).select_from(table).where(table.c.case_id == row.id)
            ).scalar_one()
            for name, table in (
                ("sources", case_sources),
                ("sites", sites),
                ("milestones", milestones),
                ("indicators", indicators),
                ("hypotheses", hypotheses),
                ("documents", documents),
            )
        }
        out.append(
            {
                "slug": row.slug,
                "title": row.title,
                "question": row.question,
                "region": row.region,
                "start": row.start_date.isoformat() if row.start_date else None,
                "end": row.end_date.isoformat() if row.end_date else None,
                "loaded_at": row.loaded_at.isoformat(),
                **counts,
            }
        )
    return out


def details(conn: Connection, slug: str) -> dict[str, Any] | None:
    """A case with its declared parts, as plain data."""
    case_id = find_id(conn, slug)
    if case_id is None:
        return None
    summary = next(s for s in summaries(conn) if s["slug"] == slug)

    def rows(table: Any) -> list[dict[str, Any]]:
        result = conn.execute(select(table).where(table.c.case_id == case_id).order_by(table.c.key))
        return [
            {
                k: (v.isoformat() if hasattr(v, "isoformat") else v)
                for k, v in row._mapping.items()
                if k not in ("id", "case_id")
            }
            for row in result
        ]

    return {
        **summary,
        "sites": rows(sites),
        "milestones": rows(milestones),
        "indicators": rows(indicators),
        "hypotheses": rows(hypotheses),
    }

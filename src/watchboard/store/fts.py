"""Full-text search behind one interface: SQLite FTS5 or PostgreSQL tsvector.

Queries use web-search syntax on both backends: words (all must match), ``"a phrase"``,
``OR`` between alternatives and ``-word`` to exclude. PostgreSQL parses it natively
(``websearch_to_tsquery``); for FTS5 it is translated here, quoting every term so that user
input can never be a syntax error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

SQLITE_DDL = (
    "CREATE VIRTUAL TABLE document_fts USING fts5("
    "title, body, tokenize = 'porter unicode61 remove_diacritics 2')"
)

# The text indexed by PostgreSQL is capped: a tsvector may not exceed 1 MB.
POSTGRES_DDL = (
    "ALTER TABLE document_versions ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, left(text, 200000)), 'B')) STORED",
    "CREATE INDEX ix_versions_tsv ON document_versions USING gin (tsv)",
)

# Claims' quotes, for the API's and the pages' word search. SQLite: an FTS5 table holding
# each quote with its claim id, kept in step with ``claims`` by triggers; the rowid of each
# entry is remembered per claim (``claim_fts_rows``) so a deleted claim's entry is found by
# key, and nothing depends on ``claims``' implicit rowids (VACUUM may renumber those).
# PostgreSQL: a generated tsvector column with a GIN index.
CLAIM_SQLITE_DDL = (
    "CREATE VIRTUAL TABLE claim_fts USING fts5("
    "quote, claim_id UNINDEXED, tokenize = 'porter unicode61 remove_diacritics 2')",
    "CREATE TABLE claim_fts_rows (claim_id VARCHAR(16) PRIMARY KEY, fts_rowid INTEGER NOT NULL)",
    "CREATE TRIGGER claims_fts_insert AFTER INSERT ON claims BEGIN "
    "INSERT INTO claim_fts(quote, claim_id) VALUES (new.quote, new.id); "
    "INSERT OR REPLACE INTO claim_fts_rows(claim_id, fts_rowid) "
    "VALUES (new.id, last_insert_rowid()); END",
    "CREATE TRIGGER claims_fts_delete AFTER DELETE ON claims BEGIN "
    "DELETE FROM claim_fts WHERE rowid = "
    "(SELECT fts_rowid FROM claim_fts_rows WHERE claim_id = old.id); "
    "DELETE FROM claim_fts_rows WHERE claim_id = old.id; END",
    "CREATE TRIGGER claims_fts_update AFTER UPDATE OF quote ON claims BEGIN "
    "DELETE FROM claim_fts WHERE rowid = "
    "(SELECT fts_rowid FROM claim_fts_rows WHERE claim_id = old.id); "
    "INSERT INTO claim_fts(quote, claim_id) VALUES (new.quote, new.id); "
    "INSERT OR REPLACE INTO claim_fts_rows(claim_id, fts_rowid) "
    "VALUES (new.id, last_insert_rowid()); END",
)
CLAIM_POSTGRES_DDL = (
    "ALTER TABLE claims ADD COLUMN quote_tsv tsvector GENERATED ALWAYS AS "
    "(to_tsvector('english'::regconfig, quote)) STORED",
    "CREATE INDEX ix_claims_quote_tsv ON claims USING gin (quote_tsv)",
)

_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Hit:
    document_id: str
    version_id: int
    rank: float
    snippet: str


def create(conn: Connection) -> None:
    """Create the full-text index for the connection's dialect."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(SQLITE_DDL)
    else:
        for statement in POSTGRES_DDL:
            conn.exec_driver_sql(statement)


def create_claim_index(conn: Connection) -> None:
    """Create the claims' full-text index and fill it from the claims already stored."""
    if conn.dialect.name == "sqlite":
        for statement in CLAIM_SQLITE_DDL:
            conn.exec_driver_sql(statement)
        rows = conn.exec_driver_sql("SELECT id, quote FROM claims ORDER BY id").fetchall()
        for claim_id, quote in rows:
            conn.exec_driver_sql(
                "INSERT INTO claim_fts(quote, claim_id) VALUES (?, ?)", (quote, claim_id)
            )
            conn.exec_driver_sql(
                "INSERT INTO claim_fts_rows(claim_id, fts_rowid) VALUES (?, last_insert_rowid())",
                (claim_id,),
            )
    else:
        for statement in CLAIM_POSTGRES_DDL:
            conn.exec_driver_sql(statement)


def claims_matching(conn: Connection, query: str) -> Any | None:
    """A condition on ``claims`` keeping those whose quote matches a web-search query (words,
    "phrases", OR, -word); None when the query has no words."""
    from sqlalchemy import bindparam, literal_column

    from watchboard.store.schema import claims

    query = query.replace("\x00", " ")
    if conn.dialect.name == "sqlite":
        match = to_fts5(query)
        if not match:
            return None
        ids = text("SELECT claim_id FROM claim_fts WHERE claim_fts MATCH :claim_q").bindparams(
            bindparam("claim_q", match)
        )
        return claims.c.id.in_(ids.columns(claim_id=claims.c.id.type))
    if not _WORD.search(query):
        return None
    return literal_column("claims.quote_tsv").op("@@")(
        text("websearch_to_tsquery('english', :claim_q)").bindparams(bindparam("claim_q", query))
    )


def index_many(conn: Connection, rows: list[tuple[int, str | None, str]]) -> None:
    """Index many versions at once: (version id, title, body)."""
    if rows and conn.dialect.name == "sqlite":
        conn.execute(
            text("INSERT INTO document_fts(rowid, title, body) VALUES (:id, :title, :body)"),
            [{"id": vid, "title": title or "", "body": body} for vid, title, body in rows],
        )


def unindex_many(conn: Connection, version_ids: list[int]) -> None:
    if version_ids and conn.dialect.name == "sqlite":
        conn.execute(
            text("DELETE FROM document_fts WHERE rowid = :id"),
            [{"id": vid} for vid in version_ids],
        )


def to_fts5(query: str) -> str:
    """Translate web-search syntax into an FTS5 query that cannot be a syntax error."""
    groups: list[list[str]] = [[]]
    negatives: list[str] = []
    for neg, phrase, word in _TOKEN.findall(query):
        if word == "OR":
            groups.append([])
            continue
        negate = bool(neg) or (word.startswith("-") and len(word) > 1)
        raw = phrase if phrase else word.lstrip("-") if negate else word
        terms = _WORD.findall(raw)
        if not terms:
            continue
        quoted = '"' + " ".join(terms) + '"'
        (negatives if negate else groups[-1]).append(quoted)
    alternatives = [" AND ".join(g) for g in groups if g]
    if not alternatives:
        return ""
    positive = " OR ".join(f"({a})" for a in alternatives)
    if negatives:
        return f"({positive}) NOT ({' OR '.join(negatives)})"
    return positive


def search(conn: Connection, query: str, *, limit: int, case_id: int | None = None) -> list[Hit]:
    """Ranked hits over current document versions, best first, with a highlighted snippet."""
    query = query.replace("\x00", " ")  # PostgreSQL rejects NUL in any string
    if conn.dialect.name == "sqlite":
        match = to_fts5(query)
        if not match:
            return []
        sql = (
            "SELECT v.document_id, v.id, bm25(document_fts, 5.0, 1.0) AS rank, "
            "snippet(document_fts, 1, '[', ']', ' … ', 16) "
            "FROM document_fts JOIN document_versions v ON v.id = document_fts.rowid "
            "JOIN documents d ON d.id = v.document_id "
            "WHERE document_fts MATCH :q"
            + (" AND d.case_id = :case_id" if case_id is not None else "")
            + " ORDER BY rank LIMIT :limit"
        )
        rows = conn.execute(text(sql), {"q": match, "limit": limit, "case_id": case_id})
        return [Hit(r[0], r[1], -float(r[2]), r[3]) for r in rows]
    sql = (
        "SELECT v.document_id, v.id, ts_rank_cd(v.tsv, q) AS rank, "
        "ts_headline('english', left(v.text, 200000), q, "
        "'StartSel=[, StopSel=], MaxWords=24, MinWords=8, MaxFragments=2, "
        'FragmentDelimiter=" … "\') '
        "FROM document_versions v JOIN documents d "
        "ON d.id = v.document_id AND d.current_version = v.version, "
        "websearch_to_tsquery('english', :q) q "
        "WHERE v.tsv @@ q"
        + (" AND d.case_id = :case_id" if case_id is not None else "")
        + " ORDER BY rank DESC, v.id LIMIT :limit"
    )
    rows = conn.execute(text(sql), {"q": query, "limit": limit, "case_id": case_id})
    return [Hit(r[0], r[1], float(r[2]), r[3]) for r in rows]

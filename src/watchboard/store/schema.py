"""The current schema as SQLAlchemy Core tables: what queries are written against.

Migrations (``migrations.py``) bring a database to this shape; a test checks that a freshly
migrated database matches these definitions, so the two cannot drift apart silently.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

schema_migrations = Table(
    "schema_migrations",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("name", String(200), nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)

cases = Table(
    "cases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(100), nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("question", Text),
    Column("region", Text),
    Column("start_date", Date),
    Column("end_date", Date),
    Column("description", Text),
    Column("file_sha256", String(64)),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
)

sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("kind", String(30), nullable=False),
    Column("reliability", String(1), nullable=False),
    Column("aliases", JSON, nullable=False),
    Column("domains", JSON, nullable=False),
    Column("independence_group", String(200)),
    Column("notes", Text),
    Column("origin", String(30), nullable=False),  # "case:<slug>", "cli", "auto"
    Column("created_at", DateTime(timezone=True), nullable=False),
)

case_sources = Table(
    "case_sources",
    metadata,
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column("source_id", ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True),
)

sites = Table(
    "sites",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(100), nullable=False),
    Column("name", Text, nullable=False),
    Column("aliases", JSON, nullable=False),
    Column("kind", String(100)),
    Column("lat", Float),
    Column("lon", Float),
    Column("polygon", JSON),
    Column("geonames_id", BigInteger),
    Column("country", String(2)),
    Column("notes", Text),
    UniqueConstraint("case_id", "key"),
)

milestones = Table(
    "milestones",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(100), nullable=False),
    Column("title", Text, nullable=False),
    Column("due_start", Date),
    Column("due_end", Date),
    Column("site_key", String(100)),
    Column("description", Text),
    Column("origin", String(30), nullable=False),  # "case" or "suggested"
    Column("event_type", String(40)),  # migration 3
    UniqueConstraint("case_id", "key"),
)

indicators = Table(
    "indicators",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(100), nullable=False),
    Column("name", Text, nullable=False),
    Column("unit", String(100), nullable=False),
    Column("site_key", String(100)),
    Column("region", Text),
    Column("expected_direction", String(10)),
    Column("expected_by", Date),
    Column("detector", String(100)),
    Column("detector_params", JSON, nullable=False),
    Column("description", Text),
    UniqueConstraint("case_id", "key"),
)

hypotheses = Table(
    "hypotheses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(100), nullable=False),
    Column("text", Text, nullable=False),
    UniqueConstraint("case_id", "key"),
)

blobs = Table(
    "blobs",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("data", LargeBinary, nullable=False),
)

documents = Table(
    "documents",
    metadata,
    Column("id", String(16), primary_key=True),  # stable hash of the natural key
    Column("key", Text, nullable=False, unique=True),  # URL, path or content hash
    Column("case_id", ForeignKey("cases.id", ondelete="SET NULL")),
    Column("current_version", Integer, nullable=False),
    Column("cluster_id", String(16)),  # id of the cluster's first document
    Column("first_seen_at", DateTime(timezone=True), nullable=False),
    Index("ix_documents_cluster", "cluster_id"),
)

document_versions = Table(
    "document_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("blob_sha256", ForeignKey("blobs.sha256"), nullable=False),
    Column("text", Text, nullable=False),
    Column("text_sha256", String(64), nullable=False),
    Column("url", Text),
    Column("title", Text),
    Column("author", Text),
    Column("site_name", Text),
    Column("language", String(20)),
    Column("published_at", DateTime(timezone=True)),
    # The publisher's UTC offset in minutes, so the local date ("Friday" in Pyongyang) is kept.
    Column("published_offset", Integer),
    Column("retrieved_at", DateTime(timezone=True), nullable=False),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Column("source_id", ForeignKey("sources.id"), nullable=False),
    Column("source_match", String(100), nullable=False),  # how the source was matched
    Column("extractor", String(100), nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("encoding", String(40)),
    Column("origin", Text, nullable=False),  # the input as the user named it
    Column("word_count", Integer, nullable=False),
    Column("warnings", JSON, nullable=False),
    Column("minhash", LargeBinary),
    UniqueConstraint("document_id", "version"),
    Index("ix_versions_text_sha256", "text_sha256"),
    Index("ix_versions_published", "published_at"),
)

minhash_bands = Table(
    "minhash_bands",
    metadata,
    Column("band_hash", BigInteger, nullable=False),
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Index("ix_minhash_bands_hash", "band_hash"),
    Index("ix_minhash_bands_document", "document_id"),
)

# -- migration 2: extraction -------------------------------------------------------------------

extraction_runs = Table(
    "extraction_runs",
    metadata,
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("pipeline_version", String(32), nullable=False),
    Column("extracted_at", DateTime(timezone=True), nullable=False),
    Column("claims", Integer, nullable=False),
    Column("warnings", JSON, nullable=False),
)

claims = Table(
    "claims",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("quote", Text, nullable=False),
    Column("attribution", JSON, nullable=False),  # the chain, outermost first
    Column("asserted_by", Text, nullable=False),
    Column("source_identified", Boolean, nullable=False),
    Column("modality", String(20), nullable=False),
    Column("event_type", String(40)),
    Column("data", JSON, nullable=False),  # every field with spans and rules
    Column("pipeline_version", String(32), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # The document's case (migration 5), so a case's claims are read in id order by index.
    Column("case_id", Integer),
    Index("ix_claims_document", "document_id"),
    Index("ix_claims_case", "case_id", "id"),
    Index("ix_claims_event_type", "event_type"),
    Index("ix_claims_modality", "modality"),
    Index("ix_claims_asserted_by", "asserted_by"),
)

# -- migration 3: assessment -------------------------------------------------------------------

# Every change a person makes (regrading a source, overriding a claim's grade, accepting a
# milestone, linking evidence, acknowledging an alert), with before and after. Append-only:
# replaying a workspace as of a date applies only the entries made by then.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(60), nullable=False),  # "source.reliability", "claim.credibility" ...
    Column("case_id", ForeignKey("cases.id", ondelete="SET NULL")),
    Column("target", String(200), nullable=False),  # source name, claim id, milestone key ...
    Column("before", JSON),
    Column("after", JSON),
    Column("reason", Text),
    Index("ix_audit_target", "action", "target"),
)

# The current assessment of each claim (recomputed by 'watchboard assess').
assessments = Table(
    "assessments",
    metadata,
    Column("claim_id", ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True),
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("credibility", Integer, nullable=False),
    Column("rating", String(2), nullable=False),
    Column("rule", String(60), nullable=False),
    Column("match_group", String(16), nullable=False),
    Column("independent_groups", Integer, nullable=False),
    Column("data", JSON, nullable=False),  # features, origin, confirming, explanation
    Column("assessed_at", DateTime(timezone=True), nullable=False),
    Index("ix_assessments_case", "case_id"),
    Index("ix_assessments_credibility", "credibility"),
)

contradictions = Table(
    "contradictions",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("claim_a", String(16), nullable=False),
    Column("claim_b", String(16), nullable=False),
    Column("detail", Text, nullable=False),
    Column("a_text", Text, nullable=False),
    Column("b_text", Text, nullable=False),
    Column("first_seen_at", DateTime(timezone=True), nullable=False),
    Column("active", Boolean, nullable=False),
    Index("ix_contradictions_case", "case_id"),
)

anachronisms = Table(
    "anachronisms",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("claim_id", String(16), nullable=False),
    Column("document_id", String(16), nullable=False),
    Column("detail", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("first_seen_at", DateTime(timezone=True), nullable=False),
    Column("active", Boolean, nullable=False),
    Index("ix_anachronisms_case", "case_id"),
    Index("ix_anachronisms_document", "document_id"),
)

milestone_suggestions = Table(
    "milestone_suggestions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(100), nullable=False),
    Column("title", Text, nullable=False),
    Column("event_type", String(40), nullable=False),
    Column("due_start", Date, nullable=False),
    Column("due_end", Date, nullable=False),
    Column("site_key", String(100)),
    Column("claim_id", String(16), nullable=False),
    Column("quote", Text, nullable=False),
    Column("status", String(20), nullable=False),  # pending, accepted, rejected
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("case_id", "key"),
)

# Evidence an analyst linked to a milestone by hand (the audit log has the history).
milestone_links = Table(
    "milestone_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("milestone_key", String(100), nullable=False),
    Column("claim_id", String(16), nullable=False),
    Column("role", String(20), nullable=False),  # supports, contradicts
    Column("note", Text),
    Column("actor", String(200), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("case_id", "milestone_key", "claim_id"),
)

# The status each milestone had at the last stored assessment, to alert on changes.
milestone_status = Table(
    "milestone_status",
    metadata,
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column("milestone_key", String(100), primary_key=True),
    Column("status", String(20), nullable=False),
    Column("reason", Text, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("as_of", Date, nullable=False),
    Column("computed_at", DateTime(timezone=True), nullable=False),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", String(16), primary_key=True),  # hash of rule and subject: raised once
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("rule", String(60), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("data", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("acknowledged_at", DateTime(timezone=True)),
    Column("acknowledged_by", String(200)),
    Column("ack_note", Text),
    Index("ix_alerts_case", "case_id"),
)

# One row per alert and delivery channel; pending rows are retried with backoff.
alert_deliveries = Table(
    "alert_deliveries",
    metadata,
    Column("alert_id", ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True),
    Column("channel", String(100), primary_key=True),
    Column("status", String(20), nullable=False),  # pending, delivered, failed
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("last_error", Text),
    Column("delivered_at", DateTime(timezone=True)),
    Index("ix_alert_deliveries_status", "status", "next_attempt_at"),
)

# -- migration 4: indicators -------------------------------------------------------------------

# One value of one indicator at one time, with where it came from.
observations = Table(
    "observations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("indicator_key", String(100), nullable=False),
    Column("site_key", String(100), nullable=False),  # "" when not tied to a site
    Column("time", DateTime(timezone=True), nullable=False),
    Column("value", Float),
    Column("unit", String(100)),
    Column("period", String(20)),
    Column("quality", String(20)),
    Column("source", String(20), nullable=False),  # file, scene, trade, analyst
    Column("ref", Text, nullable=False),  # file and row, scene and site, trade rows
    Column("file_sha256", String(64)),
    Column("extra", JSON, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("case_id", "indicator_key", "site_key", "time"),
    Index("ix_observations_series", "case_id", "indicator_key", "time"),
)

# Changes found by an indicator's detector; an analyst may link one to a milestone.
indicator_changes = Table(
    "indicator_changes",
    metadata,
    Column("id", String(16), primary_key=True),  # hash of case, indicator, detector, time
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("indicator_key", String(100), nullable=False),
    Column("site_key", String(100), nullable=False),
    Column("time", DateTime(timezone=True), nullable=False),
    Column("detector", String(40), nullable=False),
    Column("direction", String(10), nullable=False),
    Column("magnitude", Float, nullable=False),
    Column("score", Float, nullable=False),
    Column("before", Float),
    Column("after", Float),
    Column("params", JSON, nullable=False),
    Column("detected_at", DateTime(timezone=True), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("milestone_key", String(100)),  # linked by an analyst as evidence
    Index("ix_indicator_changes_case", "case_id", "indicator_key"),
)

# -- migration 5: accounts ---------------------------------------------------------------------

# People who use the web workbench and the API. Roles: viewer (reads), analyst (reads and
# changes assessments), admin (everything, every case, accounts).
users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("display_name", Text),
    Column("password_hash", Text, nullable=False),  # argon2id
    Column("role", String(20), nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_login_at", DateTime(timezone=True)),
)

# Which cases a viewer or analyst may open (admins open every case).
case_access = Table(
    "case_access",
    metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
)

# Tokens for scripts: only a hash is kept; the token is shown once when created.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
)

# Browser sessions: the cookie holds a random token; only its hash is stored, with the
# session's CSRF token.
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", String(64), primary_key=True),  # sha256 of the cookie value
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_web_sessions_user", "user_id"),
)

# Failed logins, for rate limiting by account and by client address.
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(100), nullable=False),
    Column("client", String(100), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_login_failures_username", "username", "at"),
    Index("ix_login_failures_client", "client", "at"),
)

# Analysts' corrections of extracted claims. They are written into the claim (columns and
# data) and kept here too, so re-extracting a document re-applies them (the audit log has the
# history and reverts).
claim_corrections = Table(
    "claim_corrections",
    metadata,
    Column("claim_id", String(16), primary_key=True),
    Column("field", String(40), primary_key=True),
    Column("value", JSON),
    Column("original", JSON),  # what extraction gave, restored when the correction goes
    Column("actor", String(200), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

# Entity merges: an actor name folded into another (canonical) one for a case.
entity_merges = Table(
    "entity_merges",
    metadata,
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column("alias", String(200), primary_key=True),  # lower-case actor name
    Column("canonical", String(200), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

# Where and when each claim is, for filtering by bounding box and time interval (derived from
# ``claims.data`` when claims are stored; migration 5 fills them for older databases).
claim_places = Table(
    "claim_places",
    metadata,
    Column("claim_id", ForeignKey("claims.id", ondelete="CASCADE"), nullable=False),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("site_key", String(100)),
    Index("ix_claim_places_claim", "claim_id"),
    Index("ix_claim_places_lat_lon", "lat", "lon"),
)

claim_times = Table(
    "claim_times",
    metadata,
    Column("claim_id", ForeignKey("claims.id", ondelete="CASCADE"), nullable=False),
    Column("start", Date, nullable=False),
    Column("end", Date, nullable=False),  # exclusive
    Index("ix_claim_times_claim", "claim_id"),
    Index("ix_claim_times_start", "start"),
)

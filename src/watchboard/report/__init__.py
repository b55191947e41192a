"""Outputs for readers: briefs (HTML, PDF, Markdown), maps, and exports (STIX 2.1, GeoJSON,
CSV, JSON). Pure functions over plain data — a case snapshot (``store.snapshot``) and an
assessment — that return text or bytes; the jobs layer gathers the data and writes files."""

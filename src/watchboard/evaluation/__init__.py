"""Scoring extraction against annotated gold sets (TimeML, geoparsing XML, BRAT, quantities
JSON), with metrics comparable to published figures."""

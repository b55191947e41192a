"""Demonstration material shipped with Watchboard (the DPRK 2026 case and its reports)."""

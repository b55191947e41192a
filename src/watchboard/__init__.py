"""Watchboard: an open-source-intelligence workbench for tracking declared programmes."""

__version__ = "0.1.0"

"""The ASGI application factory for uvicorn (what ``watchboard serve`` runs):
``uvicorn --factory watchboard.web.main:build``. The workspace comes from
``$WATCHBOARD_WORKSPACE`` (default: the current directory)."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI

from watchboard.config import load_settings
from watchboard.web import create_app


def build() -> FastAPI:
    return create_app(
        load_settings(Path(os.environ.get("WATCHBOARD_WORKSPACE", "."))),
        secure_cookies=os.environ.get("WATCHBOARD_SECURE_COOKIES", "1") != "0",
    )

"""The Atom feed channel: the newest alerts as one RFC 4287 file, replaced atomically.

Feed readers poll the file (serve it with any web server); there is nothing to retry. Each
entry's id is ``urn:watchboard:alert:<id>``, so a reader shows an alert once however often the
feed is rewritten. The new feed is written to a temporary file beside the old one and moved
over it with ``os.replace``, so a reader never sees half a feed and a failed write leaves the
previous feed untouched.
"""

from __future__ import annotations

import os
import re
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from watchboard import __version__

from .channels import AtomChannel
from .message import AlertMessage, DeliveryError

ATOM = "http://www.w3.org/2005/Atom"
ET.register_namespace("", ATOM)

# Characters XML 1.0 cannot carry at all, even escaped (C0 controls, surrogates, U+FFFE/F).
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_PERMANENT = (PermissionError, FileNotFoundError, NotADirectoryError, IsADirectoryError)


def write_atom_feed(
    channel: AtomChannel, messages: Sequence[AlertMessage], *, updated: datetime
) -> None:
    """Write the feed of ``messages`` (the newest ``max_entries``, newest first) to the file.

    ``updated`` is the feed's own timestamp (timezone-aware): when its content last changed.
    """
    if updated.utcoffset() is None:
        raise ValueError("updated must be timezone-aware")
    if channel.max_entries < 1:
        raise ValueError(f"atom channel {channel.name}: max_entries must be at least 1")
    latest = {message.id: message for message in messages}.values()
    newest = sorted(latest, key=lambda m: (m.created_at, m.id), reverse=True)
    tree = ET.ElementTree(_feed(channel, newest[: channel.max_entries], updated))
    ET.indent(tree)
    try:
        _replace(channel.path, tree)
    except OSError as exc:
        reason = f"cannot write the feed ({exc.strerror or exc})"
        raise DeliveryError(
            f"atom feed {channel.name}",
            str(channel.path),
            reason,
            retryable=not isinstance(exc, _PERMANENT),
        ) from None


def _feed(channel: AtomChannel, messages: Sequence[AlertMessage], updated: datetime) -> ET.Element:
    feed = ET.Element(f"{{{ATOM}}}feed")
    _add(feed, "id", f"urn:watchboard:feed:{quote(channel.name, safe='')}")
    _add(feed, "title", channel.title)
    _add(feed, "updated", _timestamp(updated))
    _add(_add(feed, "author"), "name", "Watchboard")
    _add(feed, "generator", "Watchboard", version=__version__)
    for message in messages:
        entry = _add(feed, "entry")
        _add(entry, "id", f"urn:watchboard:alert:{quote(message.id, safe='')}")
        _add(entry, "title", f"{message.case}: {message.title}", type="text")
        _add(entry, "updated", _timestamp(message.created_at))
        _add(entry, "published", _timestamp(message.created_at))
        _add(entry, "category", term=message.rule, scheme="urn:watchboard:rule")
        _add(entry, "category", term=message.kind, scheme="urn:watchboard:kind")
        _add(entry, "category", term=message.case, scheme="urn:watchboard:case")
        if message.url:
            _add(entry, "link", rel="alternate", href=message.url)
        _add(entry, "content", message.body, type="text")
    return feed


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(
        parent, f"{{{ATOM}}}{tag}", {k: _NOT_XML.sub("", v) for k, v in attrs.items()}
    )
    if text is not None:
        element.text = _NOT_XML.sub("", text)
    return element


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _replace(path: Path, tree: ET.ElementTree) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            tree.write(handle, encoding="utf-8", xml_declaration=True)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private; a feed is meant to be read (e.g. by a web server).
        os.chmod(temporary, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise

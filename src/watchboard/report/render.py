"""Render a :class:`~watchboard.report.brief.Brief` with Jinja2 templates: HTML, PDF, Markdown.

Templates live in ``templates/`` (``brief.html.j2``, ``brief.css``, ``brief.md.j2`` and the
partials they include). A user's template folder is searched first, so overriding one file
(say ``brief.css`` for a house style, or ``brief.html.j2`` for another layout) keeps the rest.

The HTML is one self-contained file: the stylesheet is inlined, figures are SVG in ``data:``
URIs (each keeps its own ids, so two charts never clash), and nothing refers to a network
address. The PDF is that HTML through WeasyPrint with a URL fetcher that only accepts
``data:`` URIs, so a template that links anything external fails loudly instead of fetching.
Fonts come from the system (fontconfig): the stylesheet names Noto Sans CJK for Hangul and
other CJK text, installed from the OS packages (``fonts-noto-cjk``) by ``make``.
"""

from __future__ import annotations

import base64
import logging
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from watchboard.errors import WatchboardError
from watchboard.report.brief import Brief

log = logging.getLogger(__name__)

#: What a self-contained brief must never contain: an attribute or stylesheet that would make a
#: reader's browser (or WeasyPrint) fetch something — a link, image, frame, form, import or
#: url() to any address other than ``data:`` or a ``#fragment`` inside the page. Documents'
#: addresses are printed as plain text in the sources section, never as links.
NETWORK_ADDRESS = re.compile(
    r"""(?:\b(?:href|src|srcset|action|formaction|poster|data|background|xlink:href|ping)\s*=\s*"""
    r"""["']?\s*(?!data:|\#|["'])[^\s"'>]*"""
    r"""|url\(\s*(?!["']?\s*(?:data:|\#))|@import)""",
    re.IGNORECASE,
)


class TemplateError(WatchboardError):
    """A brief template that is missing or does not render."""


def environment(template_dir: Path | None = None, *, html: bool = True) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if template_dir is not None:
        if not template_dir.is_dir():
            raise TemplateError(f"{template_dir}: template folder does not exist")
        loaders.append(jinja2.FileSystemLoader(str(template_dir)))
    loaders.append(jinja2.PackageLoader("watchboard.report", "templates"))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cites"] = _cites_html if html else _cites_md
    env.filters["svg_uri"] = svg_data_uri
    env.filters["day"] = lambda d: d.strftime("%Y-%m-%d") if d else "unknown"
    env.filters["md"] = _md_cell
    env.globals["grade_class"] = _grade_class
    return env


def _cites_html(numbers: Any) -> Markup:
    if not numbers:
        return Markup("")
    links = ",".join(f'<a href="#fn-{int(n)}" id="ref-{int(n)}">{int(n)}</a>' for n in numbers)
    return Markup(f'<sup class="fn">{links}</sup>')


def _cites_md(numbers: Any) -> str:
    return "".join(f"[^{int(n)}]" for n in numbers or ())


def _md_cell(text: Any) -> str:
    """Text safe inside a Markdown table cell: no pipes or newlines breaking the row."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _grade_class(credibility: int | None) -> str:
    if credibility is None:
        return "g-none"
    return {1: "g-high", 2: "g-high", 3: "g-mid"}.get(int(credibility), "g-low")


def svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def render_html(brief: Brief, *, template_dir: Path | None = None) -> str:
    env = environment(template_dir, html=True)
    try:
        html = env.get_template("brief.html.j2").render(brief=brief, escape=escape)
    except jinja2.TemplateError as exc:
        raise TemplateError(f"brief template: {exc}") from exc
    found = NETWORK_ADDRESS.search(html)
    if found:
        start = max(0, found.start() - 40)
        raise TemplateError(
            "the brief would refer to a network address (briefs must be self-contained): "
            f"…{html[start : found.end() + 40]}…"
        )
    return html


def render_markdown(
    brief: Brief, *, template_dir: Path | None = None, figure_dir: str = "brief"
) -> tuple[str, dict[str, str]]:
    """Markdown text and its figures as SVG files (relative paths under ``figure_dir``-figures)."""
    folder = f"{figure_dir}-figures"
    files = {f"{folder}/{name}.svg": svg for name, svg in sorted(brief.figures.items())}
    env = environment(template_dir, html=False)
    try:
        text = env.get_template("brief.md.j2").render(brief=brief, figure_folder=folder)
    except jinja2.TemplateError as exc:
        raise TemplateError(f"brief template: {exc}") from exc
    return text, files


def render_pdf(brief: Brief, *, template_dir: Path | None = None) -> bytes:
    html = render_html(brief, template_dir=template_dir)
    return html_to_pdf(html)


def html_to_pdf(html: str) -> bytes:
    # WeasyPrint logs every CSS property it ignores at WARNING; keep our output clean.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    try:
        pdf = HTML(string=html, url_fetcher=fetcher).write_pdf()
    except FatalURLFetchingError as exc:
        raise TemplateError(f"the PDF would fetch a resource ({exc}); briefs are offline") from None
    assert pdf is not None
    return bytes(pdf)


def cjk_font_available() -> bool:
    """Whether fontconfig knows a font covering Korean (else Hangul prints as boxes)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    try:
        found = subprocess.run(
            [fc_list, ":lang=ko", "family"], capture_output=True, text=True, timeout=20
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return bool(found.strip())

"""The extraction pipeline: named components run in configured order over a ``Doc``.

After spaCy's ``Language``: a component is a callable ``Doc -> Doc`` made by a registered
factory; each declares the layers it requires and the layers it assigns, and the pipeline
checks at construction that every requirement is met by an earlier component. Built-in
components (``watchboard.extract.components``) are registered exactly as a plug-in would be;
third parties add theirs through the ``watchboard.components`` entry-point group (a module
that calls :func:`component` on import).

A component that fails on a document does not stop the others: its error becomes a warning
on the document and its layers stay empty (later components that need them see nothing).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import metadata, resources
from typing import Any

import yaml

from watchboard.errors import WatchboardError
from watchboard.model.extraction import Span

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "watchboard.components"


class PipelineError(WatchboardError):
    """A pipeline that cannot be built (unknown component, unmet requirement, bad config)."""


@dataclass
class Doc:
    """A text being analysed, with the layers components add to it."""

    text: str
    dct: datetime | date | None = None
    outlet: str | None = None
    document_id: str = ""
    version: int = 1
    layers: dict[str, Any] = field(default_factory=dict)
    produced_by: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def sentences(self) -> list[Span]:
        return list(self.layers.get("sentences", ()))


Component = Callable[[Doc], Doc]
Factory = Callable[[Mapping[str, Any], Mapping[str, Any]], Component]


@dataclass(frozen=True)
class ComponentSpec:
    """A registered component: how to make it and what it needs and gives."""

    name: str
    factory: Factory
    requires: tuple[str, ...]
    assigns: tuple[str, ...]
    version: str
    data_files: tuple[str, ...]  # package data that changes the output (hashed into versions)
    description: str


_REGISTRY: dict[str, ComponentSpec] = {}


def component(
    name: str,
    *,
    requires: Sequence[str] = (),
    assigns: Sequence[str] = (),
    version: str = "1",
    data_files: Sequence[str] = (),
) -> Callable[[Factory], Factory]:
    """Register a component factory under ``name`` (a decorator).

    The factory gets the component's config and the shared resources (e.g. a place resolver)
    and returns the ``Doc -> Doc`` callable. ``data_files`` are paths inside the
    ``watchboard.extract.data`` package whose contents are part of the component's version.
    """

    def register(factory: Factory) -> Factory:
        _REGISTRY[name] = ComponentSpec(
            name=name,
            factory=factory,
            requires=tuple(requires),
            assigns=tuple(assigns),
            version=version,
            data_files=tuple(data_files),
            description=(factory.__doc__ or "").strip().splitlines()[0] if factory.__doc__ else "",
        )
        return factory

    return register


_plugins_loaded = False


def registered() -> dict[str, ComponentSpec]:
    """Every known component: the built-ins and those of installed plug-ins."""
    global _plugins_loaded
    from watchboard.extract import components  # noqa: F401  (registers the built-ins)

    if not _plugins_loaded:
        _plugins_loaded = True
        for entry in metadata.entry_points(group=ENTRY_POINT_GROUP):
            try:
                entry.load()
            except Exception as error:  # a broken plug-in must not break the built-ins
                log.warning("component plug-in %s could not be loaded: %s", entry.name, error)
    return dict(_REGISTRY)


def default_order() -> list[str]:
    """The component order from ``extract/data/pipeline.yaml``."""
    data = yaml.safe_load(_data_bytes("pipeline.yaml"))
    return list(data["pipeline"])


def default_config() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(_data_bytes("pipeline.yaml"))
    return {k: dict(v or {}) for k, v in (data.get("config") or {}).items()}


def _data_bytes(name: str) -> bytes:
    return (resources.files("watchboard.extract") / "data" / name).read_bytes()


class Pipeline:
    """Components in order, checked for unmet requirements when built."""

    def __init__(
        self,
        names: Sequence[str] | None = None,
        *,
        config: Mapping[str, Mapping[str, Any]] | None = None,
        resources: Mapping[str, Any] | None = None,
    ) -> None:
        specs = registered()
        self.names = list(names) if names is not None else default_order()
        merged = default_config()
        for key, value in (config or {}).items():
            merged.setdefault(key, {}).update(value)
        available: set[str] = set()
        self.specs: list[ComponentSpec] = []
        for name in self.names:
            if name not in specs:
                known = ", ".join(sorted(specs))
                raise PipelineError(f"unknown component {name!r} (known: {known})")
            spec = specs[name]
            missing = [layer for layer in spec.requires if layer not in available]
            if missing:
                raise PipelineError(
                    f"component {name!r} requires {', '.join(missing)}, which no earlier "
                    "component assigns; reorder the pipeline or add the component"
                )
            available.update(spec.assigns)
            self.specs.append(spec)
        self.resources = dict(resources or {})
        self.config = merged
        self.components = [
            spec.factory(self.config.get(spec.name, {}), self.resources) for spec in self.specs
        ]
        self.version = self._version()

    def _version(self) -> str:
        """A hash of component names, versions, config and data files: a change re-extracts."""
        digest = hashlib.sha256()
        for spec in self.specs:
            digest.update(f"{spec.name}:{spec.version};".encode())
            digest.update(repr(sorted(self.config.get(spec.name, {}).items())).encode())
            for name in spec.data_files:
                digest.update(_data_bytes(name))
        for key in sorted(self.resources):
            fingerprint = getattr(self.resources[key], "fingerprint", None)
            if fingerprint:
                digest.update(f"{key}={fingerprint};".encode())
        return digest.hexdigest()[:16]

    def __call__(self, doc: Doc) -> Doc:
        for spec, run in zip(self.specs, self.components, strict=True):
            try:
                doc = run(doc)
            except Exception as error:  # one component's failure must not lose the rest
                log.exception("component %s failed on document %s", spec.name, doc.document_id)
                doc.warnings.append(
                    f"component {spec.name} failed: {error.__class__.__name__}: {error}"
                )
                for layer in spec.assigns:
                    doc.layers.setdefault(layer, [])
                continue
            for layer in spec.assigns:
                doc.produced_by.setdefault(layer, spec.name)
        return doc

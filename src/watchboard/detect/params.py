"""Detector parameters as data: names, kinds, ranges and documentation, checked in one place.

Each detector function declares its parameters as keyword arguments with defaults (the one
place the defaults live) and a :class:`Detector` built from it adds kinds, ranges and a line of
documentation per parameter. The same check runs when the function is called directly and
when a case file's ``detector: {name, params}`` goes through :func:`run_detector`.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from watchboard.detect.errors import DetectorParamError
from watchboard.model.observation import Change

#: What a parameter accepts: "number" (int or float), "int", "bool", "str" (one of ``choices``).
KINDS = ("number", "int", "bool", "str")

DetectorFunction = Callable[..., list[Change]]


@dataclass(frozen=True)
class Param:
    """One documented parameter of a detector."""

    name: str
    kind: str
    doc: str
    minimum: float | None = None  # inclusive
    above: float | None = None  # exclusive lower bound
    maximum: float | None = None  # inclusive
    choices: tuple[Any, ...] = ()
    optional: bool = False  # None is accepted
    default: Any = None  # filled from the function's signature

    def check(self, detector: str, value: Any) -> Any:
        """The value, normalised (ints given for floats become floats), or an error."""
        if value is None:
            if self.optional:
                return None
            raise DetectorParamError(detector, self.name, f"must be {self._expects()}, not null")
        if self.kind == "number":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise self._wrong(detector, value)
            value = float(value)
            if not math.isfinite(value):
                raise DetectorParamError(detector, self.name, f"must be finite, not {value}")
        elif self.kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise self._wrong(detector, value)
        elif self.kind == "bool":
            if not isinstance(value, bool):
                raise self._wrong(detector, value)
        elif self.kind == "str" and not isinstance(value, str):
            raise self._wrong(detector, value)
        if self.choices and value not in self.choices:
            raise DetectorParamError(
                detector,
                self.name,
                f"{value!r} is not one of {', '.join(repr(c) for c in self.choices)}",
            )
        if self.minimum is not None and value < self.minimum:
            raise DetectorParamError(detector, self.name, f"must be >= {self.minimum}, not {value}")
        if self.above is not None and value <= self.above:
            raise DetectorParamError(detector, self.name, f"must be > {self.above}, not {value}")
        if self.maximum is not None and value > self.maximum:
            raise DetectorParamError(detector, self.name, f"must be <= {self.maximum}, not {value}")
        return value

    def _expects(self) -> str:
        kind = {"number": "a number", "int": "an integer", "bool": "true or false"}.get(
            self.kind, "a string"
        )
        return kind + (" or null" if self.optional else "")

    def _wrong(self, detector: str, value: Any) -> DetectorParamError:
        return DetectorParamError(
            detector, self.name, f"must be {self._expects()}, not {type(value).__name__} {value!r}"
        )


@dataclass(frozen=True)
class Detector:
    """A registered detector: its function, documented parameters and accepted aliases."""

    name: str
    function: DetectorFunction
    params: dict[str, Param]
    summary: str
    aliases: dict[str, str] = field(default_factory=dict)  # alias -> parameter name
    check: Callable[[dict[str, Any]], str | None] | None = None  # cross-parameter check

    @classmethod
    def build(
        cls,
        name: str,
        function: DetectorFunction,
        params: Sequence[Param],
        *,
        aliases: Mapping[str, str] | None = None,
        check: Callable[[dict[str, Any]], str | None] | None = None,
    ) -> Detector:
        """A detector whose parameter defaults come from ``function``'s signature."""
        signature = inspect.signature(function)
        keyword = {
            p.name: p.default
            for p in signature.parameters.values()
            if p.kind is inspect.Parameter.KEYWORD_ONLY
        }
        declared = {p.name for p in params}
        if declared != set(keyword):
            raise TypeError(f"{name}: parameters {sorted(declared)} != signature {sorted(keyword)}")
        doc = inspect.getdoc(function) or ""
        return cls(
            name=name,
            function=function,
            params={p.name: replace(p, default=keyword[p.name]) for p in params},
            summary=doc.splitlines()[0] if doc else name,
            aliases=dict(aliases or {}),
            check=check,
        )

    def defaults(self) -> dict[str, Any]:
        return {name: p.default for name, p in self.params.items()}

    def settings(self, given: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Every parameter's value: ``given`` (aliases resolved) checked, defaults for the rest.

        Raises :class:`DetectorParamError` naming the parameter at fault; an unknown name's
        message lists the allowed ones.
        """
        given = dict(given or {})
        for alias, target in self.aliases.items():
            if alias in given:
                if target in given:
                    raise DetectorParamError(
                        self.name, alias, f"is another name for {target!r}; give only one of them"
                    )
                given[target] = given.pop(alias)
        for key in given:
            if key not in self.params:
                allowed = sorted(self.params) + sorted(self.aliases)
                raise DetectorParamError(
                    self.name, str(key), f"unknown parameter; allowed: {', '.join(allowed)}"
                )
        out = self.defaults()
        for key, value in given.items():
            out[key] = self.params[key].check(self.name, value)
        if self.check is not None:
            reason = self.check(out)
            if reason:
                raise DetectorParamError(self.name, None, reason)
        return out

    def __call__(
        self,
        times: Sequence[datetime],
        values: Sequence[float | None],
        params: Mapping[str, Any] | None = None,
    ) -> list[Change]:
        return self.function(times, values, **self.settings(params))


def arguments(local_vars: Mapping[str, Any]) -> dict[str, Any]:
    """A detector function's keyword arguments from its ``locals()`` (taken first thing)."""
    return {k: v for k, v in local_vars.items() if k not in ("times", "values")}

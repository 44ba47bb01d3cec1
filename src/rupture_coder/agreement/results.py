"""What every statistic returns: a value with its CI, or null with the reason it is not defined."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Stat:
    """One statistic. ``value`` is None exactly when ``reason`` says why it is not defined."""

    name: str
    value: float | None
    ci95: tuple[float, float] | None = None
    se: float | None = None
    n_units: int | None = None
    reason: str | None = None
    band: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    ci95_bootstrap: tuple[float, float] | None = None
    band_ci: str | None = None  # the bands the CI spans (Koo & Li: judge on the CI)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "value": _num(self.value)}
        if self.value is None:
            out["reason"] = self.reason
        if self.ci95 is not None:
            out["ci95"] = [_num(self.ci95[0]), _num(self.ci95[1])]
        elif self.value is not None and self.reason:
            out["note"] = self.reason
        if self.se is not None:
            out["se"] = _num(self.se)
        if self.n_units is not None:
            out["n_units"] = self.n_units
        if self.band:
            out["band"] = self.band
        if self.ci95_bootstrap is not None:
            out["ci95_bootstrap"] = [_num(self.ci95_bootstrap[0]), _num(self.ci95_bootstrap[1])]
        if self.band_ci:
            out["band_ci"] = self.band_ci
        out.update(_finite(self.extra))
        return out


def _finite(x: Any) -> Any:
    """Extras as JSON allows them: an infinite or undefined float (an F ratio of x/0) is null."""
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_finite(v) for v in x]
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def _num(x: float | None) -> float | None:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return None
    return round(float(x), 6)


def clipped_ci(lo: float, hi: float) -> tuple[str, bool]:
    """ " [lo, hi]" clipped to [-1, 1], and whether it was: a kappa or ICC lies in [-1, 1], but its
    normal-approximation CI can run past that with few units (a Fleiss CI "reaching 1.17").
    A clipped interval is marked with a dagger that the report and the dashboard explain."""
    clipped = lo < -1 or hi > 1
    return f" [{max(lo, -1.0):.2f}, {min(hi, 1.0):.2f}]{'†' if clipped else ''}", clipped


def undefined(name: str, why: str, n_units: int | None = None) -> Stat:
    return Stat(name, None, n_units=n_units, reason=f"not defined because {why}")


def cicchetti(value: float | None) -> str | None:
    """Cicchetti (1994): < .40 poor, .40-.59 fair, .60-.74 good, >= .75 excellent."""
    if value is None:
        return None
    return (
        "poor"
        if value < 0.40
        else "fair"
        if value < 0.60
        else "good"
        if value < 0.75
        else "excellent"
    )


def koo_li(value: float | None) -> str | None:
    """Koo & Li (2016) for ICC: < .50 poor, .50-.75 moderate, .75-.90 good, > .90 excellent."""
    if value is None:
        return None
    return (
        "poor"
        if value < 0.50
        else "moderate"
        if value < 0.75
        else "good"
        if value <= 0.90
        else "excellent"
    )


def band_range(
    ci: tuple[float, float] | None, bands: Callable[[float | None], str | None]
) -> str | None:
    """The interpretation bands a CI spans: "good", or "fair to excellent" (Koo & Li, 2016, ask
    for the interpretation to rest on the CI, not on the point estimate alone)."""
    if ci is None or not all(math.isfinite(x) for x in ci):
        return None
    low, high = bands(ci[0]), bands(ci[1])
    return low if low == high else f"{low} to {high}"

"""Ratings as a units x raters matrix, built from a tidy (long) table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[Level, ...] = ("nominal", "ordinal", "interval", "ratio")


@dataclass
class RatingMatrix:
    """``values[u, r]`` is rater r's rating of unit u (NaN: not rated). Nominal codes are mapped to
    numbers 0..k-1 in ``categories`` order; numeric levels keep their values."""

    values: np.ndarray
    units: list
    raters: list
    categories: list  # every category (scale points when known, else the observed values in order)
    level: Level

    @property
    def n_units(self) -> int:
        """Units with at least two ratings: the units agreement can be computed on."""
        return int((np.sum(~np.isnan(self.values), axis=1) >= 2).sum())

    @property
    def n_raters(self) -> int:
        return len(self.raters)

    def pairable(self) -> RatingMatrix:
        """Only the units with two or more ratings, so every statistic is computed on the same units."""
        keep = np.sum(~np.isnan(self.values), axis=1) >= 2
        units = [u for u, k in zip(self.units, keep, strict=True) if k]
        return RatingMatrix(self.values[keep], units, self.raters, self.categories, self.level)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.values, columns=self.raters)


def from_long(
    data: pd.DataFrame,
    unit: str = "unit",
    rater: str = "rater",
    value: str = "value",
    level: Level = "nominal",
    categories: Sequence | None = None,
) -> RatingMatrix:
    """Build the matrix; a unit rated twice by the same rater is an error, not a silent average."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    missing = [c for c in (unit, rater, value) if c not in data.columns]
    if missing:
        raise ValueError(
            f"no column {missing[0]!r}; the columns are {', '.join(map(str, data.columns))}"
        )
    df = data[[unit, rater, value]].dropna(subset=[unit, rater])
    df = df[df[value].notna() & (df[value].astype(str).str.strip() != "")]
    dup = df.duplicated(subset=[unit, rater], keep=False)
    if dup.any():
        first = df[dup].iloc[0]
        raise ValueError(f"rater {first[rater]!r} rated unit {first[unit]!r} more than once")
    if level == "nominal":
        observed = sorted(df[value].astype(str).unique(), key=_natural)
        cats = [str(c) for c in categories] if categories is not None else observed
        unknown = sorted(set(observed) - set(cats))
        if unknown:
            raise ValueError(f"values {unknown} are not among the categories {cats}")
        codes = df[value].astype(str).map({c: i for i, c in enumerate(cats)}).astype(float)
    else:
        codes = pd.to_numeric(df[value], errors="coerce")
        bad = df[codes.isna()]
        if len(bad):
            raise ValueError(
                f"{level} values must be numbers; found {bad[value].iloc[0]!r} (unit {bad[unit].iloc[0]!r})"
            )
        cats = list(categories) if categories is not None else sorted(codes.unique().tolist())
        outside = sorted(set(codes.unique().tolist()) - {float(c) for c in cats})
        if outside:
            raise ValueError(f"values {outside} are not among the categories {cats}")
    wide = pd.DataFrame({"u": df[unit].values, "r": df[rater].values, "v": codes.values}).pivot(
        index="u", columns="r", values="v"
    )
    units = sorted(wide.index, key=_natural)
    raters = sorted(wide.columns, key=_natural)
    wide = wide.loc[units, raters]
    return RatingMatrix(wide.to_numpy(dtype=float), units, raters, cats, level)


def _natural(x) -> tuple:
    s = str(x)
    try:
        return (0, float(s), s)
    except ValueError:
        return (1, 0.0, s)

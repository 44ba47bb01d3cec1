"""Ratings as a units x raters matrix, built from a tidy (long) table."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rupture_coder.domain import LEVELS, Level

__all__ = ["LEVELS", "Level", "RatingMatrix", "from_long"]


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
    vals = df[value]
    keep = vals.notna()
    if vals.dtype == object:
        keep &= vals.astype(str).str.strip() != ""
    df = df[keep]
    unit_codes, unit_labels = pd.factorize(df[unit])
    rater_codes, rater_labels = pd.factorize(df[rater])
    key = unit_codes.astype(np.int64) * max(len(rater_labels), 1) + rater_codes
    uniq, counts = np.unique(key, return_counts=True)
    if (counts > 1).any():
        bad = uniq[counts > 1][0]
        u, r = divmod(int(bad), max(len(rater_labels), 1))
        raise ValueError(f"rater {rater_labels[r]!r} rated unit {unit_labels[u]!r} more than once")
    if level == "nominal":
        text = df[value].astype(str)
        observed = sorted(pd.unique(text), key=_natural)
        cats = [str(c) for c in categories] if categories is not None else observed
        unknown = sorted(set(observed) - set(cats))
        if unknown:
            raise ValueError(f"values {unknown} are not among the categories {cats}")
        codes = pd.Categorical(text, categories=cats).codes.astype(float)
    else:
        numeric = pd.to_numeric(df[value], errors="coerce")
        bad = df[numeric.isna()]
        if len(bad):
            raise ValueError(
                f"{level} values must be numbers; found {bad[value].iloc[0]!r} (unit {bad[unit].iloc[0]!r})"
            )
        codes = numeric.to_numpy(dtype=float)
        cats = list(categories) if categories is not None else sorted(np.unique(codes).tolist())
        outside = sorted(set(np.unique(codes).tolist()) - {float(c) for c in cats})
        if outside:
            raise ValueError(f"values {outside} are not among the categories {cats}")
    unit_labels, rater_labels = unit_labels.tolist(), rater_labels.tolist()  # plain: fast to index
    unit_order = sorted(range(len(unit_labels)), key=lambda i: _natural(unit_labels[i]))
    rater_order = sorted(range(len(rater_labels)), key=lambda i: _natural(rater_labels[i]))
    row_of = np.empty(len(unit_labels), dtype=np.int64)
    row_of[unit_order] = np.arange(len(unit_labels))
    col_of = np.empty(len(rater_labels), dtype=np.int64)
    col_of[rater_order] = np.arange(len(rater_labels))
    values = np.full((len(unit_labels), len(rater_labels)), np.nan)
    values[row_of[unit_codes], col_of[rater_codes]] = codes
    units = [unit_labels[i] for i in unit_order]
    raters = [rater_labels[i] for i in rater_order]
    return RatingMatrix(values, units, raters, cats, level)


@functools.lru_cache(maxsize=1 << 17)  # the same units recur in every item's table of a study
def _natural(x) -> tuple:
    s = str(x)
    try:
        return (0, float(s), s)
    except ValueError:
        return (1, 0.0, s)

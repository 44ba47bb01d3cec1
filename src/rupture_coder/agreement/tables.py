"""Ratings as a units x raters matrix, built from a tidy (long) table."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from rupture_coder.domain import LEVELS, Level

__all__ = ["LEVELS", "Level", "RatingMatrix", "from_long"]


@dataclass
class RatingMatrix:
    """``values[u, r]`` is rater r's rating of unit u (NaN: not rated). Nominal codes are mapped to
    numbers 0..k-1 in ``categories`` order; numeric levels keep their values.

    ``categories`` are every scale point when they were declared (``declared``), so unused points
    still count in weights and chance agreement; otherwise the observed values in order.
    ``clusters`` names each unit's cluster (its session) for the cluster bootstrap; ``na`` marks
    the ratings a rater gave as "not applicable" (a judgement, kept apart from "not rated").
    """

    values: np.ndarray
    units: list
    raters: list
    categories: list
    level: Level
    clusters: list | None = None
    na: np.ndarray | None = None
    declared: bool = False

    @property
    def n_units(self) -> int:
        """Units with at least two ratings: the units agreement can be computed on."""
        return int((self.ratings_per_unit >= 2).sum())

    @property
    def n_rated(self) -> int:
        """Units with at least one rating (Gwet's chance agreement uses all of them)."""
        return int((self.ratings_per_unit >= 1).sum())

    @property
    def n_raters(self) -> int:
        return len(self.raters)

    @cached_property
    def ratings_per_unit(self) -> np.ndarray:
        return np.sum(~np.isnan(self.values), axis=1)

    @cached_property
    def positions(self) -> np.ndarray:
        """``values`` as category positions 0..q-1 (NaN: not rated)."""
        if self.level == "nominal":
            return self.values
        cats = np.asarray(self.categories, dtype=float)
        order = np.argsort(cats, kind="stable")
        out = np.full(self.values.shape, np.nan)
        seen = ~np.isnan(self.values)
        found = np.searchsorted(cats[order], self.values[seen])
        # every value is one of the categories (checked when read), so found < len(cats)
        out[seen] = order[np.minimum(found, len(cats) - 1)]  # pragma: no mutate
        return out

    @cached_property
    def counts(self) -> np.ndarray:
        """``counts[u, k]``: how many raters put unit u in category k (Gwet's r_ik)."""
        n, q = self.values.shape[0], len(self.categories)
        pos = self.positions
        seen = ~np.isnan(pos)
        rows = np.broadcast_to(np.arange(n)[:, None], pos.shape)[seen]
        flat = rows * q + pos[seen].astype(np.int64)
        return np.bincount(flat, minlength=n * q).reshape(n, q).astype(float)

    @cached_property
    def scores(self) -> np.ndarray:
        """The number each category stands for: its value (interval, ratio) or its position
        (nominal, ordinal: one scale point apart)."""
        if self.level in ("interval", "ratio"):
            return np.asarray(self.categories, dtype=float)
        return np.arange(len(self.categories), dtype=float)

    def cluster_index(self) -> tuple[np.ndarray, list]:
        """Each unit's cluster as 0..C-1, and the cluster labels; units are their own clusters
        when none were given."""
        codes, labels = self._cluster_index
        return codes.copy(), list(labels)

    @cached_property
    def _cluster_index(self) -> tuple[np.ndarray, list]:
        if self.clusters is None:
            return np.arange(len(self.units)), list(self.units)
        codes, labels = pd.factorize(pd.Series(self.clusters, dtype=object))
        return codes.astype(np.int64), list(labels)

    def subset(self, keep: np.ndarray) -> RatingMatrix:
        """The same matrix restricted to the units where ``keep`` is true."""
        # ``keep`` has one flag per unit: strict=False would change nothing (not mutated)
        units = [u for u, k in zip(self.units, keep, strict=True) if k]  # pragma: no mutate
        clusters = None
        if self.clusters is not None:
            clusters = [
                c for c, k in zip(self.clusters, keep, strict=True) if k
            ]  # pragma: no mutate
        na = None if self.na is None else self.na[keep]
        return RatingMatrix(self.values[keep], units, self.raters, self.categories, self.level,
                            clusters, na, self.declared)  # fmt: skip

    def pairable(self) -> RatingMatrix:
        """Only the units with two or more ratings."""
        return self.subset(self.ratings_per_unit >= 2)


def from_long(
    data: pd.DataFrame,
    unit: str = "unit",
    rater: str = "rater",
    value: str = "value",
    level: Level = "nominal",
    categories: Sequence | None = None,
    cluster: str | None = None,
    na_values: Sequence = (),
) -> RatingMatrix:
    """Build the matrix; a unit rated twice by the same rater is an error, not a silent average.

    ``categories`` declares the scale (in order); ``cluster`` is the column naming each unit's
    session; values in ``na_values`` are "not applicable" judgements, kept in ``na``.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    wanted = [unit, rater, value] + ([cluster] if cluster else [])
    missing = [c for c in wanted if c not in data.columns]
    if missing:
        raise ValueError(
            f"no column {missing[0]!r}; the columns are {', '.join(map(str, data.columns))}"
        )
    df = data[wanted].dropna(subset=[unit, rater])
    vals = df[value]
    keep = vals.notna()
    if not pd.api.types.is_numeric_dtype(vals):
        keep &= vals.astype(str).str.strip() != ""
    df = df[keep]
    na_text = {str(v) for v in na_values}
    is_na = df[value].astype(str).isin(na_text).to_numpy() if na_text else np.zeros(len(df), bool)
    unit_codes, unit_labels = pd.factorize(df[unit])
    rater_codes, rater_labels = pd.factorize(df[rater])
    width = len(rater_labels)  # a duplicate needs a row, so at least one rater
    key = unit_codes.astype(np.int64) * width + rater_codes
    uniq, counts = np.unique(key, return_counts=True)
    if (counts > 1).any():
        bad = uniq[counts > 1][0]
        u, r = divmod(int(bad), width)
        raise ValueError(
            f"rater {_plain(rater_labels[r])!r} rated unit {_plain(unit_labels[u])!r} more than once"
        )
    rated = df[~is_na]
    codes = np.full(len(df), np.nan)
    if level == "nominal":
        text_codes, texts = _as_text(rated[value])
        cats = _nominal_categories(texts, text_codes, categories)
        position = {c: k for k, c in enumerate(cats)}
        codes[~is_na] = np.array([position[t] for t in texts], dtype=float)[text_codes]
    else:
        cats = _categories(rated, unit, value, level, categories)
        codes[~is_na] = pd.to_numeric(rated[value]).to_numpy(dtype=float)
    unit_list, rater_list = (
        unit_labels.tolist(),
        rater_labels.tolist(),
    )  # plain values: fast to index
    unit_order = _natural_order(tuple(unit_list)).tolist()
    rater_order = _natural_order(tuple(rater_list)).tolist()
    row_of = np.empty(len(unit_labels), dtype=np.int64)
    row_of[unit_order] = np.arange(len(unit_labels))
    col_of = np.empty(len(rater_labels), dtype=np.int64)
    col_of[rater_order] = np.arange(len(rater_labels))
    values = np.full((len(unit_labels), len(rater_labels)), np.nan)
    values[row_of[unit_codes], col_of[rater_codes]] = codes
    na = None
    if na_text:
        na = np.zeros(values.shape, dtype=bool)
        na[row_of[unit_codes], col_of[rater_codes]] = is_na
    units = [unit_list[i] for i in unit_order]
    raters = [rater_list[i] for i in rater_order]
    clusters = _clusters(df, unit, cluster, unit_codes, unit_order) if cluster else None
    return RatingMatrix(values, units, raters, cats, level, clusters, na, categories is not None)


def _as_text(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """``values.astype(str)`` as codes into its distinct texts (which are told apart by text, so
    1 and "1" are one), converting each distinct value once; for columns without missing values."""
    # either way gives the same texts (the first is faster on whole numbers): not mutated
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "biu":  # pragma: no mutate
        uniques, codes = np.unique(values.to_numpy(), return_inverse=True)
    else:  # no missing values come here, so the sentinel changes nothing (not mutated)
        codes, uniques = pd.factorize(values, use_na_sentinel=False)  # pragma: no mutate
    text = pd.Series(uniques, dtype=values.dtype).astype(str).tolist()
    same, texts = pd.factorize(pd.Series(text, dtype=object), use_na_sentinel=False)
    return same[np.asarray(codes).ravel()], list(texts)


def _nominal_categories(texts: list[str], used: np.ndarray, declared) -> list:
    present = np.zeros(len(texts), dtype=bool)
    present[used] = True
    observed = sorted((t for t, p in zip(texts, present, strict=True) if p), key=_natural)
    cats = [str(c) for c in declared] if declared is not None else observed
    if len(set(cats)) != len(cats):
        raise ValueError(f"the categories {cats} name a category twice")
    unknown = sorted(set(observed) - set(cats))
    if unknown:
        raise ValueError(f"values {unknown} are not among the categories {cats}")
    return cats


def _categories(df: pd.DataFrame, unit: str, value: str, level: str, declared) -> list:
    numeric = pd.to_numeric(df[value], errors="coerce")
    bad = df[numeric.isna()]
    if len(bad):
        raise ValueError(
            f"{level} values must be numbers; found {bad[value].iloc[0]!r} (unit {_plain(bad[unit].iloc[0])!r})"
        )
    observed = sorted(np.unique(numeric.to_numpy(dtype=float)).tolist())
    if declared is None:
        return observed
    try:
        cats = [float(c) for c in declared]
    except (TypeError, ValueError):
        raise ValueError(f"{level} categories must be numbers, not {list(declared)}") from None
    if len(set(cats)) != len(cats):
        raise ValueError(f"the categories {list(declared)} name a scale point twice")
    if cats != sorted(cats):
        raise ValueError(f"give the scale points in increasing order, not {list(declared)}")
    outside = sorted(set(observed) - set(cats))
    if outside:
        raise ValueError(f"values {outside} are not among the categories {list(declared)}")
    return [int(c) if c.is_integer() else c for c in cats]


def _clusters(df, unit, cluster, unit_codes, unit_order) -> list:
    """Each unit's cluster (as text), in ``unit_order``; a unit in two clusters is an error."""
    if df[cluster].isna().any():
        return _clusters_with_gaps(df, unit, cluster, unit_codes, unit_order)
    codes, texts = _as_text(df[cluster])
    first = np.full(len(unit_order), len(codes), dtype=np.int64)  # each unit's first row
    np.minimum.at(first, unit_codes, np.arange(len(codes)))
    of_unit = codes[first]
    apart = codes != of_unit[unit_codes]
    if apart.any():
        u = int(unit_codes[apart].min())
        raise _in_two_clusters(df, unit, cluster, unit_codes, u)
    return np.asarray(texts, dtype=object)[of_unit[unit_order]].tolist()


def _clusters_with_gaps(df, unit, cluster, unit_codes, unit_order) -> list:
    """``_clusters`` where some rows have no cluster (those rows are passed over)."""
    per_unit = pd.DataFrame({"u": unit_codes, "c": df[cluster].astype(str).to_numpy()})
    spread = per_unit.groupby("u")["c"].nunique()
    if (spread > 1).any():
        u = int(spread[spread > 1].index[0])
        raise _in_two_clusters(df, unit, cluster, unit_codes, u)
    first = per_unit.drop_duplicates("u").set_index("u")["c"]
    return first.loc[list(unit_order)].tolist()


def _in_two_clusters(df, unit, cluster, unit_codes, u: int) -> ValueError:
    name = _plain(df[unit].iloc[int(np.argmax(unit_codes == u))])
    return ValueError(
        f"unit {name!r} lies in more than one {cluster!r}; a unit belongs to one cluster (session)"
    )


def _plain(x):
    """numpy scalars as plain Python values, so messages and JSON read naturally."""
    return x.item() if isinstance(x, np.generic) else x


@functools.lru_cache(maxsize=8)  # the same units recur in every item's table of a study
def _natural_order(labels: tuple) -> np.ndarray:
    """The positions of ``labels`` in natural order (numbers by value, before text)."""
    keys = list(map(_natural, labels))
    out = np.array(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.int64)
    out.flags.writeable = False
    return out


@functools.lru_cache(maxsize=1 << 17)
def _natural(x) -> tuple:
    s = str(x)
    try:
        return (0, float(s), s)
    except ValueError:
        return (1, 0.0, s)

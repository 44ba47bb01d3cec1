"""Cluster bootstrap: resample whole sessions, not segments, for honest intervals.

Segments of one session are not independent, so intervals that treat them as such are too
narrow. Every coefficient here is a function of sums over units (agreement tables, category
shares, coincidences, ANOVA sums of squares), so a resample needs no recomputation per unit: the
sums are taken once per cluster, and each replicate weighs the clusters by how often it drew them
(a replicates x clusters matrix product). The CI is the percentile interval of the replicates.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from rupture_coder.agreement.tables import RatingMatrix

MIN_CLUSTERS = 5  # below this, resampling clusters says nothing about the population
MAX_REPLICATES = 100_000  # beyond this the percentiles do not move; the memory would
Sums = Callable[["Resampler"], np.ndarray]  # the (clusters, d) sums of a statistic's features
Finish = Callable[[np.ndarray], np.ndarray]  # (replicates, d) sums -> (replicates,) values


@dataclass(frozen=True)
class Estimator:
    """A statistic as sums over units and the function that turns sums into its value."""

    sums: Sums
    finish: Finish


class Resampler:
    """``replicates`` resamples of the matrix's clusters (seeded), shared by every statistic."""

    def __init__(self, m: RatingMatrix, replicates: int = 1000, seed: int = 1):
        if not 1 <= replicates <= MAX_REPLICATES:
            raise ValueError(
                f"the bootstrap takes 1 to {MAX_REPLICATES:,} resamples, not {replicates:,}"
            )
        self.m = m
        self.cluster, self.labels = m.cluster_index()
        c = len(self.labels)
        self.n_all = c
        # Only clusters with a unit rated at least twice carry agreement; the others (sessions one
        # rater coded) add only to Gwet's chance agreement and stay in every replicate as they are.
        informative = np.zeros(c, dtype=bool)
        informative[self.cluster[m.ratings_per_unit >= 2]] = True
        pick = np.flatnonzero(informative)
        self.n_clusters = len(pick)
        self.replicates, self.seed = replicates, seed
        self._pick, self._fixed = pick, np.flatnonzero(~informative)
        # how often each replicate drew each informative cluster (compact: 2 bytes a cell); the
        # draws depend only on these three numbers, so every item of a study shares them
        self.counts, self._weights = _draws(replicates, self.n_clusters, seed)
        self._order = np.argsort(self.cluster, kind="stable")
        self._starts = np.searchsorted(self.cluster[self._order], np.arange(c))
        self.n_groups = c  # rows of by_cluster's sums

    def by_cluster(self, features: np.ndarray) -> np.ndarray:
        """Per-unit features (units x d) summed within each cluster (clusters x d)."""
        if len(features) == 0:
            return np.zeros((self.n_groups, features.shape[1]))
        return np.add.reduceat(features[self._order], self._starts, axis=0)

    @property
    def weights(self) -> np.ndarray:
        """Replicates x clusters: how often each replicate counts each cluster."""
        out = np.ones((self.replicates, self.n_groups))
        out[:, self._pick] = self.counts
        return out

    def values(self, est: Estimator) -> np.ndarray:
        return est.finish(self._replicate_sums(est.sums(self)))

    def _replicate_sums(self, sums: np.ndarray, chunk: int = 128) -> np.ndarray:
        """Each replicate's sums (replicates x d): the clusters' sums weighed by the draws."""
        fixed = sums[self._fixed].sum(axis=0)
        picked = sums[self._pick]
        weights = self._weights
        parts = [(self.counts[i : i + chunk].astype(float) if weights is None
                  else weights[i : i + chunk]) @ picked + fixed
                 for i in range(0, self.replicates, chunk)]  # fmt: skip
        return np.concatenate(parts)

    def interval(self, est: Estimator) -> tuple[tuple[float, float] | None, int]:
        """The 95% percentile interval and how many replicates gave a defined value."""
        return self.intervals([est])[0]

    def intervals(self, ests: Sequence[Estimator]) -> list[tuple[tuple[float, float] | None, int]]:
        """``interval`` of each estimator; their sums are weighed by the draws in one product."""
        if self.n_clusters < MIN_CLUSTERS or not ests:
            return [(None, 0)] * len(ests)
        sums = [est.sums(self) for est in ests]
        edges = np.cumsum([0] + [s.shape[1] for s in sums])
        every = np.hstack(sums)
        # the estimators share many sums (units rated twice, category shares): each is weighed once
        seen: dict[bytes, int] = {}  # a column's bytes -> its place among the distinct ones
        column = [seen.setdefault(every[:, j].tobytes(), len(seen)) for j in range(every.shape[1])]  # fmt: skip
        distinct = every[:, [column.index(k) for k in range(len(seen))]]
        together = self._replicate_sums(distinct)[:, column]
        return [
            self._percentiles(est.finish(together[:, lo:hi]))
            for est, lo, hi in zip(ests, edges[:-1], edges[1:], strict=True)
        ]

    def _percentiles(self, vals: np.ndarray) -> tuple[tuple[float, float] | None, int]:
        ok = vals[np.isfinite(vals)]
        if len(ok) < max(20, 0.5 * self.replicates):
            return None, len(ok)
        lo, hi = np.percentile(ok, [2.5, 97.5])
        return (float(lo), float(hi)), len(ok)

    def describe(self, by: str) -> dict:
        out = {"replicates": self.replicates, "seed": self.seed, "resampled": by,
               "n_clusters": self.n_clusters, "method": "percentile"}  # fmt: skip
        if self.n_all > self.n_clusters:
            out["n_clusters_fixed"] = self.n_all - self.n_clusters  # rated once: in every replicate
        if self.n_clusters < MIN_CLUSTERS:
            out["note"] = f"only {self.n_clusters} {by}: no bootstrap CI below {MIN_CLUSTERS}"
        elif self.n_clusters < 20:
            out["note"] = f"only {self.n_clusters} {by} to resample: the interval is rough"
        return out


_KEPT_CELLS = 4_000_000  # draws up to this size (8 MB, 32 MB as floats) are kept for the next item


def _draws(replicates: int, n_clusters: int, seed: int) -> tuple[np.ndarray, np.ndarray | None]:
    """Replicates x clusters: how often each seeded replicate drew each cluster, compact (2 bytes
    a cell) and, when small enough to keep, also as floats for the matrix products (read-only)."""
    if replicates * n_clusters <= _KEPT_CELLS:
        return _kept_draws(replicates, n_clusters, seed)
    return _draw_counts(replicates, n_clusters, seed), None


@functools.lru_cache(maxsize=1)
def _kept_draws(replicates: int, n_clusters: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    counts = _draw_counts(replicates, n_clusters, seed)
    weights = counts.astype(float)
    counts.flags.writeable = weights.flags.writeable = False
    return counts, weights


def release_draws() -> None:
    """Drop the kept draws (up to 40 MB) once a study's items are done."""
    _kept_draws.cache_clear()


def _draw_counts(replicates: int, n_clusters: int, seed: int) -> np.ndarray:
    counts = np.zeros((replicates, n_clusters), dtype=np.uint16)
    if n_clusters:
        rng = np.random.default_rng(seed)
        draws = rng.integers(0, n_clusters, size=(replicates, n_clusters))
        flat = draws + (np.arange(replicates) * n_clusters)[:, None]
        counts[:] = np.bincount(flat.ravel(), minlength=replicates * n_clusters).reshape(
            replicates, n_clusters
        )
    return counts


class Whole:
    """The sample itself as one cluster: an estimator's point value."""

    def __init__(self, m: RatingMatrix):
        self.cluster = np.zeros(len(m.units), dtype=np.int64)
        self.n_groups = 1

    def by_cluster(self, features: np.ndarray) -> np.ndarray:
        return features.sum(axis=0, keepdims=True)


def point(est: Estimator, m: RatingMatrix) -> float:
    """The statistic on the sample itself (every cluster once)."""
    return float(est.finish(est.sums(Whole(m)))[0])  # type: ignore[arg-type]


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


# -- estimators -------------------------------------------------------------------------------------
def pair_agreement(counts: np.ndarray, w: np.ndarray) -> Estimator:
    """Mean (weighted) share of agreeing rater pairs over units rated at least twice."""
    from rupture_coder.agreement.coefficients import pair_shares

    two = (counts.sum(axis=1) >= 2).astype(float)
    feats = np.c_[pair_shares(counts, w) * two, two]
    return Estimator(lambda r: r.by_cluster(feats), lambda s: _ratio(s[:, 0], s[:, 1]))


def specific(counts: np.ndarray, k: int) -> Estimator:
    """Specific agreement on category k: agreeing pairs that involve k over all pairs that do
    (Uebersax, 1982; for two raters 2a / (2a + b + c))."""
    rk, ri = counts[:, k], counts.sum(axis=1)
    two = (ri >= 2).astype(float)
    feats = np.c_[rk * (rk - 1) * two, rk * (ri - 1) * two]
    return Estimator(lambda r: r.by_cluster(feats), lambda s: _ratio(s[:, 0], s[:, 1]))


def chance_corrected(counts: np.ndarray, w: np.ndarray, chance: str) -> Estimator:
    """Fleiss' kappa ("fleiss") or Gwet's AC ("gwet") under Gwet's missing-rating conventions."""
    from rupture_coder.agreement.coefficients import pair_shares

    ri = counts.sum(axis=1)
    two, rated = (ri >= 2).astype(float), (ri >= 1).astype(float)
    shares = np.divide(counts, ri[:, None], out=np.zeros_like(counts), where=ri[:, None] > 0)
    feats = np.c_[pair_shares(counts, w) * two, two, shares, rated]
    q = counts.shape[1]

    def finish(s: np.ndarray) -> np.ndarray:
        pa = _ratio(s[:, 0], s[:, 1])
        pi = s[:, 2 : 2 + q] / np.where(s[:, -1:] > 0, s[:, -1:], np.nan)
        if chance == "fleiss":
            pe = np.einsum("bi,ij,bj->b", pi, w, pi)
        else:
            if q < 2:
                return np.full(len(s), np.nan)
            pe = w.sum() / (q * (q - 1)) * (pi * (1 - pi)).sum(axis=1)
        return _ratio(pa - pe, np.where(pe < 1 - 1e-12, 1 - pe, 0))

    return Estimator(lambda r: r.by_cluster(feats), finish)


def cohen(m: RatingMatrix, w: np.ndarray) -> Estimator:
    """Cohen's (weighted) kappa from the resampled two-rater table."""
    q = len(m.categories)
    both = ~np.isnan(m.positions).any(axis=1)
    cell = (m.positions[both, 0] * q + m.positions[both, 1]).astype(np.int64)

    def sums(r: Resampler) -> np.ndarray:
        flat = r.cluster[both] * q * q + cell
        return np.bincount(flat, minlength=r.n_groups * q * q).reshape(r.n_groups, q * q)

    def finish(s: np.ndarray) -> np.ndarray:
        t = s.reshape(-1, q, q)
        n = t.sum(axis=(1, 2))
        p = t / np.where(n > 0, n, np.nan)[:, None, None]
        pa = (p * w).sum(axis=(1, 2))
        pe = np.einsum("bi,ij,bj->b", p.sum(axis=2), w, p.sum(axis=1))
        return _ratio(pa - pe, np.where(pe < 1 - 1e-12, 1 - pe, 0))

    return Estimator(sums, finish)


def krippendorff(m: RatingMatrix) -> Estimator:
    """Krippendorff's alpha from the resampled coincidence matrix, at the matrix's level."""
    counts = m.counts
    mu = counts.sum(axis=1)
    pairable = mu >= 2
    x = counts * np.where(pairable, 1 / np.where(pairable, mu - 1, 1), 0)[:, None]
    q = counts.shape[1]
    scores = m.scores

    def sums(r: Resampler) -> np.ndarray:
        out = np.empty((r.n_groups, q, q))
        for c in range(q):  # o_ck = sum over units of n_uc (n_uk - [c = k]) / (m_u - 1)
            block = x[:, c : c + 1] * (counts - np.eye(q)[c])
            out[:, c, :] = r.by_cluster(block)
        return out.reshape(r.n_groups, q * q)

    def finish(s: np.ndarray) -> np.ndarray:
        o = s.reshape(-1, q, q)
        nc = o.sum(axis=2)
        total = nc.sum(axis=1)
        delta = _metric(m.level, scores, nc)
        observed = (o * delta).sum(axis=(1, 2))
        expected = np.einsum("bi,bij,bj->b", nc, delta, nc)
        return 1 - (total - 1) * _ratio(observed, expected)

    return Estimator(sums, finish)


def _metric(level: str, x: np.ndarray, nc: np.ndarray) -> np.ndarray:
    """Krippendorff's squared difference delta^2 for each replicate (B x q x q)."""
    q = len(x)
    if level == "nominal":
        return np.broadcast_to(1 - np.eye(q), (len(nc), q, q))
    if level == "interval":
        return np.broadcast_to((x[:, None] - x[None, :]) ** 2, (len(nc), q, q))
    if level == "ratio":
        total = x[:, None] + x[None, :]
        d = np.where(total == 0, 0.0, (x[:, None] - x[None, :]) / np.where(total == 0, 1, total))
        return np.broadcast_to(d**2, (len(nc), q, q))
    cum = np.cumsum(nc, axis=1)  # ordinal: sum of the frequencies from c to k, less half the ends
    low = np.minimum.outer(np.arange(q), np.arange(q))
    between = np.abs(cum[:, None, :] - cum[:, :, None]) + nc[:, low]
    return (between - (nc[:, :, None] + nc[:, None, :]) / 2) ** 2


def icc_one_way(m: RatingMatrix) -> dict[str, Estimator]:
    """ICC(1,1) and ICC(1,k) from resampled one-way ANOVA sums (units rated at least twice)."""
    present = ~np.isnan(m.values)
    k = present.sum(axis=1).astype(float)
    use = k >= 2
    y = np.where(present, m.values, 0.0)
    s = y.sum(axis=1)
    feats = np.c_[k, s, _ratio(s**2, k), (y**2).sum(axis=1), k**2, np.ones(len(k))] * use[:, None]
    feats = np.nan_to_num(feats)

    def parts(t: np.ndarray):
        big_n, total, a, sq, k2, n = t.T
        msb = _ratio(a - _ratio(total**2, big_n), n - 1)
        msw = _ratio(sq - a, big_n - n)
        k0 = _ratio(big_n - _ratio(k2, big_n), n - 1)
        return msb, msw, k0

    def single(t):
        msb, msw, k0 = parts(t)
        return _ratio(msb - msw, msb + (k0 - 1) * msw)

    def average(t):
        msb, msw, _ = parts(t)
        return _ratio(msb - msw, msb)

    def sums(r: Resampler) -> np.ndarray:
        return r.by_cluster(feats)

    return {"ICC(1,1)": Estimator(sums, single), "ICC(1,k)": Estimator(sums, average)}


def icc_two_way(m: RatingMatrix) -> dict[str, Estimator]:
    """ICC(2,.) and ICC(3,.) from resampled two-way ANOVA sums (units every rater rated)."""
    complete = ~np.isnan(m.values).any(axis=1)
    y = np.where(complete[:, None], np.nan_to_num(m.values), 0.0)
    k = m.n_raters
    rows = y.sum(axis=1)
    feats = np.c_[rows, rows**2, (y**2).sum(axis=1), complete.astype(float), y]

    def parts(t: np.ndarray):
        total, r2, sq, n, cols = t[:, 0], t[:, 1], t[:, 2], t[:, 3], t[:, 4:]
        corr = _ratio(total**2, n * k)
        ss_total = sq - corr
        ss_rows = r2 / k - corr
        ss_cols = _ratio((cols**2).sum(axis=1), n) - corr
        msr = _ratio(ss_rows, n - 1)
        msc = ss_cols / (k - 1)
        mse = _ratio(ss_total - ss_rows - ss_cols, (n - 1) * (k - 1))
        return msr, msc, mse, n

    def form(which: str) -> Finish:
        def finish(t: np.ndarray) -> np.ndarray:
            msr, msc, mse, n = parts(t)
            if which == "ICC(2,1)":
                return _ratio(msr - mse, msr + (k - 1) * mse + k * _ratio(msc - mse, n))
            if which == "ICC(3,1)":
                return _ratio(msr - mse, msr + (k - 1) * mse)
            if which == "ICC(2,k)":
                return _ratio(msr - mse, msr + _ratio(msc - mse, n))
            return _ratio(msr - mse, msr)

        return finish

    def sums(r: Resampler) -> np.ndarray:
        return r.by_cluster(feats)

    return {f: Estimator(sums, form(f)) for f in ("ICC(2,1)", "ICC(3,1)", "ICC(2,k)", "ICC(3,k)")}

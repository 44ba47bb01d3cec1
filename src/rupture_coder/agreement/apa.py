"""A methods sentence in APA style from an agreement result: the coefficient with its McGraw &
Wong (1996) name, value, 95% CI and where it comes from, the units, raters and design, and the
interpretation band judged on the CI. Values bounded by 1 are written without a leading zero."""

from __future__ import annotations

ICC_WORDS = {
    "ICC(1,1)": ("one-way random-effects, absolute-agreement, single-rater", "ICC(1)"),
    "ICC(1,k)": ("one-way random-effects, absolute-agreement, average-measures", "ICC(k)"),
    "ICC(2,1)": ("two-way random-effects, absolute-agreement, single-rater", "ICC(A,1)"),
    "ICC(2,k)": ("two-way random-effects, absolute-agreement, average-measures", "ICC(A,k)"),
    "ICC(3,1)": ("two-way mixed-effects, consistency, single-rater", "ICC(C,1)"),
    "ICC(3,k)": ("two-way mixed-effects, consistency, average-measures", "ICC(C,k)"),
}
COEFFICIENTS = {
    "cohen_kappa": ("Cohen's kappa", "Cohen's κ"),
    "fleiss_kappa": ("Fleiss' kappa generalised to missing ratings (Gwet, 2014)", "Fleiss' κ"),
    "krippendorff_alpha": ("Krippendorff's alpha", "Krippendorff's α"),
    "gwet_ac1": ("Gwet's AC1", "AC1"),
}


def apa_number(x: float) -> str:
    """.62, -.13, 1.00: two decimals, no leading zero (the value cannot exceed 1)."""
    text = f"{x:.2f}"
    return text.replace("0.", ".", 1) if text.lstrip("-").startswith("0.") else text


def _stat(result: dict, key: str) -> dict:
    node = result
    for part in key.split("/"):
        node = node[part]
    return node


def plural(n: int, noun: str) -> str:
    """1 session, 2 sessions (the noun given in the plural)."""
    return f"{n:,} {noun[:-1] if n == 1 and noun.endswith('s') else noun}"


def _design(result: dict) -> str:
    k = result["n_raters"]
    sizes = result.get("ratings_per_unit") or [k, k]
    low, high = min(sizes), max(sizes)
    if low == high == k:
        everyone = "both raters" if k == 2 else f"all {k} raters"
        return f"each rated independently by {everyone} (fully crossed design)"
    span = f"{low}" if low == high else f"{low} to {high}"
    kind = "rotating raters" if low == high else "raters varying by unit"
    return f"each rated independently by {span} of {k} raters ({kind})"


def methods_sentence(
    result: dict, subject: str, unit_noun: str = "units", cluster_noun: str = "sessions",
    key: str | None = None,
) -> str:  # fmt: skip
    """One sentence for a methods section, on the result's primary statistic (or ``key``)."""
    key = key or result.get("primary") or "krippendorff_alpha"
    stat = _stat(result, key)
    if stat.get("value") is None:
        return (f"Inter-rater agreement on {subject} could not be estimated: "
                f"{stat.get('reason', 'not defined')}.")  # fmt: skip
    n_units = stat.get("n_units") or result["n_units"]
    where = plural(n_units, unit_noun)
    if result.get("n_clusters") and cluster_noun != unit_noun:
        where += f" from {plural(result['n_clusters'], cluster_noun)}"
    if key.startswith("icc/"):
        form = key.split("/", 1)[1]
        words, mw = ICC_WORDS[form]
        head = f"Inter-rater reliability of {subject}"
        coefficient = f"a {words} intraclass correlation ({mw}; McGraw & Wong, 1996)"
        symbol, band_source = "ICC", "Koo & Li, 2016"
    else:
        long, symbol = COEFFICIENTS[key]
        if key == "cohen_kappa" and result.get("weights") not in (None, "identity"):
            long, symbol = f"Cohen's {result['weights']}-weighted kappa", "Cohen's κw"
        if key == "krippendorff_alpha":
            long += f" at the {result['level']} level"
        head = f"Inter-rater agreement on {subject}"
        coefficient = long
        symbol, band_source = symbol, "Cicchetti, 1994"
    text = f"{head} was assessed on {where}, {_design(result)}, with {coefficient}: "
    text += f"{symbol} = {apa_number(stat['value'])}"
    boot = stat.get("ci95_bootstrap")
    ci = boot or stat.get("ci95")
    if ci and None not in ci:
        text += f", 95% CI [{apa_number(ci[0])}, {apa_number(ci[1])}]"
        if boot:
            info = result.get("bootstrap", {})
            text += (f" (percentile bootstrap, {info.get('replicates', 0):,} resamples, "
                     f"resampling {cluster_noun if info.get('resampled') == 'sessions' else unit_noun})")  # fmt: skip
    if stat.get("band"):
        text += f", {stat['band']} by the conventions of {band_source}"
        if stat.get("band_ci") and stat["band_ci"] != stat["band"]:
            text += f" ({stat['band_ci']} across the CI)"
    pa = result.get("percent_agreement", {}).get("value")
    if not key.startswith("icc/") and pa is not None:
        text += f"; percent agreement was {100 * pa:.1f}%"
    return text + "."

"""``rupture-coder agreement``: on any tidy table, or on a project's codes."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from rupture_coder.agreement import LEVELS, analyze, from_long
from rupture_coder.agreement.coefficients import WEIGHTS
from rupture_coder.store.db import Project
from rupture_coder.study_tables import UNITS, StudyError, load_study

STAT_KEYS = ("percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha", "gwet_ac1")


def add_agreement_parser(sub, parents) -> None:
    p = sub.add_parser(
        "agreement", parents=parents, help="inter-rater agreement on a tidy table or a project",
        description="Agreement on a tidy table (one row per unit x rater) given as FILE, or on the "
        "project's codes when no FILE is given.",
    )  # fmt: skip
    p.add_argument("file", nargs="?", type=Path, metavar="FILE", help="a CSV, TSV or XLSX table")
    p.add_argument(
        "--unit", help="FILE: the unit column(s), comma-separated; project: " + "|".join(UNITS)
    )
    p.add_argument("--rater", help="FILE: the rater column")
    p.add_argument("--value", help="FILE: the value column")
    p.add_argument("--level", choices=LEVELS, help="level of measurement (FILE: default nominal)")
    p.add_argument(
        "--weights",
        choices=WEIGHTS,
        help="weights for the kappas and AC (default: identity for nominal, quadratic otherwise)",
    )
    p.add_argument(
        "--missing",
        action="append",
        default=[],
        metavar="VALUE",
        help="FILE: a value that means 'not rated' (repeatable), e.g. n/a",
    )
    p.add_argument("--raters", help="project: rater names or ids, comma-separated (default: all)")
    p.add_argument(
        "--sessions", help="project: session titles or ids, comma-separated (default: all)"
    )
    p.add_argument(
        "--codebook", metavar="ID@VERSION", help="project: the codebook (version) to compare under"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run_agreement)


def read_table(path: Path) -> pd.DataFrame:
    if path.suffix.lower() == ".xlsx":
        return pd.read_excel(path, dtype=str)
    sep = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
    return pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def table_agreement(args: argparse.Namespace) -> dict[str, Any]:
    if not (args.unit and args.rater and args.value):
        raise ValueError("with a FILE, give --unit COL, --rater COL and --value COL")
    df = read_table(args.file)
    unit_cols = [c.strip() for c in args.unit.split(",")]
    missing_cols = [c for c in (*unit_cols, args.rater, args.value) if c not in df.columns]
    if missing_cols:
        raise ValueError(
            f"{args.file}: no column {missing_cols[0]!r}; the columns are {', '.join(df.columns)}"
        )
    df = df[~df[args.value].isin(args.missing)].copy()
    df["_unit"] = df[unit_cols].astype(str).agg("/".join, axis=1)
    m = from_long(df, "_unit", args.rater, args.value, args.level or "nominal")
    out = analyze(m, args.weights)
    out.update({"source": str(args.file), "unit": args.unit, "rows_used": int(len(df))})
    return out


def project_agreement(args: argparse.Namespace, project: Project) -> dict[str, Any]:
    unit = args.unit or "segment-presence"
    codebook = tuple(args.codebook.split("@", 1)) if args.codebook else None
    study = load_study(
        project, unit, args.raters.split(",") if args.raters else None,
        args.sessions.split(",") if args.sessions else None, codebook,
    )  # fmt: skip
    results = []
    for table in study.tables:
        m = from_long(table.data, level=args.level or table.level, categories=table.categories)
        results.append(
            {"key": table.key, "label": table.label, "kind": table.kind, **analyze(m, args.weights)}
        )
    return {
        "unit": unit,
        "codebook": f"{study.codebook.id}@{study.codebook.version}",
        "n_sessions": len(study.sessions),
        "n_raters": len(study.raters),
        "raters": sorted(study.raters.values()),
        "n_units": max((r["n_units"] for r in results), default=0),
        "results": results,
    }


def run_agreement(args: argparse.Namespace, project: Project | None = None) -> int:
    try:
        out = table_agreement(args) if args.file else project_agreement(args, project)
    except (ValueError, StudyError) as exc:
        print(f"rupture-coder agreement: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(out, indent=2) if args.json else render(out))
    return 0


def _fmt(stat: dict) -> str:
    if stat.get("value") is None:
        return f"{'-':>8}  {stat.get('reason', '')}"
    ci = (
        f"[{stat['ci95'][0]:.3f}, {stat['ci95'][1]:.3f}]"
        if stat.get("ci95") and None not in stat["ci95"]
        else ""
    )
    return f"{stat['value']:8.3f}  {ci:<18} {stat.get('band') or ''}"


def render_one(res: dict, indent: str = "") -> list[str]:
    lines = []
    for key in STAT_KEYS:
        lines.append(f"{indent}{res[key]['name']:<58} {_fmt(res[key])}")
    for stat in res.get("icc", {}).values():
        lines.append(f"{indent}{stat['name'][:58]:<58} {_fmt(stat)}")
    return lines


def render(out: dict) -> str:
    if "results" not in out:
        head = (f"Agreement on {out['source']}: {out['n_units']} units with two or more ratings, {out['n_raters']} raters "
                f"({', '.join(out['raters'])}); level {out['level']}, weights {out['weights']}")  # fmt: skip
        return "\n".join([head, "", *render_one(out)])
    lines = [
        f"Agreement, unit {out['unit']}: {out['n_sessions']} sessions, raters {', '.join(out['raters'])}, codebook {out['codebook']}"
    ]
    for res in out["results"]:
        lines += [
            "",
            f"{res['label']}  ({res['n_units']} units, {res['level']})",
            *render_one(res, "  "),
        ]
    return "\n".join(lines)


def result_rows(out: dict) -> pd.DataFrame:
    """One row per item and statistic: the tidy form of an agreement result, for CSV/XLSX."""
    rows = []
    for res in out.get("results", [out]):
        stats = {k: res[k] for k in STAT_KEYS} | {
            f"icc {form}": s for form, s in res.get("icc", {}).items()
        }
        for key, stat in stats.items():
            ci = stat.get("ci95") or [None, None]
            rows.append({
                "unit": out.get("unit"), "item": res.get("key", ""), "label": res.get("label", ""),
                "statistic": key, "name": stat["name"], "value": stat["value"], "ci95_low": ci[0], "ci95_high": ci[1],
                "se": stat.get("se"), "band": stat.get("band"), "n_units": res["n_units"], "n_raters": res["n_raters"],
                "level": res["level"], "weights": res["weights"], "reason": stat.get("reason") or stat.get("note"),
            })  # fmt: skip
    return pd.DataFrame(rows)

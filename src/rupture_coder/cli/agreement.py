"""``rupture-coder agreement``: on any tidy table, or on a project's codes."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rupture_coder.domain import BOOTSTRAP, EVENT_METHODS, LEVELS, SEED, WEIGHTS
from rupture_coder.errors import RuptureCoderError, StudyError
from rupture_coder.study.units import UNITS

if TYPE_CHECKING:  # the statistics (pandas, scipy) load when the command runs, not for --help
    from rupture_coder.store.db import Project
    from rupture_coder.study.agreement import (
        ItemAgreement,
        ProjectAgreement,
        ProjectAgreementQuery,
        Statistic,
        TableAgreement,
        TableAgreementQuery,
    )
    from rupture_coder.study.events import EventAgreement, EventAgreementQuery

    Query = TableAgreementQuery | ProjectAgreementQuery | EventAgreementQuery
    Result = TableAgreement | ProjectAgreement | EventAgreement


def add_agreement_parser(sub, parents) -> None:
    p = sub.add_parser(
        "agreement", parents=parents, help="inter-rater agreement on a tidy table or a project",
        description="Agreement on a tidy table (one row per unit x rater) given as FILE, or on the "
        "project's codes when no FILE is given.",
    )  # fmt: skip
    p.add_argument("file", nargs="?", type=Path, metavar="FILE", help="a CSV, TSV or XLSX table")
    p.add_argument(
        "--unit",
        help="FILE: the unit column(s), comma-separated; project: " + "|".join((*UNITS, "events")),
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
    p.add_argument(
        "--categories",
        metavar="A,B,...",
        help="FILE: every category (scale point) in order; unused ones still count",
    )
    p.add_argument(
        "--cluster",
        metavar="COL",
        help="FILE: the column naming each unit's session, for the session bootstrap",
    )
    p.add_argument(
        "--na",
        action="append",
        default=[],
        metavar="VALUE",
        help="FILE: a value that means 'not applicable' (repeatable): its agreement is reported",
    )
    p.add_argument(
        "--positive",
        metavar="VALUE",
        help="the category meaning 'present' for positive/negative agreement (default 1/yes/true/present)",
    )
    p.add_argument(
        "--bootstrap",
        type=int,
        default=BOOTSTRAP,
        metavar="N",
        help=f"resamples of sessions for the bootstrap CIs (default {BOOTSTRAP}; 0: none)",
    )
    p.add_argument("--seed", type=int, default=SEED, help=f"the bootstrap's seed (default {SEED})")
    p.add_argument(
        "--apa", action="store_true", help="print a methods sentence in APA style per result"
    )
    p.add_argument(
        "--subject", help="FILE: what was rated, for the APA sentence (default: the value column)"
    )
    events = p.add_argument_group("events (FILE with --events, or --unit events on a project)")
    events.add_argument(
        "--events",
        action="store_true",
        help="FILE has one row per time-coded event: --rater, --code, --start [--end] [--session]",
    )
    events.add_argument(
        "--code", default="code", metavar="COL", help="FILE: the event's code column"
    )
    events.add_argument(
        "--start", default="start", metavar="COL", help="FILE: the onset column (seconds)"
    )
    events.add_argument(
        "--end", metavar="COL", help="FILE: the offset column (seconds; none: point events)"
    )
    events.add_argument("--session", metavar="COL", help="FILE: the session column")
    events.add_argument(
        "--method",
        choices=EVENT_METHODS,
        default="onset",
        help="pair events by onset within the tolerance, or by overlap (default onset)",
    )
    events.add_argument(
        "--tolerance",
        type=float,
        default=2.0,
        metavar="S",
        help="onset tolerance in seconds, also for time-based kappa (default 2)",
    )
    events.add_argument(
        "--tick",
        type=float,
        default=1.0,
        metavar="S",
        help="the time unit of time-based kappa in seconds (default 1)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run_agreement)


def _split(text: str | None) -> tuple[str, ...] | None:
    return tuple(x.strip() for x in text.split(",") if x.strip()) if text else None


def _codebook(args: argparse.Namespace) -> tuple[str, str] | None:
    codebook = tuple(args.codebook.split("@", 1)) if args.codebook else None
    if codebook is not None and len(codebook) != 2:
        raise StudyError(
            f"--codebook is ID@VERSION, e.g. 3rs-individual@1.0.0; not {args.codebook!r}"
        )
    return codebook


def query_from_args(args: argparse.Namespace) -> Query:
    from rupture_coder.study.agreement import ProjectAgreementQuery, TableAgreementQuery
    from rupture_coder.study.events import EventAgreementQuery, EventTableQuery

    timing = {"method": args.method, "tolerance_s": args.tolerance, "tick_s": args.tick,
              "bootstrap": args.bootstrap, "seed": args.seed}  # fmt: skip
    if args.file and args.events:
        return EventTableQuery(
            path=args.file, rater_column=args.rater or "rater", code_column=args.code,
            start_column=args.start, end_column=args.end, session_column=args.session,
            raters=_split(args.raters), **timing,
        )  # fmt: skip
    if args.file:
        if not (args.unit and args.rater and args.value):
            raise StudyError(
                "with a FILE, give --unit COL, --rater COL and --value COL (or --events)"
            )
        return TableAgreementQuery(
            path=args.file, unit_columns=_split(args.unit) or (), rater_column=args.rater,
            value_column=args.value, level=args.level or "nominal", weights=args.weights,
            missing=tuple(args.missing), categories=_split(args.categories),
            cluster_column=args.cluster, na_values=tuple(args.na), positive=args.positive,
            bootstrap=args.bootstrap, seed=args.seed, subject=args.subject,
        )  # fmt: skip
    if args.events or args.unit == "events":
        return EventAgreementQuery(raters=_split(args.raters), sessions=_split(args.sessions),
                                   codebook=_codebook(args), **timing)  # fmt: skip
    return ProjectAgreementQuery(
        unit=args.unit or "segment-presence", raters=_split(args.raters),
        sessions=_split(args.sessions), codebook=_codebook(args), level=args.level,
        weights=args.weights, bootstrap=args.bootstrap, seed=args.seed,
    )  # fmt: skip


def run_agreement(args: argparse.Namespace, project: Project | None = None) -> int:
    from rupture_coder.study.agreement import (
        TableAgreementQuery,
        project_agreement,
        table_agreement,
    )
    from rupture_coder.study.events import (
        EventAgreementQuery,
        EventTableQuery,
        project_events,
        table_events,
    )

    try:
        query = query_from_args(args)
        if isinstance(query, EventTableQuery):
            result: Result = table_events(query)
        elif isinstance(query, TableAgreementQuery):
            result = table_agreement(query)
        elif isinstance(query, EventAgreementQuery):
            assert project is not None
            result = project_events(project, query)
        else:
            assert project is not None
            result = project_agreement(project, query)
    except RuptureCoderError as exc:
        print(f"rupture-coder agreement: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    elif args.apa:
        print(apa_text(result))
    else:
        print(render(result))
    return 0


def apa_text(result: Result) -> str:
    """The methods sentences, one paragraph per result."""
    from rupture_coder.study.agreement import ProjectAgreement
    from rupture_coder.study.events import EventAgreement

    if isinstance(result, EventAgreement):
        return render_events(result)
    items = result.results if isinstance(result, ProjectAgreement) else (result.result,)
    return "\n\n".join(res.apa for res in items if res.apa)


def _fmt(stat: Statistic) -> str:
    if stat.value is None:
        return f"{'-':>8}  {stat.reason or ''}"
    ci = f"[{stat.ci95[0]:.3f}, {stat.ci95[1]:.3f}]" if stat.has_ci else ""  # type: ignore[index]
    boot = stat.ci95_bootstrap
    boot_text = f"boot [{boot[0]:.3f}, {boot[1]:.3f}]" if boot and None not in boot else ""
    band = stat.band or ""
    if stat.band_ci and stat.band_ci != stat.band:
        band += f" (CI: {stat.band_ci})"
    return f"{stat.value:8.3f}  {ci:<18} {boot_text:<22} {band}".rstrip()


def _line(indent: str, stat: Statistic) -> str:
    return f"{indent}{stat.name[:58]:<58} {_fmt(stat)}"


def render_one(res: ItemAgreement, indent: str = "") -> list[str]:
    from rupture_coder.study.agreement import STAT_KEYS, Statistic

    lines = [_line(indent, res[key]) for key in STAT_KEYS]
    lines += [_line(indent, s) for k, s in res.statistics.items() if k not in STAT_KEYS]
    for group in ("kappa_per_category", "specific_agreement"):
        if group in res.extra and not (
            group == "specific_agreement" and "positive_agreement" in res.statistics
        ):
            lines += [_line(indent, Statistic.from_json(s)) for s in res.extra[group].values()]
    if "na_agreement" in res.extra:
        lines.append(f"{indent}agreement on N/A (was there something to rate?):")
        lines += [
            _line(indent + "  ", Statistic.from_json(s)) for s in res.extra["na_agreement"].values()
        ]
    lines += [_line(indent, stat) for stat in res.icc.values()]
    if "icc_design" in res.extra:
        lines.append(f"{indent}ICC design: {res.extra['icc_design']['design']}")
    if "bootstrap" in res.extra:
        b = res.extra["bootstrap"]
        lines.append(f"{indent}bootstrap: {b['replicates']} resamples of {b['n_clusters']} {b['resampled']}, seed {b['seed']}"
                     + (f"; {b['note']}" if b.get("note") else ""))  # fmt: skip
    return lines


def render_events(result: EventAgreement) -> str:
    from rupture_coder.study.agreement import Statistic

    r = result.result
    lines = [f"Event agreement of {result.raters[0]} (A) and {result.raters[1]} (B) on {result.source}: "
             f"{r['n_sessions']} session(s), {r['method']} matching, tolerance {r['tolerance_s']:g} s",
             "", _line("", result.event_kappa), _line("", result.time_kappa)]  # fmt: skip
    for s in result.sessions:
        ek, tk = Statistic.from_json(s["event_kappa"]), Statistic.from_json(s["time_kappa"])
        show = lambda x: "-" if x.value is None else f"{x.value:.3f}"  # noqa: E731
        lines.append(f"  {s['session']}: {s['events_a']} + {s['events_b']} events, event kappa {show(ek)}, "
                     f"time kappa {show(tk)}")  # fmt: skip
    lines += [f"  skipped: {x}" for x in result.skipped]
    return "\n".join(lines)


def render(result: Result) -> str:
    from rupture_coder.study.agreement import TableAgreement
    from rupture_coder.study.events import EventAgreement

    if isinstance(result, EventAgreement):
        return render_events(result)
    if isinstance(result, TableAgreement):
        res = result.result
        head = (f"Agreement on {result.query.path}: {res.n_units} units with two or more ratings, {res.n_raters} raters "
                f"({', '.join(res.raters)}); level {res.level}, weights {res.weights}")  # fmt: skip
        return "\n".join([head, "", *render_one(res)])
    lines = [
        f"Agreement, unit {result.query.unit}: {result.n_sessions} sessions, raters {', '.join(result.raters)}, "
        f"codebook {'@'.join(result.codebook)}"
    ]
    lines += [f"warning: {w}" for w in result.warnings]
    for res in result.results:
        lines += ["", f"{res.label}  ({res.n_units} units, {res.level})", *render_one(res, "  ")]
    return "\n".join(lines)

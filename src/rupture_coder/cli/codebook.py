"""``rupture-coder codebook validate|show``: check codebook files, print one."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from rupture_coder.errors import CodebookError

if TYPE_CHECKING:  # pydantic and YAML load when a command runs, not for --help
    from rupture_coder.codebook import Codebook


def add_codebook_parser(sub) -> None:
    cb = sub.add_parser("codebook", help="validate or show codebook files")
    cb_sub = cb.add_subparsers(dest="codebook_command", metavar="ACTION", required=True)
    val = cb_sub.add_parser("validate", help="check codebook YAML files; exit 1 if any is refused")
    val.add_argument("files", nargs="+", metavar="FILE")
    val.set_defaults(func=_validate)
    show = cb_sub.add_parser("show", help="print a codebook's items, hotkeys, scales and ratings")
    show.add_argument("file", metavar="FILE")
    show.add_argument("--json", action="store_true", help="print the validated codebook as JSON")
    show.set_defaults(func=_show)


def _validate(args: argparse.Namespace) -> int:
    from rupture_coder.codebook import load_codebook

    failed = 0
    for name in args.files:
        try:
            cb = load_codebook(name)
        except CodebookError as exc:
            failed += 1
            print(f"REFUSED {name}: {len(exc.problems)} problem(s)", file=sys.stderr)
            for problem in exc.problems:
                print(f"  {problem}", file=sys.stderr)
            continue
        print(
            f"OK {name}: {cb.id} {cb.version} ({cb.kind}; {len(cb.items())} items, "
            f"{len(cb.ratings)} ratings, {cb.segment_length_s:g} s segments)"
        )
    return 1 if failed else 0


def describe_codebook(cb: Codebook) -> str:
    lines = [
        f"{cb.title}",
        f"{cb.id} {cb.version} ({cb.kind} codebook)",
        "",
        cb.description.strip(),
        "",
    ]
    lines += [
        f"Provenance: {cb.provenance.strip()}",
        "",
        f"Segment length: {cb.segment_length_s:g} s",
        "",
    ]
    for cat in cb.categories:
        lines.append(f"{cat.label} [{cat.id}]")
        for item in cat.items:
            key = f"[{item.hotkey}]" if item.hotkey else "   "
            roles = f" (actors: {', '.join(item.actor_roles)})" if item.actor_roles else ""
            levels = f" (levels: {', '.join(item.levels)})" if item.levels else ""
            lines.append(f"  {item.id:<4} {key:<9} {item.label} - {item.kind.value}{roles}{levels}")
        for family in cat.families:
            lines.append(f"  family {family.id}: {family.label} ({', '.join(family.items)})")
        lines.append("")
    lines.append("Ratings")
    for r in cb.ratings:
        scale = cb.scale(r.scale)
        na = ", N/A allowed" if scale.allow_na else ""
        na += " only without ruptures" if r.na_only_without_rupture else ""
        lines.append(f"  {r.id:<24} per {r.scope.value:<8} {r.label} ({scale.min}-{scale.max}{na})")
    lines.append("")
    for s in cb.scales:
        lines.append(
            f"Scale {s.id}: " + "; ".join(f"{k} = {v}" for k, v in sorted(s.anchors.items()))
        )
    if cb.group:
        lines += ["", f"Group roles: {', '.join(cb.group.roles)}; levels:"]
        lines += [f"  {lv.id}: {lv.label}" for lv in cb.group.levels]
    for m in cb.mappings:
        changed = ", ".join(f"{k} {v.relation} {v.to}" for k, v in m.items.items())
        lines.append(f"Maps from {m.from_version}: {changed or 'every item to the same id'}")
        if m.note.strip():
            lines.append(f"  {m.note.strip()}")
    return "\n".join(lines)


def _show(args: argparse.Namespace) -> int:
    from rupture_coder.codebook import load_codebook

    try:
        cb = load_codebook(args.file)
    except CodebookError as exc:
        print(f"REFUSED {args.file}:\n{exc}", file=sys.stderr)
        return 1
    print(json.dumps(cb.model_dump(mode="json"), indent=2) if args.json else describe_codebook(cb))
    return 0

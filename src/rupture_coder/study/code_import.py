"""``codes import``: a lab's CODES.csv (and RATINGS.csv) into the project as one undoable command.

Reading is strict: the header must name known columns, each row is one code or rating, and any
problem in either file refuses both, each problem with its file, line and field. The rows are then
checked and written by ``services.code_import.ImportCodes`` exactly as the coding form would.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from rupture_coder.errors import ImportFileError, InputError
from rupture_coder.importers.base import read_text
from rupture_coder.services.code_import import (
    CODE_COLUMNS,
    RATING_COLUMNS,
    ImportCodes,
    ImportResult,
    Row,
    RowProblem,
)
from rupture_coder.services.identity import acting_identity, rater_to_read
from rupture_coder.services.service import ProjectService
from rupture_coder.store.db import Project

MAX_BYTES = 64 * 1024 * 1024  # a CODES.csv of a whole study is a few MB
MAX_CELL = 10_000  # characters: a note, not a document


def read_rows(path: Path, columns: tuple[str, ...], required: tuple[str, ...]) -> list[Row]:
    """The data rows of a CSV file with a header naming some of ``columns``."""
    source = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ImportFileError(
                [RowProblem(source, None, "", f"is {size:,} bytes; the limit is {MAX_BYTES:,}")]
            )
        text, _encoding = read_text(path)
    except OSError as exc:
        raise InputError(f"cannot read {source}: {exc.strerror or exc}") from None
    except ImportFileError as exc:
        if any("binary" in str(p) for p in exc.problems):
            raise ImportFileError(
                [RowProblem(source, None, "", "this is not a text (CSV) file")]
            ) from None
        raise
    if not text.strip():
        raise ImportFileError(
            [RowProblem(source, None, "", "is empty; the first line must name the columns")]
        )
    reader = csv.reader(io.StringIO(text, newline=""))
    problems: list[RowProblem] = []
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as exc:
        raise ImportFileError([RowProblem(source, 1, "", f"not a CSV header: {exc}")]) from None
    for name in header:
        if name and name not in columns:
            problems.append(
                RowProblem(
                    source, 1, name, f"unknown column {name!r} (expected: {', '.join(columns)})"
                )
            )
        if header.count(name) > 1:
            problems.append(RowProblem(source, 1, name, f"column {name!r} appears twice"))
    for name in required:
        if name not in header:
            problems.append(RowProblem(source, 1, name, f"missing column {name!r}"))
    if columns == CODE_COLUMNS and not {"utterance", "time_s", "segment"} & set(header):
        problems.append(
            RowProblem(
                source, 1, "", "the header needs one of the columns utterance, time_s or segment"
            )
        )
    if problems:
        raise ImportFileError(_unique(problems), _message(source, problems))
    rows = []
    line = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(RowProblem(source, line, "", f"not valid CSV: {exc}"))
            break
        if any(c.strip() for c in cells):
            if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
                problems.append(
                    RowProblem(
                        source,
                        line,
                        "",
                        f"{len(cells)} cells, but the header names {len(header)} columns",
                    )
                )
            elif any(len(c) > MAX_CELL for c in cells):
                problems.append(
                    RowProblem(source, line, "", f"a cell is longer than {MAX_CELL:,} characters")
                )
            else:
                rows.append(Row(line, dict(zip(header, cells, strict=False))))
        line = reader.line_num + 1
    if problems:
        raise ImportFileError(problems, _message(source, problems))
    return rows


def _unique(problems: list[RowProblem]) -> list[RowProblem]:
    return list(dict.fromkeys(problems))


def _message(source: str, problems: list[RowProblem]) -> str:
    problems = _unique(problems)
    return f"{source}: {len(problems)} problem(s); nothing was imported:\n" + "\n".join(
        f"  {p}" for p in problems[:20]
    )


def acting_rater(project: Project, rater: str | None) -> str:
    """Whose codes these are. In a coder copy, its own rater (``--rater`` may name only them);
    in a lead's project, ``--rater`` is required (a new name adds a coder)."""
    identity = acting_identity(project)
    if identity.bound:
        assert identity.rater_id is not None
        rater_to_read(project, rater)  # refuses naming another rater
        return identity.rater_id
    if not rater or not rater.strip():
        raise InputError("say whose codes these are with --rater NAME (a rater's name or id)")
    return rater.strip()


def import_codes(
    service: ProjectService, codes: Path, ratings: Path | None = None, rater: str | None = None
) -> ImportResult:
    """Read CODES.csv (and RATINGS.csv), check every row, and add them as one command."""
    who = acting_rater(service.project, rater)
    code_rows = read_rows(Path(codes), CODE_COLUMNS, ("session", "item"))
    rating_rows = read_rows(Path(ratings), RATING_COLUMNS, RATING_COLUMNS) if ratings else []
    command = ImportCodes(
        who, code_rows, rating_rows, Path(codes).name, Path(ratings).name if ratings else ""
    )
    return service.run(command).result

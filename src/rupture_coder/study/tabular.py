"""Tidy tables written to CSV, TSV or XLSX, atomically."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from rupture_coder.errors import StudyError
from rupture_coder.store.files import atomic_write


def atomic_write_table(df: pd.DataFrame, path: str | Path) -> Path:
    """Write CSV (.csv), TSV (.tsv) or XLSX (.xlsx) to ``path`` atomically."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".tsv", ".xlsx"):
        raise StudyError(f"{path.name}: export to .csv, .tsv or .xlsx")

    def write(tmp: Path) -> None:
        if suffix == ".xlsx":
            _write_xlsx(df, str(tmp))
        else:
            df.to_csv(tmp, index=False, sep="\t" if suffix == ".tsv" else ",")

    atomic_write(path, write)
    return path


def _write_xlsx(df: pd.DataFrame, path: str) -> None:
    """Rows straight to xlsxwriter (constant memory): much faster than pandas' cell-by-cell writer."""
    import xlsxwriter

    book = xlsxwriter.Workbook(path, {"constant_memory": True, "nan_inf_to_errors": True})
    sheet = book.add_worksheet("data")
    sheet.write_row(0, 0, [str(c) for c in df.columns])
    clean = df.astype(object).where(df.notna(), None)
    for i, row in enumerate(clean.itertuples(index=False, name=None), start=1):
        sheet.write_row(i, 0, row)
    sheet.freeze_panes(1, 0)
    book.close()

"""The fast CSV writer of the tidy exports writes exactly the bytes pandas' to_csv writes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rupture_coder.store.db import open_project
from rupture_coder.study.exports import study_tables
from rupture_coder.study.tabular import write_delimited

AWKWARD = pd.DataFrame({
    "float": [1.0, np.nan, 300.0, 0.1, 1e16, -0.0, 2.5e-7],
    "Int64": pd.array([1, None, 3, 4, 5, 6, -7], dtype="Int64"),
    "text": ["x,y", 'q"uote', "new\nline", None, "", " sp ", "tab\there"],
    "bool": [True, False, True, True, False, False, True],
    "category": pd.Categorical(["u", "v", "u", None, "v", "u", "w,x"]),
    "mixed": [1, "N/A", 2.5, None, np.nan, "z", True],
    "int": [0, -1, 2, 3, 4, 5, 10**12],
    "carriage": ["a\rb", "", "c", "d", "e", "f", "g"],
})  # fmt: skip


@pytest.mark.parametrize("sep", [",", "\t"])
def test_awkward_values_come_out_as_pandas_writes_them(tmp_path, sep):
    ours, theirs = tmp_path / "ours.csv", tmp_path / "theirs.csv"
    write_delimited(AWKWARD, ours, sep)
    AWKWARD.to_csv(theirs, index=False, sep=sep)
    assert ours.read_bytes() == theirs.read_bytes()


def test_the_study_tables_come_out_as_pandas_writes_them(tmp_path, demo_path):
    project = open_project(demo_path)
    for name, df in study_tables(project).items():
        write_delimited(df, tmp_path / f"{name}.csv")
        df.to_csv(tmp_path / f"{name}-pandas.csv", index=False)
        assert (tmp_path / f"{name}.csv").read_bytes() == (
            tmp_path / f"{name}-pandas.csv"
        ).read_bytes()
    project.close()


cells = st.one_of(st.none(), st.integers(-(10**15), 10**15), st.text(max_size=6),
                  st.floats(allow_nan=True, allow_infinity=False), st.booleans())  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(cells, st.floats(allow_infinity=False), st.text(max_size=4)), max_size=30)
)
def test_any_table_comes_out_as_pandas_writes_it(tmp_path_factory, rows):
    df = pd.DataFrame(rows, columns=["any", "number", "text"])
    folder = tmp_path_factory.mktemp("csv")
    write_delimited(df, folder / "ours.csv")
    df.to_csv(folder / "theirs.csv", index=False)
    assert (folder / "ours.csv").read_bytes() == (folder / "theirs.csv").read_bytes()


def test_negative_zero_is_written_as_pandas_writes_it(tmp_path):
    """0.0 and -0.0 are equal (and hash alike), but pandas writes them apart, in any order."""
    for numbers in ([0.0, -0.0], [-0.0, 0.0]):
        df = pd.DataFrame({"number": numbers, "any": [None, *numbers[1:]]})
        write_delimited(df, tmp_path / "ours.csv")
        df.to_csv(tmp_path / "theirs.csv", index=False)
        assert (tmp_path / "ours.csv").read_bytes() == (tmp_path / "theirs.csv").read_bytes()


def test_text_in_long_runs_comes_out_as_pandas_writes_it(tmp_path):
    """Text repeated over many rows in a row (a rater's, a session's) is factorized by its runs."""
    runs = ["rater a"] * 7 + [None] * 5 + ["x,y"] * 6 + [""] * 4 + ["rater a"] * 9 + ['q"'] * 5
    df = pd.DataFrame({"text": pd.array(runs, dtype="str"), "n": range(len(runs))})
    write_delimited(df, tmp_path / "ours.csv")
    df.to_csv(tmp_path / "theirs.csv", index=False)
    assert (tmp_path / "ours.csv").read_bytes() == (tmp_path / "theirs.csv").read_bytes()


def test_an_empty_table_comes_out_as_pandas_writes_it(tmp_path):
    """A study with no codes yet: its events table has text columns and no rows."""
    df = pd.DataFrame({"text": pd.array([], dtype="str"), "n": pd.array([], dtype="Int64")})
    write_delimited(df, tmp_path / "ours.csv")
    df.to_csv(tmp_path / "theirs.csv", index=False)
    assert (tmp_path / "ours.csv").read_bytes() == (tmp_path / "theirs.csv").read_bytes()

"""Broken and hostile files: always a named refusal, bounded by the caps, nothing changed.

Three layers: crafted files with their expected refusal (tests/data/hostile), bombs generated here
at the sizes that cross the caps, both through the command line as a separate process; and a
property-based fuzz of every importer, seeded from the samples, through the command's own entry
point (in process, so that hypothesis can run many examples).
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import hostile
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rupture_coder.cli import main

DATA = Path(__file__).parent / "data" / "hostile"
EXPECTED = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))
SEEDS = hostile.seeds()


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """rupture-coder as a user runs it: a separate process."""
    return subprocess.run([sys.executable, "-m", "rupture_coder", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)  # fmt: skip


def counts(project: Path) -> tuple:
    con = sqlite3.connect(project)
    try:
        return tuple(
            con.execute(f"select count(*) from {t}").fetchone()[0]
            for t in ("sessions", "utterances", "segments", "audit_log", "codebook_versions")
        )
    finally:
        con.close()


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A project holding one session, made by the command line."""
    path = tmp_path_factory.mktemp("template") / "template.rcproj"
    sample = hostile.SAMPLES / "individual-session-07.txt"
    assert cli("import", str(sample), "--project", str(path)).returncode == 0
    return path


def assert_refused(run: subprocess.CompletedProcess, project: Path, before: tuple) -> dict:
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    assert counts(project) == before  # nothing changed
    out = json.loads(run.stdout)
    assert out["imported"] == [] and "nothing was imported" in out["refused"]
    return out


# -- the crafted corpus, through the command line -------------------------------------------------
def test_every_crafted_file_is_refused_by_name(template, tmp_path):
    project = shutil.copyfile(template, tmp_path / "p.rcproj")
    before = counts(project)
    files = [str(DATA / name) for name in EXPECTED["refused"]]
    out = assert_refused(
        cli("import", *files, "--project", str(project), "--json"), project, before
    )
    for name, (where, message) in EXPECTED["refused"].items():
        mine = [p for p in out["problems"] if Path(p["file"]).name == name]
        assert mine, f"{name}: no problem reported"
        assert any(p["where"] == where and message in p["message"] and p["repair"] is None for p in mine), (name, mine)  # fmt: skip


def test_crafted_files_that_elan_or_a_reader_accepts_are_imported(template, tmp_path):
    project = shutil.copyfile(template, tmp_path / "p.rcproj")
    files = [str(DATA / name) for name in EXPECTED["imported"]]
    run = cli("import", *files, "--project", str(project), "--json", "--on-problem", "repair")
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    out = json.loads(run.stdout)
    got = {s["source_file"]: s["utterances"] for s in out["imported"]}
    for name, (utterances, repaired) in EXPECTED["imported"].items():
        assert got[name] == utterances, name
        mine = [p["message"] for p in out["problems"] if Path(p["file"]).name == name]
        assert (repaired is None and not mine) or any(repaired in m for m in mine), (name, mine)


def test_every_crafted_codebook_is_refused_by_name(tmp_path):
    files = [str(DATA / name) for name in EXPECTED["codebooks"]]
    run = cli("codebook", "validate", *files)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    for name, (place, message) in EXPECTED["codebooks"].items():
        block = run.stderr.split(f"REFUSED {DATA / name}:", 1)[1].split("REFUSED", 1)[0]
        assert place in block and message in block, (name, block)


def test_titles_with_unusual_digits_list_and_sort(template, tmp_path):
    """A title of a superscript digit once broke every listing of the project after its import
    (int('²') in the natural sort); Arabic-Indic digits sort as numbers."""
    project = shutil.copyfile(template, tmp_path / "p.rcproj")
    files = []
    for name, title in (("a.txt", "²"), ("b.txt", "Session ١٠"), ("c.txt", "Session 9")):
        (tmp_path / name).write_text(f"# {title}\nT: hello {name}\n", encoding="utf-8")
        files.append(str(tmp_path / name))
    run = cli("import", *files, "--project", str(project), "--json")
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    listed = cli("sessions", "--project", str(project), "--json")
    assert listed.returncode == 0, listed.stderr
    titles = [s["title"] for s in json.loads(listed.stdout)]
    assert titles.index("Session 9") < titles.index("Session ١٠") and "²" in titles


# -- bombs made here: large inside, small on disk --------------------------------------------------
def test_generated_bombs_are_refused_before_they_inflate(template, tmp_path):
    docx, xlsx = SEEDS["docx"][0], SEEDS["xlsx"][0]
    others = {k: v for k, v in hostile.members_of(docx).items() if k != "word/document.xml"}
    sheet = hostile.members_of(xlsx)["xl/worksheets/sheet1.xml"]
    made = {
        "honest-96mib.docx": hostile.bomb_zip(others, "word/document.xml", 96 * hostile.MiB),
        "many-members.docx": hostile.rezip(docx, {f"junk/{i}": b"" for i in range(1500)}),
        "million-deep.xlsx": hostile.rezip(xlsx, {"xl/worksheets/sheet1.xml": sheet.replace(
            b"</sheetData>", hostile.deep_xml(1_000_000) + b"</sheetData>")}),
        "field-200k.csv": b"speaker,text\nT,\"" + b"w" * 200_000 + b"\"\n",
        "row-of-commas.csv": b"speaker,text\n" + b"," * 2_000_000 + b"\n",
        "one-line-30mib.txt": b"T: " + b"word " * (6 * hostile.MiB),
        "every-row-wrong.csv": b"speaker,start,text\n" + b"T,bad,x\n" * 5000,
    }  # fmt: skip
    expected = {
        "honest-96mib.docx": (
            "member word/document.xml",
            "a member may inflate to at most 64.0 MiB",
        ),
        "many-members.docx": ("zip directory", "an archive may hold at most 1,000 members"),
        "million-deep.xlsx": ("member xl/worksheets/sheet1.xml", "compressed more than 100 to 1"),
        "field-200k.csv": ("line 2", "a field may hold at most 131,072 characters"),
        "row-of-commas.csv": ("line 2", "a record (row) may hold at most 1,048,576 characters"),
        "one-line-30mib.txt": ("line 1", "a line may hold at most 131,072 characters"),
        "every-row-wrong.csv": ("line 1002", "too many problems"),
    }
    for name, data in made.items():
        (tmp_path / name).write_bytes(data)
    assert max(len(d) for d in made.values()) < 40 * hostile.MiB
    assert len(made["honest-96mib.docx"]) < 200_000  # small on disk, 96 MiB inside
    project = shutil.copyfile(template, tmp_path / "p.rcproj")
    before = counts(project)
    run = cli("import", *(str(tmp_path / n) for n in made), "--project", str(project), "--json")
    out = assert_refused(run, project, before)
    for name, (where, message) in expected.items():
        mine = [p for p in out["problems"] if Path(p["file"]).name == name]
        assert any(p["where"] == where and message in p["message"] for p in mine), (name, mine[-3:])


# -- fuzz: every importer, seeded from the samples, through the command's entry point --------------
SPECIALS = [b"\x00", b"\r", b"\n\n\n", b"\xff\xfe", b"\xef\xbb\xbf", b"\xc3", b'"', b",", b"\t",
            b" --> ", b"[99:99:99] ", b"P: ", b"<v ", b"-1", b"1e999", b"<!DOCTYPE x [<!ENTITY a 'b'>]>",
            b"&a;", b"&#0;", b"]]>", b"<a>" * 300, b"</", b'TIME_VALUE="x"', b"\xe2\x80\xae",
            b"# \xc2\xb2\n", b"\xd9\xa3", b'r="\xc2\xb2"']  # fmt: skip


@st.composite
def mutated(draw, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, max(len(out) - 1, 0)))
        op = draw(st.sampled_from(["flip", "insert", "special", "delete", "truncate", "repeat"]))
        if op == "flip" and out:
            out[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            out[at:at] = draw(st.binary(min_size=1, max_size=32))
        elif op == "special":
            out[at:at] = draw(st.sampled_from(SPECIALS))
        elif op == "delete":
            del out[at : at + draw(st.integers(1, 512))]
        elif op == "truncate":
            del out[at:]
        elif op == "repeat":
            piece = out[at : at + draw(st.integers(1, 200))]
            out[at:at] = piece * draw(st.integers(2, 500))
    return bytes(out)


@st.composite
def hostile_file(draw, fmt: str) -> bytes:
    seed = draw(st.sampled_from(SEEDS[fmt]))
    part = hostile.MAIN_PART.get(fmt)
    if part and draw(st.booleans()):  # damage the XML inside, keep the archive readable
        xml = hostile.members_of(seed)[part]
        return hostile.rezip(seed, {part: draw(mutated(xml))})
    return draw(mutated(seed))


def run_main(*args: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, err.getvalue()


@pytest.mark.parametrize("fmt", hostile.FORMATS)
def test_fuzz_every_importer_gives_a_named_refusal_or_an_import(fmt, template, tmp_path):
    project = shutil.copyfile(template, tmp_path / "p.rcproj")
    target = tmp_path / f"fuzzed.{fmt}"

    @settings(max_examples=30, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.function_scoped_fixture])  # fmt: skip
    @given(data=hostile_file(fmt), repair=st.booleans())
    def check(data: bytes, repair: bool) -> None:
        target.write_bytes(data)
        before = counts(project)
        mode = "repair" if repair else "fail"
        code, err = run_main("import", str(target), "--project", str(project), "--json",
                             "--on-problem", mode)  # fmt: skip
        assert code in (0, 1), err
        if code == 1:
            assert str(target) in err and counts(project) == before

    check()


def test_fuzz_codebooks_give_a_named_refusal(tmp_path):
    seed = (hostile.CODEBOOKS / "3rs-individual-1.0.0.yaml").read_bytes()
    target = tmp_path / "fuzzed.yaml"

    @settings(max_examples=40, deadline=None, database=None)
    @given(data=mutated(seed))
    def check(data: bytes) -> None:
        target.write_bytes(data)
        code, err = run_main("codebook", "validate", str(target))
        assert code in (0, 1) and (code == 0 or f"REFUSED {target}" in err), err

    check()


# -- agreement on a table, and a report of a session nobody coded ----------------------------------
def test_agreement_table_refuses_a_bomb_a_folder_and_an_oversized_file_in_one_line(tmp_path):
    """The tidy table `agreement FILE` reads goes through the guards the importers use: a
    workbook's archive and XML are checked before pandas parses it, and the size before reading."""
    args = ("--unit", "u", "--rater", "r", "--value", "v")
    bomb = cli("agreement", str(DATA / "ratio-bomb.xlsx"), *args)
    assert bomb.returncode == 1 and "Traceback" not in bomb.stderr
    assert "ratio-bomb.xlsx" in bomb.stderr and "compress" in bomb.stderr.lower()
    folder = cli("agreement", str(tmp_path), *args)
    assert folder.returncode == 1 and "expected a file" in folder.stderr
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as fh:  # sparse: 300 MB declared, nothing written
        fh.truncate(300 * 1024 * 1024)
    big = cli("agreement", str(huge), *args)
    assert big.returncode == 1 and "larger than the 256.0 MiB accepted" in big.stderr
    assert "Traceback" not in folder.stderr + big.stderr


def test_a_session_report_of_a_session_nobody_coded_is_refused_with_the_reason(tmp_path):
    project = tmp_path / "p.rcproj"
    transcript = Path(__file__).parents[1] / "sample_transcripts" / "individual-session-07.srt"
    made = cli("--project", str(project), "--create", "import", str(transcript))
    assert made.returncode == 0, made.stderr
    out = tmp_path / "r.docx"
    done = cli("report", "--project", str(project), "--session", "individual-session-07",
               "--out", str(out))  # fmt: skip
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "no rater has coded session 'individual-session-07' yet" in done.stderr
    assert not out.exists()

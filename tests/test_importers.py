"""Every transcript format, and every kind of bad input, reported with file and place."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest
from openpyxl import Workbook

from rupture_coder.importers import ImportError_, read_file
from rupture_coder.importers.media import media_session
from rupture_coder.resources import samples_dir

SAMPLES = samples_dir()


def one(result):
    assert len(result.sessions) == 1
    return result.sessions[0]


def problems(result):
    return [(p.where, p.message) for p in result.problems]


# -- the bundled samples, each session in two formats, read the same ------------------------
def test_individual_sample_text_and_srt_agree():
    txt = one(read_file(SAMPLES / "individual-session-07.txt"))
    srt = one(read_file(SAMPLES / "individual-session-07.srt"))
    assert len(txt.utterances) == len(srt.utterances) == 53
    for a, b in zip(txt.utterances, srt.utterances, strict=True):
        assert (a.speaker, a.text, a.start_s) == (b.speaker, b.text, b.start_s)


def test_group_samples_docx_and_csv_agree():
    table = one(read_file(SAMPLES / "group-skills-session-03.docx", kind="group"))
    paragraphs = one(read_file(SAMPLES / "group-skills-session-04.docx", kind="group"))
    both = read_file(SAMPLES / "group-skills-sessions.csv", kind="group")
    assert [s.title for s in both.sessions] == [
        "Skills group, session 3",
        "Skills group, session 4",
    ]
    for docx_session, csv_session in zip((table, paragraphs), both.sessions, strict=True):
        assert docx_session.title == csv_session.title
        assert [(u.speaker, u.text, u.start_s) for u in docx_session.utterances] == [
            (u.speaker, u.text, u.start_s) for u in csv_session.utterances
        ]
    assert {"Leader", "Ravi", "Mia", "Jonas", "Sofia"} == set(table.speakers())
    assert not both.problems and table.kind == "group"


# -- DOCX -----------------------------------------------------------------------------------
def test_docx_table_columns_in_any_order(tmp_path):
    from docx import Document

    doc = Document()
    doc.add_paragraph("Transcript of session 2")
    table = doc.add_table(rows=1, cols=3)
    for cell, name in zip(table.rows[0].cells, ("Utterance", "Speaker", "Start"), strict=True):
        cell.text = name
    for text, who, t in [
        ("Hello.", "T", "00:00:01"),
        ("Hi.", "P", "00:00:04"),
        ("Bad.", "P", "later"),
    ]:
        row = table.add_row().cells
        row[0].text, row[1].text, row[2].text = text, who, t
    path = tmp_path / "table.docx"
    doc.save(path)
    result = read_file(path)
    session = one(result)
    assert [(u.speaker, u.text, u.start_s) for u in session.utterances] == [
        ("T", "Hello.", 1.0),
        ("P", "Hi.", 4.0),
        ("P", "Bad.", None),
    ]
    assert (
        problems(result)[0][0] == "table 1 row 4"
        and "'later' is not a timestamp" in problems(result)[0][1]
    )


def test_a_binary_file_with_a_transcript_extension_is_refused(tmp_path):
    for name in ("fake.docx", "fake.xlsx", "fake.txt", "fake.srt", "fake.csv"):
        path = tmp_path / name
        path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
        with pytest.raises(ImportError_) as caught:
            read_file(path)
        message = str(caught.value)
        assert name in message and ("binary" in message or "not a readable" in message), message


# -- SRT and WebVTT -------------------------------------------------------------------------
SRT = """1
00:00:01,000 --> 00:00:04,000
Therapist: How are you today?

2
00:00:04,500 --> 00:00:06,000
Client: Fine.
I guess.

3
00:00:05,000 --> 00:00:09,000
Therapist: Only fine?

this block has no timing

5
00:00:0x,000 --> 00:00:12,000
Client: Bad start time.

6
00:00:04,000 --> 00:00:13,000
Client: Back in time.

7
00:00:20,000 --> 00:00:19,000
Therapist: Ends before it starts.
"""


def test_srt_cues_speakers_and_every_problem(tmp_path):
    path = tmp_path / "s.srt"
    path.write_text(SRT)
    result = read_file(path)
    s = one(result)
    assert [(u.speaker, u.text) for u in s.utterances][:2] == [
        ("Therapist", "How are you today?"),
        ("Client", "Fine. I guess."),
    ]
    found = problems(result)
    assert found[0][0] == "cue 3 (line 10)" and found[0][1].startswith("overlaps")
    assert found[1] == ("cue 4 (line 14)", "no 'start --> end' timing line")
    assert found[2][0] == "cue 5 (line 16)" and "'00:00:0x,000' is not a timestamp" in found[2][1]
    assert found[3][0] == "cue 6 (line 20)" and found[3][1].startswith("time goes backwards")
    assert found[4] == ("cue 7 (line 24)", "ends before it starts")
    assert result.repairable
    assert (
        s.utterances[1].end_s == 5.0
    )  # the overlap repaired: the earlier cue ends where the next starts


VTT = """WEBVTT - a session

NOTE written by hand

00:01.000 --> 00:03.000
<v Dr Lee>Shall we begin?</v>

00:03.500 --> 00:06.000 align:start
<v.loud Sam>No. I don't want to do this today.

00:06.000 --> 00:08.000
I really don't.
"""


def test_webvtt_voice_tags_notes_and_continuations(tmp_path):
    path = tmp_path / "s.vtt"
    path.write_text(VTT)
    result = read_file(path)
    s = one(result)
    assert [(u.speaker, u.text, u.start_s) for u in s.utterances] == [
        ("Dr Lee", "Shall we begin?", 1.0),
        ("Sam", "No. I don't want to do this today.", 3.5),
        ("Sam", "I really don't.", 6.0),
    ]
    assert not result.problems
    bad = tmp_path / "bad.vtt"
    bad.write_text("00:01.000 --> 00:03.000\nHi\n")
    with pytest.raises(ImportError_, match="starts with 'WEBVTT'"):
        read_file(bad)


# -- CSV, TSV, XLSX --------------------------------------------------------------------------
def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_csv_many_sessions_mapping_and_encodings(tmp_path):
    body = "Sitzung;Nr;Wer;Zeit;Äußerung\n"
    rows = "\n".join(["A;2;P;00:00:05;Zweiter", "A;1;T;00:00:01;Erster", "B;1;T;1.5;Anderer"])
    for encoding, bom in [("utf-8", ""), ("utf-8", "\ufeff"), ("utf-16", ""), ("cp1252", "")]:
        text = (bom + body + rows + "\n").replace("\n", "\r\n").replace(";", ",")
        path = write(tmp_path / f"s-{encoding}-{bool(bom)}.csv", text, encoding)
        result = read_file(path, overrides={"session": "Sitzung", "order": "Nr", "speaker": "Wer",
                                            "start": "Zeit", "text": "Äußerung"})  # fmt: skip
        a, b = result.sessions
        assert [u.text for u in a.utterances] == ["Erster", "Zweiter"]  # sorted by the order column
        assert b.utterances[0].start_s == 1.5 and not result.problems


def test_unknown_and_missing_columns_are_named(tmp_path):
    path = write(tmp_path / "s.csv", "person,said\nT,Hello\n")
    with pytest.raises(ImportError_) as caught:
        read_file(path)
    message = str(caught.value)
    assert "no speaker column found" in message and "--map speaker=COLUMN" in message
    assert "no text column found" in message and "line" not in message.split("found")[0]
    with pytest.raises(
        ImportError_, match="no column 'speaker_name' for speaker; the columns are person, said"
    ):
        read_file(path, overrides={"speaker": "speaker_name", "text": "said"})
    with pytest.raises(ImportError_, match="unknown field 'colour'"):
        read_file(path, overrides={"colour": "person", "speaker": "person", "text": "said"})
    ok = read_file(path, overrides={"speaker": "person", "text": "said"})
    assert one(ok).utterances[0].text == "Hello"


def test_csv_row_problems_are_all_reported(tmp_path):
    text = (
        "session,order,speaker,start,text\n"
        "1,1,T,00:00:01,Hello\n"
        "1,2,,00:00:02,No speaker\n"
        "1,3,P,00:00:03,\n"
        '1,x,P,00:00:04,"Bad order,\nover two lines"\n'
        "2,1,T,00:00:01,Other session\n"
        "1,5,P,00:00:02.5,Backwards\n"
        "1,5,P,00:00:09,Same order\n"
    )
    result = read_file(write(tmp_path / "s.csv", text))
    assert problems(result) == [
        ("line 3", "no speaker"),
        ("line 4", "no utterance text"),
        ("line 5", "order: not a number"),
        ("line 8", "time goes backwards (the utterance before, at line 5, starts at 00:00:04.000)"),
        ("line 9", "order 5 repeats line 8 in session '1'"),
    ]
    assert result.repairable
    first, second = result.sessions
    assert [u.where for u in first.utterances] == ["line 2", "line 3", "line 5", "line 8", "line 9"]
    assert first.utterances[1].speaker == "Unknown"
    assert first.utterances[2].text == "Bad order,\nover two lines"  # a quoted field over two lines
    assert [u.text for u in second.utterances] == ["Other session"]


def test_tsv_and_xlsx(tmp_path):
    tsv = write(
        tmp_path / "s.tsv",
        "speaker\tstart\tend\ttext\nT\t0:01\t0:03\tHi there\nP\t0:03\t0:05\tHello\n",
    )
    s = one(read_file(tsv))
    assert [(u.start_s, u.end_s) for u in s.utterances] == [(1, 3), (3, 5)]
    book = Workbook()
    sheet = book.active
    sheet.append(["transcript_id", "utterance_id", "interlocutor", "timestamp", "utterance_text"])
    sheet.append([7, 0, "therapist", "00:00:13", "Thanks for coming."])
    sheet.append([7, 1, "client", "00:00:24", "Sure."])
    sheet.append([8, 0, "therapist", "bad", "Other."])
    path = tmp_path / "s.xlsx"
    book.save(path)
    result = read_file(path)
    assert [(s.title, len(s.utterances)) for s in result.sessions] == [("s 7", 2), ("s 8", 1)]
    assert problems(result)[0][0] == "row 4"


def test_empty_files_are_refused(tmp_path):
    for name in ("e.txt", "e.csv", "e.srt"):
        path = write(tmp_path / name, "")
        with pytest.raises(ImportError_) as caught:
            result = read_file(path)
            assert result.problems and not result.problems[0].repair
            raise ImportError_(result.problems)
        assert "empty" in str(caught.value) or "no utterances" in str(caught.value)


def test_text_lines_without_a_speaker(tmp_path):
    result = read_file(
        write(tmp_path / "s.txt", "Session notes, not speech\nT: Hello\n  and more\n")
    )
    assert problems(result) == [("line 1", "text before the first 'Speaker: text' line")]
    assert [(u.speaker, u.text) for u in one(result).utterances] == [
        ("Unknown", "Session notes, not speech"),
        ("T", "Hello and more"),
    ]


def test_a_file_of_100k_lines(tmp_path):
    def clock(s: int) -> str:
        return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"

    lines = [f"[{clock(i // 2)}] {'T' if i % 2 else 'P'}: line {i}" for i in range(100_000)]
    session = one(read_file(write(tmp_path / "long.txt", "\n".join(lines))))
    assert len(session.utterances) == 100_000 and session.utterances[-1].start_s == 49_999


# -- ELAN -------------------------------------------------------------------------------------
def test_elan_tiers_become_speakers(tmp_path):
    from pympi.Elan import Eaf

    eaf = Eaf()
    eaf.add_tier("Therapist")
    eaf.add_tier("Client", part="Client A")
    eaf.add_annotation("Therapist", 1000, 3000, "How was it?")
    eaf.add_annotation("Client", 3500, 5000, "Hard.")
    eaf.add_annotation("Therapist", 5200, 6000, "Tell me.")
    path = tmp_path / "s.eaf"
    eaf.to_file(str(path))
    s = one(read_file(path))
    assert [(u.speaker, u.text, u.start_s, u.end_s) for u in s.utterances] == [
        ("Therapist", "How was it?", 1.0, 3.0),
        ("Client A", "Hard.", 3.5, 5.0),
        ("Therapist", "Tell me.", 5.2, 6.0),
    ]


# -- media sessions ------------------------------------------------------------------------------
def make_wav(path: Path, seconds: float) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x00" * int(8000 * seconds))
    return path


def test_media_session_duration_from_the_file_or_given(tmp_path):
    s = media_session(make_wav(tmp_path / "session.wav", 12.5))
    assert s.duration_s == pytest.approx(12.5) and s.media_hash and not s.utterances
    assert media_session(None, 3000, "Video only").duration_s == 3000
    with pytest.raises(ImportError_, match="cannot read the duration"):
        media_session(write(tmp_path / "noise.mp4", "not a video"))
    with pytest.raises(ImportError_, match="needs a duration"):
        media_session(None, None)


def eaf(slots: str, tiers: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<ANNOTATION_DOCUMENT FORMAT="3.0" VERSION="3.0">'
        f'<HEADER TIME_UNITS="milliseconds"/><TIME_ORDER>{slots}</TIME_ORDER>{tiers}'
        '<LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="lt" TIME_ALIGNABLE="true"/></ANNOTATION_DOCUMENT>'
    )


def ann(aid: str, a: str, b: str, text: str) -> str:
    return (
        f'<ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="{aid}" TIME_SLOT_REF1="{a}" '
        f'TIME_SLOT_REF2="{b}"><ANNOTATION_VALUE>{text}</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION>'
    )


def test_elan_unaligned_slots_are_spread_between_their_aligned_neighbours_as_elan_does(tmp_path):
    """Worked by hand. Client: 0 to 1000 ms in three utterances, ELAN's step 1000 / 3 truncated to
    333 ms: 0.333 s and 0.666 s (not 0.667). Therapist: a turn from 1.000 s to 4.000 s in three,
    step (4000 - 1000) / 3 = 1000 ms: 2.000 s and 3.000 s; later 5.000 to 5.600 s in two: 5.300 s.
    Nurse: a last unaligned slot with nothing aligned after it in its tier takes its time from
    the document's time order (between 6000 and 7000 ms: 6.500 s). Other: a last slot with
    nothing aligned after it anywhere leaves its utterance without an end. No
    xsi:noNamespaceSchemaLocation, and a dependent tier, which is not imported."""

    def slot(sid: str, ms: int | None = None) -> str:
        value = "" if ms is None else f' TIME_VALUE="{ms}"'
        return f'<TIME_SLOT TIME_SLOT_ID="{sid}"{value}/>'

    slots = "".join([
        slot("p1", 0), slot("p2"), slot("p3"), slot("p4", 1000),
        slot("t1", 1000), slot("t2"), slot("t3"), slot("t4", 4000), slot("t5", 5000), slot("t6"), slot("t7", 5600),
        slot("n1", 6000), slot("n2"), slot("n3", 7000), slot("n4", 8000), slot("n5"),
    ])  # fmt: skip

    def tier(tier_id: str, extra: str, *annotations: str) -> str:
        return f'<TIER TIER_ID="{tier_id}" LINGUISTIC_TYPE_REF="lt"{extra}>{"".join(annotations)}</TIER>'

    tiers = (
        tier("Therapist", "", ann("a1", "t1", "t2", "So"), ann("a2", "t2", "t3", "what happened"),
             ann("a3", "t3", "t4", "then?"), ann("a4", "t5", "t6", "Go"), ann("a5", "t6", "t7", "on."))
        + tier("P", ' PARTICIPANT="Client"', ann("b1", "p1", "p2", "I"), ann("b2", "p2", "p3", "don't"),
               ann("b3", "p3", "p4", "know."))
        + tier("gloss", ' PARENT_REF="P"', ann("g1", "p1", "p4", "translation"))
        + tier("Nurse", "", ann("c1", "n1", "n2", "Wait"))
        + tier("Other", "", ann("d1", "n3", "n4", "Bye."), ann("d2", "n4", "n5", "End."))
    )  # fmt: skip
    result = read_file(write(tmp_path / "s.eaf", eaf(slots, tiers)))
    got = [(u.speaker, u.text, u.start_s, u.end_s) for u in one(result).utterances]
    assert got == [
        ("Client", "I", 0.0, 0.333),
        ("Client", "don't", 0.333, 0.666),
        ("Client", "know.", 0.666, 1.0),
        ("Therapist", "So", 1.0, 2.0),
        ("Therapist", "what happened", 2.0, 3.0),
        ("Therapist", "then?", 3.0, 4.0),
        ("Therapist", "Go", 5.0, 5.3),
        ("Therapist", "on.", 5.3, 5.6),
        ("Nurse", "Wait", 6.0, 6.5),
        ("Other", "Bye.", 7.0, 8.0),
        ("Other", "End.", 8.0, None),
    ]
    assert result.problems == []


def test_the_edges_of_the_time_caps(tmp_path):
    slots = '<TIME_SLOT TIME_SLOT_ID="t1" TIME_VALUE="86399000"/><TIME_SLOT TIME_SLOT_ID="t2" TIME_VALUE="86400000"/>'
    result = read_file(
        write(
            tmp_path / "ok.eaf",
            eaf(slots, '<TIER TIER_ID="T">' + ann("a", "t1", "t2", "x") + "</TIER>"),
        )
    )
    assert result.problems == [] and one(result).utterances[0].end_s == 86_400.0
    slots = slots.replace("86400000", "86400001")
    result = read_file(
        write(
            tmp_path / "late.eaf",
            eaf(slots, '<TIER TIER_ID="T">' + ann("a", "t1", "t2", "x") + "</TIER>"),
        )
    )
    assert problems(result) == [
        ("time slot t2", "TIME_VALUE: expected whole milliseconds from 0 to 24 hours")
    ]
    text = "speaker,start,text\nT,0,a\nP,0.5,b\nT,24:00:00,c\nP,24:00:01,d\n"
    result = read_file(write(tmp_path / "edges.csv", text))
    assert problems(result) == [
        ("line 5", "start: '24:00:01' is outside 0 to 24:00:00 (a session is at most 24 hours)")
    ]
    assert [u.start_s for u in one(result).utterances] == [0.0, 0.5, 86_400.0, None]


def test_a_file_is_refused_past_1000_problems_not_at_1000(tmp_path):
    rows = "".join(f"T,bad{i},x\n" for i in range(1000))
    result = read_file(write(tmp_path / "a.csv", "speaker,start,text\n" + rows))
    assert len(result.problems) == 1000 and result.repairable
    with pytest.raises(ImportError_) as caught:
        read_file(write(tmp_path / "b.csv", "speaker,start,text\n" + rows + "T,bad,x\n"))
    assert (
        len(caught.value.problems) == 1001
        and "too many problems" in caught.value.problems[-1].message
    )


def test_an_utterance_of_many_continuation_lines_is_capped(tmp_path):
    ok = "T: start\n" + "w" * 99 + "\n" + ("w" * 99 + "\n") * 1300  # 130,100 characters with spaces
    assert len(one(read_file(write(tmp_path / "ok.txt", ok))).utterances[0].text) == 5 + 1301 * 100
    with pytest.raises(ImportError_, match="line 1312: an utterance may hold at most 131,072"):
        read_file(write(tmp_path / "long.txt", "T: start\n" + ("w" * 99 + "\n") * 2000))


def test_elan_damage_is_named_with_its_tier_annotation_or_slot(tmp_path):
    slots = '<TIME_SLOT TIME_SLOT_ID="t1" TIME_VALUE="1000"/><TIME_SLOT TIME_SLOT_ID="t2" TIME_VALUE="x"/>'
    tiers = (
        '<TIER TIER_ID="T">'
        + ann("a1", "t1", "t2", "Hi")
        + ann("a2", "t2", "t9", "Lost")
        + "</TIER>"
    )
    result = read_file(write(tmp_path / "s.eaf", eaf(slots, tiers)))
    assert problems(result) == [
        ("time slot t2", "TIME_VALUE: expected whole milliseconds from 0 to 24 hours"),
        ("tier 'T' annotation a2", "refers to a time slot that does not exist"),
    ]
    assert result.repairable and [u.text for u in one(result).utterances] == ["Hi"]
    with pytest.raises(ImportError_, match="root element: not an ELAN file"):
        read_file(write(tmp_path / "x.eaf", "<html/>"))
    with pytest.raises(ImportError_, match="a document type declaration"):
        read_file(write(tmp_path / "d.eaf", '<!DOCTYPE x [<!ENTITY a "b">]><ANNOTATION_DOCUMENT/>'))


def test_a_time_right_after_the_speaker_is_read_in_text_and_docx(tmp_path):
    from docx import Document

    lines = ["P: [00:00:05] Hi.", "Therapist: 00:00:12 ok", "P: [laughs] yes", "T: [00:0x:15] odd"]
    expected = [
        ("P", 5.0, "Hi."),
        ("Therapist", 12.0, "ok"),
        ("P", None, "[laughs] yes"),
        ("T", None, "odd"),
    ]
    result = read_file(write(tmp_path / "s.txt", "\n".join(lines)))
    assert [(u.speaker, u.start_s, u.text) for u in one(result).utterances] == expected
    assert problems(result) == [("line 4", "start: '00:0x:15' is not a timestamp (expected hh:mm:ss, "
                                 "hh:mm:ss.mmm, hh:mm:ss,mmm, mm:ss or seconds)")]  # fmt: skip
    doc = Document()
    for line in lines:
        doc.add_paragraph(line)
    doc.save(tmp_path / "s.docx")
    result = read_file(tmp_path / "s.docx")
    assert [(u.speaker, u.start_s, u.text) for u in one(result).utterances] == expected
    assert problems(result)[0][0] == "paragraph 4"


def test_caps_on_lines_fields_rows_and_times_are_named(tmp_path):
    cases = {
        "long.txt": ("T: " + "w" * 140_000, "line 1: a line may hold at most 131,072 characters"),
        "field.csv": ('speaker,text\nT,"' + "w" * 140_000 + '"\n', "line 2: not readable as CSV: a field may hold at most 131,072"),
        "wide.csv": ("speaker,text\n" + "x," * 1500 + "\n", "line 2: a row may hold at most 1,000 cells"),
        "cue.srt": ("1\n00:00:01,000 --> 00:00:02,000\n" + "T: words\n" * 20_000, "cue 1 (line 1): a cue may hold at most 131,072"),
    }  # fmt: skip
    for name, (text, message) in cases.items():
        with pytest.raises(ImportError_, match=message.replace("(", r"\(").replace(")", r"\)")):
            read_file(write(tmp_path / name, text))
    text = f"speaker,start,text\nT,99:00:00,x\nP,{'9' * 35},y\nT,-5,z\n"  # 1e35 seconds
    result = read_file(write(tmp_path / "t.csv", text))
    assert [p[0] for p in problems(result)] == ["line 2", "line 3", "line 4"]
    assert [("outside 0 to 24:00:00" in p[1]) for p in problems(result)] == [True, True, False]

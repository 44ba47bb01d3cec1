"""Plain-text transcripts (the first importer; the import issue adds the other formats)."""

from __future__ import annotations

import pytest

from rupture_coder.importers import ImportError_, parse_text_transcript
from rupture_coder.services.segmentation import plan_segments
from rupture_coder.timestamps import parse_timestamp


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("01:02:03", 3723),
        ("01:02:03.5", 3723.5),
        ("01:02:03,250", 3723.25),
        ("02:03", 123),
        ("75.5", 75.5),
        ("[00:00:09]", 9),
    ],
)
def test_timestamp_forms(text, seconds):
    assert parse_timestamp(text) == pytest.approx(seconds)


def test_speakers_times_continuations_and_problems(tmp_path):
    f = tmp_path / "s.txt"
    f.write_bytes(
        "\ufeff# My session\r\n[00:00:05] T: Hello.\r\nP [00:00:09]: Hi: there.\r\n  more words\r\n"
        "00:01:10 Therapist: Ok\r\n[00:01:00] T: back in time\r\n[00:xx] P: bad\r\n".encode()
    )
    result = parse_text_transcript(f)
    (s,) = result.sessions
    assert s.title == "My session"
    assert [(u.speaker, u.start_s) for u in s.utterances] == [
        ("T", 5),
        ("P", 9),
        ("Therapist", 70),
        ("T", None),
        ("P", None),
    ]
    assert s.utterances[1].text == "Hi: there. more words"
    assert s.utterances[0].end_s == 9
    messages = [(p.where, p.message.split(" (")[0]) for p in result.problems]
    assert messages == [
        ("line 6", "time goes backwards"),
        ("line 7", "start: '00:xx' is not a timestamp"),
    ]
    assert result.repairable


def test_cp1252_and_binary_files(tmp_path):
    f = tmp_path / "latin.txt"
    f.write_bytes("T: Ça va, Zoë?\n".encode("cp1252"))
    assert parse_text_transcript(f).sessions[0].utterances[0].text == "Ça va, Zoë?"
    b = tmp_path / "binary.txt"
    b.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(ImportError_, match="binary file"):
        parse_text_transcript(b)


def test_fixed_segments_keep_a_partial_last_one(tmp_path):
    f = tmp_path / "s.txt"
    f.write_text("".join(f"[{m:02d}:{s:02d}] T: x\n" for m in range(0, 11) for s in (0, 30)))
    utts = parse_text_transcript(f).sessions[0].utterances
    plans = plan_segments(utts, 300)
    assert [(p.start_s, p.end_s, p.first_position, p.last_position, p.partial) for p in plans] == [
        (0, 300, 0, 9, False),
        (300, 600, 10, 19, False),
        (600, 630, 20, 21, True),
    ]

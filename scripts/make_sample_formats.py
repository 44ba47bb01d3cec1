"""Write the sample transcripts in their other formats from the .txt originals.

Run: .venv/bin/python scripts/make_sample_formats.py  (writes into sample_transcripts/)
"""

from __future__ import annotations

import csv
from pathlib import Path

from docx import Document

from rupture_coder.importers import parse_text_transcript
from rupture_coder.timestamps import format_timestamp

SAMPLES = Path(__file__).resolve().parents[1] / "sample_transcripts"


def srt_time(seconds: float) -> str:
    return format_timestamp(seconds, millis=True).replace(".", ",")


def write_srt(src: Path, dest: Path) -> None:
    session = parse_text_transcript(src).sessions[0]
    cues = []
    for n, u in enumerate(session.utterances, start=1):
        end = u.end_s if u.end_s is not None else u.start_s + 4
        cues.append(f"{n}\n{srt_time(u.start_s)} --> {srt_time(end)}\n{u.speaker}: {u.text}\n")
    dest.write_text("\n".join(cues), encoding="utf-8")


def write_csv(sources: list[Path], dest: Path) -> None:
    with dest.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["session", "turn", "speaker", "start", "text"])
        for src in sources:
            session = parse_text_transcript(src).sessions[0]
            for n, u in enumerate(session.utterances, start=1):
                out.writerow([session.title, n, u.speaker, format_timestamp(u.start_s), u.text])


def write_docx_table(src: Path, dest: Path) -> None:
    session = parse_text_transcript(src).sessions[0]
    doc = Document()
    doc.core_properties.title = session.title
    doc.add_heading(session.title, level=1)
    table = doc.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, ("Time", "Speaker", "Text"), strict=True):
        cell.text = name
    for u in session.utterances:
        row = table.add_row().cells
        row[0].text, row[1].text, row[2].text = format_timestamp(u.start_s), u.speaker, u.text
    doc.save(dest)


def write_docx_paragraphs(src: Path, dest: Path) -> None:
    session = parse_text_transcript(src).sessions[0]
    doc = Document()
    doc.add_heading(session.title, level=1)
    for u in session.utterances:
        doc.add_paragraph(f"[{format_timestamp(u.start_s)}] {u.speaker}: {u.text}")
    doc.save(dest)


def main() -> None:
    write_srt(SAMPLES / "individual-session-07.txt", SAMPLES / "individual-session-07.srt")
    group = [SAMPLES / "group-skills-session-03.txt", SAMPLES / "group-skills-session-04.txt"]
    write_csv(group, SAMPLES / "group-skills-sessions.csv")
    write_docx_table(group[0], SAMPLES / "group-skills-session-03.docx")
    write_docx_paragraphs(group[1], SAMPLES / "group-skills-session-04.docx")
    print("wrote the sample transcripts' other formats")


if __name__ == "__main__":
    main()

"""The fast paths of a merge's writes give what the plain ones gave: a package's row decoded with
its text kept for the audit (``decode_pair``) is what ``encode_row`` writes, and ``bulk_insert``
stores exactly what SQLAlchemy's own insert stored, refusing a row that lacks a column."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import insert, select, text

from rupture_coder.services.recorder import bulk_insert, decode, decode_pair, encode_row
from rupture_coder.store.models import CodeEvent, Rater

TABLE = CodeEvent.__table__
EMPTY = {c.key: None for c in TABLE.c}

moments = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5))]),
)  # fmt: skip
spellings = st.sampled_from(
    [lambda d: d.isoformat(), lambda d: d.isoformat(sep=" "),
     lambda d: d.isoformat(timespec="microseconds"), lambda d: d.isoformat(timespec="seconds"),
     lambda d: d.astimezone(UTC).isoformat().replace("+00:00", "Z")]
)  # fmt: skip


@given(moments, spellings)
def test_decode_pair_gives_what_encode_row_gives(moment, spell):
    written = spell(moment)
    row = dict(EMPTY, created_at=written, updated_at=written)
    decoded, encoded = decode_pair(TABLE, row)
    assert decoded == decode(TABLE, row)
    assert encoded == encode_row(TABLE, decoded)


def test_decode_pair_keeps_the_row_when_its_times_need_nothing():
    row = dict(EMPTY, created_at="2026-12-06T19:21:12.092956+00:00", updated_at=None)
    assert decode_pair(TABLE, row)[1] is row
    other = dict(row, created_at="2026-12-06T19:21:12.000000+00:00")  # isoformat drops .000000
    assert decode_pair(TABLE, other)[1]["created_at"] == "2026-12-06T19:21:12+00:00"
    with pytest.raises(KeyError):
        decode_pair(TABLE, dict(row, nonsense=1))


def _stored(db, ids):
    cols = ", ".join(c.key for c in TABLE.c)
    found = db.execute(text(f"SELECT {cols} FROM code_events WHERE id IN ({', '.join(repr(i) for i in ids)}) ORDER BY id"))  # fmt: skip
    return [tuple(r) for r in found]


def test_bulk_insert_stores_what_sqlalchemy_stores(service):
    from helpers import IND, make_session

    session, utts, segments, _people = make_session(service, n=5)
    with service.project.new_session() as db, db.begin():
        rater = Rater(name="Ann", role="coder")
        db.add(rater)
        db.flush()
        rows = []
        for k, when in enumerate((datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
                                  datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2))))):  # fmt: skip
            rows.append(dict(EMPTY, id=f"{k}" * 32, session_id=session.id, rater_id=rater.id,
                             codebook_id=IND[0], codebook_version=IND[1], item_id="W1",
                             first_utterance_id=utts[k].id, start_s=1.5 if k else None,
                             end_s=2 if k else None, count=1, note="n", flagged=bool(k),
                             flag_reason="", created_at=when, updated_at=when))  # fmt: skip
        bulk_insert(db, CodeEvent, rows[:1])
        fast = _stored(db, [rows[0]["id"]])
        db.execute(text("DELETE FROM code_events"))
        db.execute(insert(TABLE), rows[:1])
        assert _stored(db, [rows[0]["id"]]) == fast
        bulk_insert(db, CodeEvent, rows[1:])
        fast = _stored(db, [rows[1]["id"]])
        db.execute(text("DELETE FROM code_events"))
        db.execute(insert(TABLE), rows[1:])
        assert _stored(db, [rows[1]["id"]]) == fast
        lacking = {k: v for k, v in rows[0].items() if k != "note"}
        with pytest.raises(ValueError, match="needs every column"):
            bulk_insert(db, CodeEvent, [dict(rows[0], id="x" * 32), lacking])
        assert db.scalar(select(CodeEvent.id).where(CodeEvent.id == "x" * 32)) is None
        db.rollback()

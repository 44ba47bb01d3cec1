"""Change notices in domain terms: what a command (or an undo) changed, as the views think of it.

Every table maps to one topic; a view asks ``notice.touches(Topic.CODES, ...)`` instead of naming
tables, and may narrow further by the sessions or codes the change concerned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rupture_coder.services.recorder import RowChange


class Topic(StrEnum):
    SESSIONS = "sessions"  # sessions, their transcripts, participants and segments
    RATERS = "raters"
    CODEBOOKS = "codebooks"
    CODES = "codes"
    RATINGS = "ratings"  # segment and session ratings
    COMPLETION = "completion"  # a rater marked a session complete (or not)
    DECISIONS = "decisions"  # consensus decisions
    COMMENTS = "comments"  # supervisor review comments
    GOLD = "gold"  # gold-standard sessions
    SETTINGS = "settings"


#: Topics whose changes concern every session, not one.
PROJECT_WIDE = frozenset({Topic.RATERS, Topic.CODEBOOKS, Topic.SETTINGS})

TOPIC_OF_TABLE: dict[str, Topic] = {
    "sessions": Topic.SESSIONS,
    "utterances": Topic.SESSIONS,
    "participants": Topic.SESSIONS,
    "segments": Topic.SESSIONS,
    "raters": Topic.RATERS,
    "rater_keys": Topic.RATERS,
    "merged_packages": Topic.RATERS,
    "codebook_versions": Topic.CODEBOOKS,
    "code_events": Topic.CODES,
    "segment_ratings": Topic.RATINGS,
    "session_ratings": Topic.RATINGS,
    "session_completions": Topic.COMPLETION,
    "consensus_decisions": Topic.DECISIONS,
    "review_comments": Topic.COMMENTS,
    "gold_sessions": Topic.GOLD,
    "project_settings": Topic.SETTINGS,
}


def topic_of(table: str) -> Topic:
    try:
        return TOPIC_OF_TABLE[table]
    except KeyError:
        raise KeyError(f"table {table!r} has no change topic; add it to TOPIC_OF_TABLE") from None


@dataclass
class Notice:
    """What changed since the last notice: topics, and the sessions and codes concerned.

    ``everything`` says the whole project may differ (another project was opened): every view
    reloads.
    """

    topics: set[Topic] = field(default_factory=set)
    session_ids: set[str] = field(default_factory=set)
    code_ids: set[str] = field(default_factory=set)
    everything: bool = False
    some_sessions_unknown: bool = False  # an update that did not touch its row's session_id

    def add_changes(self, changes: tuple[RowChange, ...] | list[RowChange]) -> None:
        for change in changes:
            topic = topic_of(change.table)
            self.topics.add(topic)
            row = change.after or change.before or {}
            if change.table == "sessions":
                self.session_ids.add(str(change.pk["id"]))
            elif row.get("session_id") is not None:
                self.session_ids.add(str(row["session_id"]))
            elif topic not in PROJECT_WIDE:
                self.some_sessions_unknown = True
            if topic is Topic.CODES:
                self.code_ids.add(str(change.pk["id"]))

    def merge(self, other: Notice) -> None:
        self.topics |= other.topics
        self.session_ids |= other.session_ids
        self.code_ids |= other.code_ids
        self.everything |= other.everything
        self.some_sessions_unknown |= other.some_sessions_unknown

    def touches(self, *topics: Topic) -> bool:
        return self.everything or any(t in self.topics for t in topics)

    def touches_session(self, session_id: str | None, *topics: Topic) -> bool:
        """True when one of ``topics`` changed for ``session_id``, or one that concerns every
        session (raters, codebooks, settings) changed."""
        if self.everything:
            return True
        changed = self.topics & set(topics)
        if changed & PROJECT_WIDE:
            return True
        return bool(changed) and (session_id in self.session_ids or self.some_sessions_unknown)

    @classmethod
    def whole_project(cls) -> Notice:
        return cls(set(Topic), everything=True)

"""Supervisor review comments: add one, set its status, read a session's comments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sqlalchemy import select

from rupture_coder.errors import CommandError
from rupture_coder.services.queries import CommentRow, plain
from rupture_coder.store.db import Db, Project
from rupture_coder.store.models import ReviewComment, Session, utcnow


@dataclass
class AddComment:
    session_id: str
    text: str
    author: str
    code_id: str | None = None
    segment_id: str | None = None
    command_name: ClassVar[str] = "add review comment"

    def describe(self) -> str:
        return "add a supervisor comment"

    def apply(self, db: Db) -> ReviewComment:
        if not self.text.strip():
            raise CommandError("a comment needs text")
        if db.get(Session, self.session_id) is None:
            raise CommandError(f"no session {self.session_id}")
        comment = ReviewComment(session_id=self.session_id, code_id=self.code_id, segment_id=self.segment_id,
                                author=self.author, text=self.text.strip())  # fmt: skip
        db.add(comment)
        db.flush()
        return comment


@dataclass
class SetCommentStatus:
    comment_id: str
    status: str
    command_name: ClassVar[str] = "set review status"

    def describe(self) -> str:
        return f"mark comment {self.status}"

    def apply(self, db: Db) -> None:
        if self.status not in ("open", "reviewed"):
            raise CommandError("status is 'open' or 'reviewed'")
        comment = db.get(ReviewComment, self.comment_id)
        if comment is None:
            raise CommandError(f"no comment {self.comment_id}")
        comment.status, comment.updated_at = self.status, utcnow()


def comments_for_session(project: Project, session_id: str) -> list[CommentRow]:
    with project.read() as db:
        query = (
            select(ReviewComment)
            .filter_by(session_id=session_id)
            .order_by(ReviewComment.created_at)
        )
        return [plain(CommentRow, c) for c in db.scalars(query)]

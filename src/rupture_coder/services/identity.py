"""Who acts in a project: its raters, their roles, and what each role may read and change.

A **lead's project** holds every rater's work; its leads add raters and set their roles, merge
packages, reconcile, calibrate and report; a supervisor reviews and reads the study's results. A
**coder copy** is a project bound to one rater (the project setting ``bound_rater_id``): it holds
the sessions, the codebook versions and that rater's own codes only, and always acts as that rater.

The checks live here, below every surface: ``ProjectService.run`` asks ``authorize`` before each
command, and the study use cases (agreement, exports, reports, calibration, review, packages of
another rater) ask ``require_role`` before they read other raters' data. The GUI hides what a role
may not use; the CLI and the GUI get the same ``NotAllowed`` with the same message.

What this protects against is accidental unblinding and misattribution in a local file, not a
person who opens the SQLite file by hand (see docs/study.md, "Threat model").
"""

from __future__ import annotations

import getpass
import secrets
from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy import func, select

from rupture_coder.errors import CommandError, NotAllowed
from rupture_coder.store.db import Db, Project
from rupture_coder.store.models import CodeEvent, ProjectSetting, Rater, RaterKey

BOUND_KEY = "bound_rater_id"  # the project setting that makes a project one rater's coder copy
ROLES = ("coder", "lead", "supervisor")  # the roles a lead gives ("consensus" is the app's own)
LEAD = ("lead",)
LEAD_OR_SUPERVISOR = ("lead", "supervisor")

# commands only a lead runs (a coder or a supervisor is refused, in a copy or a lead's project)
LEAD_COMMANDS = frozenset(
    {
        "merge rater packages",
        "reconcile",
        "accept agreements",
        "mark gold standard",
        "add rater",
        "set rater role",
        "issue rater key",
    }
)
REVIEW_COMMANDS = frozenset({"add review comment", "set review status"})
# commands that change what every rater shares: refused in a coder copy (its sessions and
# codebooks must stay those of the lead's project, or its package would not merge). A coder may
# import a new session: it travels in their package and the lead's merge checks it.
SHARED_COMMANDS = frozenset(
    {
        "delete session",
        "resegment session",
        "attach transcript",
        "register codebook",
        "set setting",
    }
)


@dataclass(frozen=True)
class Identity:
    """The person a command or a read acts for.

    ``rater_id`` is None only in a lead's project that has no lead yet: its maker acts as lead
    until they name one (the GUI's first name typed, or ``raters add NAME --role lead``)."""

    rater_id: str | None
    name: str
    role: str
    bound: bool = False  # the rater a coder copy is bound to

    @property
    def is_lead(self) -> bool:
        return self.role == "lead"

    def describe(self) -> str:
        if self.bound:
            return f"this is {self.name}'s coder copy, which acts only as {self.name}"
        return f"{self.name} is a {self.role}"


def bound_rater(db: Db) -> str | None:
    """The rater id a coder copy is bound to; None in a lead's project."""
    try:
        row = db.get(ProjectSetting, BOUND_KEY)
    except ValueError:  # the stored value is not JSON: a damaged or hand-edited file
        raise NotAllowed(
            f"this project's setting {BOUND_KEY} is damaged (not JSON), so whose copy it is "
            "cannot be known; ask the lead for a new coder copy"
        ) from None
    return str(row.value) if row is not None and row.value else None


def find_rater(db: Db, key: str) -> Rater | None:
    """The rater with this id, else with this name (case and outer spaces ignored)."""
    from rupture_coder.services.project import rater_named

    key = key.strip()
    return db.get(Rater, key) or rater_named(db, key)


def _identity(db: Db) -> Identity:
    bound = bound_rater(db)
    if bound is not None:
        me = db.get(Rater, bound)
        if me is None:
            raise NotAllowed(
                f"this coder copy is bound to rater {bound}, who is not in it (a damaged or "
                "edited copy); ask the lead for a new coder copy"
            )
        return Identity(me.id, me.name, "coder", bound=True)  # whatever its row says
    lead = db.scalar(select(Rater).filter_by(role="lead").order_by(Rater.created_at))
    if lead is not None:
        return Identity(lead.id, lead.name, lead.role)
    return Identity(None, _user(), "lead")


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in this environment
        return "the project's maker"


def acting_identity(project: Project) -> Identity:
    """Who a command acts for when no person chose: a coder copy's own rater, else the lead."""
    with project.read() as db:
        return _identity(db)


def identity_of(project: Project, rater_id: str | None) -> Identity:
    """The identity of the rater chosen in the GUI; a coder copy is always its own rater."""
    with project.read() as db:
        default = _identity(db)
        if default.bound or rater_id is None:
            return default
        me = db.get(Rater, rater_id)
        return default if me is None else Identity(me.id, me.name, me.role)


def is_coder_copy(project: Project) -> bool:
    with project.read() as db:
        return bound_rater(db) is not None


def copy_rater(project: Project) -> str | None:
    """The rater id a coder copy is bound to (None: a lead's project)."""
    with project.read() as db:
        return bound_rater(db)


def require_role(
    project: Project, roles: tuple[str, ...], what: str, identity: Identity | None = None
) -> Identity:
    """The identity (``identity``, else the acting one), or NotAllowed when its role is not one
    of ``roles``. A coder copy is always its own rater, whoever the caller says acts."""
    actual = acting_identity(project)
    if not actual.bound and identity is not None:
        actual = identity
    if actual.role not in roles and not (not actual.bound and _no_lead(project)):
        raise NotAllowed(refusal(actual, roles, what))
    return actual


def _no_lead(project: Project) -> bool:
    """A lead's project with no lead yet (a new one, the demo): whoever opens it may use every
    tool until a lead is named (docs/study.md), as the commands' own check allows."""
    with project.read() as db:
        return _no_lead_in(db)


def _no_lead_in(db: Db) -> bool:
    return db.scalar(select(Rater.id).filter_by(role="lead").limit(1)) is None


def refusal(identity: Identity, roles: tuple[str, ...], what: str) -> str:
    who = " or ".join(f"a {r}" for r in roles)
    blind = " (blind coding: a coder sees only their own codes)" if identity.role == "coder" else ""
    return f"{what} is for {who}; {identity.describe()}{blind}"


def rater_to_read(project: Project, rater: str | None, identity: Identity | None = None) -> str:
    """The id of the rater whose codes a read may show: in a coder copy (or for a coder) only
    the acting rater's own (naming another is refused); else the one named."""
    actual = acting_identity(project)
    if not actual.bound and identity is not None:
        actual = identity
    with project.read() as db:
        found = find_rater(db, rater) if rater else None
    if actual.bound or (actual.role == "coder" and not _no_lead(project)):
        if rater and (found is None or found.id != actual.rater_id):
            raise NotAllowed(
                f"{actual.describe()}: a coder reads only their own codes, not {rater!r}"
            )
        assert actual.rater_id is not None  # a coder is always a stored rater
        return actual.rater_id
    if not rater:
        raise CommandError("say which rater: --rater NAME (see rupture-coder raters)")
    if found is None:
        raise CommandError(f"no rater {rater!r} in this project; see rupture-coder raters")
    return found.id


# -- the check before every command ---------------------------------------------------------------
def _owner(db: Db, cmd: Any) -> str | None:
    """The rater whose codes or ratings a command changes, when it names one."""
    rater_id = getattr(cmd, "rater_id", None)
    if rater_id is not None:
        return str(rater_id)
    code_id = getattr(cmd, "code_id", None)
    if code_id is not None:
        code = db.get(CodeEvent, code_id)
        return code.rater_id if code is not None else None
    rater = getattr(cmd, "rater", None)
    if isinstance(rater, str):
        found = find_rater(db, rater)
        return found.id if found is not None else f"new rater {rater!r}"
    return None


def authorize(db: Db, rater_id: str | None, cmd: Any) -> None:
    """Refuse (NotAllowed) a command the acting rater's role may not run. ``rater_id`` is who
    the surface says acts (None: nobody chose, as in scripts); a coder copy acts as its rater."""
    name: str = cmd.command_name
    bound = bound_rater(db)
    if bound is not None:
        if rater_id is not None and rater_id != bound:
            raise NotAllowed("this coder copy acts only as the rater it was made for")
        rater_id = bound
        if name in SHARED_COMMANDS and not (
            name == "set setting" and getattr(cmd, "internal", False) and cmd.key != BOUND_KEY
        ):
            raise NotAllowed(
                f"{cmd.describe()}: a coder copy keeps the lead's sessions, codebooks and "
                "settings; ask the lead to change them in the lead's project"
            )
    if rater_id is None:
        return
    if bound is None and _no_lead_in(db):
        return  # a lead's project with no lead yet is its maker's (they name the lead)
    me = db.get(Rater, rater_id)
    if me is None:
        return  # a rater being added by this very command (the first name typed in a new project)
    role = "coder" if bound is not None else me.role  # a coder copy is a coder's
    identity = Identity(me.id, me.name, role, bound=bound is not None)
    if identity.role == "lead" and not identity.bound:
        return
    if name in LEAD_COMMANDS:
        raise NotAllowed(refusal(identity, LEAD, cmd.describe()))
    if name in REVIEW_COMMANDS:  # comments on a code do not change it
        if identity.role not in LEAD_OR_SUPERVISOR:
            raise NotAllowed(refusal(identity, LEAD_OR_SUPERVISOR, cmd.describe()))
        return
    owner = _owner(db, cmd)
    if owner is not None and owner != identity.rater_id:
        raise NotAllowed(
            f"{cmd.describe()}: {identity.describe()}; a {identity.role} changes only their own "
            "codes and ratings"
        )


# -- raters and roles -----------------------------------------------------------------------------
@dataclass
class SetRaterRole:
    """Give a rater another role; the last lead of a project is never demoted."""

    rater: str  # name or id
    role: str
    command_name: ClassVar[str] = "set rater role"

    def describe(self) -> str:
        return f"make {self.rater} a {self.role}"

    def apply(self, db: Db) -> Rater:
        if self.role not in ROLES:
            raise CommandError(f"unknown role {self.role!r}; a rater is one of {', '.join(ROLES)}")
        rater = find_rater(db, self.rater)
        if rater is None:
            raise CommandError(f"no rater {self.rater!r} in this project")
        if rater.role == "consensus":
            raise CommandError(f"{rater.name} is the project's consensus, not a person")
        if rater.role == "lead" and self.role != "lead":
            leads = db.scalar(select(func.count()).select_from(Rater).filter_by(role="lead"))
            if leads == 1:
                raise CommandError(
                    f"{rater.name} is the project's only lead; make another rater a lead first"
                )
        rater.role = self.role
        return rater


@dataclass
class IssueRaterKey:
    """Issue the signing secret of a rater's coder copy (kept when one exists already, so that
    every copy made for the rater earlier still signs packages the lead's project accepts)."""

    rater_id: str
    command_name: ClassVar[str] = "issue rater key"

    def describe(self) -> str:
        return "issue a coder copy's signing key"

    def apply(self, db: Db) -> RaterKey:
        key = db.get(RaterKey, self.rater_id)
        if key is None:
            key = RaterKey(rater_id=self.rater_id, secret=secrets.token_hex(32))
            db.add(key)
            db.flush()
        return key

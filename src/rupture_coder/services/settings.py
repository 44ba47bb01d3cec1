"""Project settings: what each one means, its default and its allowed values.

Stored in ``project_settings`` and changed only by the ``SetSetting`` command (undoable, audited);
read with ``get_setting``. The app's File › Project settings and ``rupture-coder settings`` list,
show and change the settings described here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rupture_coder.errors import CommandError
from rupture_coder.store.db import Project
from rupture_coder.store.models import ProjectSetting


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: str
    description: str
    default: int | float
    minimum: float
    maximum: float
    kind: type = float  # int or float
    unit: str = ""

    def parse(self, value: Any) -> int | float:
        """The value checked and converted (text from the CLI or a form); CommandError if not allowed."""
        try:
            if isinstance(value, bool):
                raise ValueError
            number = float(str(value).strip()) if isinstance(value, str) else float(value)
        except (TypeError, ValueError):
            raise CommandError(
                f"{self.key}: {value!r} is not a number; expected {self.allowed()}"
            ) from None
        if self.kind is int and number != int(number):
            raise CommandError(
                f"{self.key}: {value!r} is not a whole number; expected {self.allowed()}"
            )
        if not self.minimum <= number <= self.maximum:
            raise CommandError(f"{self.key}: {value!r} is out of range; expected {self.allowed()}")
        return int(number) if self.kind is int else number

    def allowed(self) -> str:
        kind = "a whole number" if self.kind is int else "a number"
        unit = f" {self.unit}" if self.unit else ""
        return f"{kind} from {self.minimum:g} to {self.maximum:g}{unit}"


SPECS: tuple[SettingSpec, ...] = (
    SettingSpec("summary.impact_threshold", "Impact threshold",
                "share of segments rated at or above this impact (summaries, reports, exports)",
                3, 1, 5, int),
    SettingSpec("summary.repair_window", "Repair window",
                "a resolution strategy repairs a rupture in its own segment or this many after it",
                1, 0, 20, int, "segments"),
    SettingSpec("coding.reaction_offset_s", "Reaction-time offset",
                "a code made on the media clock starts this long before the key press (as in ELAN)",
                0.0, 0, 10, float, "s"),
    SettingSpec("media.jump_s", "Media jump", "Ctrl+Left / Ctrl+Right jump this far",
                5.0, 0.5, 120, float, "s"),
    SettingSpec("calibration.criterion", "Calibration criterion",
                "ICC(2,1) a trainee must reach on each segment rating against the gold sessions",
                0.70, 0, 1, float),
    SettingSpec("calibration.presence_criterion", "Presence criterion",
                "Cohen's kappa a trainee must reach on each item's presence per segment against "
                "the gold sessions", 0.60, -1, 1, float),
)  # fmt: skip
BY_KEY = {s.key: s for s in SPECS}
DEFAULTS: dict[str, Any] = {s.key: s.default for s in SPECS}
INTERNAL = {"demo"}  # kept by the app itself, not offered to people


def spec(key: str) -> SettingSpec:
    if key not in BY_KEY:
        raise CommandError(f"unknown setting {key!r}; settings are {', '.join(BY_KEY)}")
    return BY_KEY[key]


def get_setting(project: Project, key: str) -> Any:
    if key not in DEFAULTS:
        raise KeyError(f"unknown setting {key!r}; settings are {', '.join(DEFAULTS)}")
    with project.read() as db:
        row = db.get(ProjectSetting, key)
        return DEFAULTS[key] if row is None else row.value


def all_settings(project: Project) -> list[tuple[SettingSpec, Any, bool]]:
    """Every documented setting: (spec, value, is it the default)."""
    with project.read() as db:
        stored = {row.key: row.value for row in db.query(ProjectSetting).all()}
    return [(s, stored.get(s.key, s.default), s.key not in stored) for s in SPECS]

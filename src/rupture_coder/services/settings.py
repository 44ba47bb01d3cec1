"""Project settings with their defaults (stored in project_settings, changed by SetSetting)."""

from __future__ import annotations

from typing import Any

from rupture_coder.store.db import Project
from rupture_coder.store.models import ProjectSetting

DEFAULTS: dict[str, Any] = {
    "summary.impact_threshold": 3,  # share of segments with impact >= this
    "summary.repair_window": 1,  # a repair counts within this many following segments
    "coding.reaction_offset_s": 0.0,  # time codes start this much before the key press (as ELAN)
    "media.jump_s": 5.0,  # jump back / forward
    "calibration.criterion": 0.70,  # ICC(2,1) a trainee must reach on each segment rating
    "calibration.presence_criterion": 0.60,  # Cohen's kappa on each item's presence per segment
}


def get_setting(project: Project, key: str) -> Any:
    if key not in DEFAULTS:
        raise KeyError(f"unknown setting {key!r}; settings are {', '.join(DEFAULTS)}")
    with project.read() as db:
        row = db.get(ProjectSetting, key)
        return DEFAULTS[key] if row is None else row.value

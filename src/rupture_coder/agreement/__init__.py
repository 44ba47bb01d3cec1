"""Inter-rater agreement: plain tables in, verified statistics out (no Qt, no database).

The statistics load numpy, pandas and scipy; they are imported on first use, so that what only
needs the options (``LEVELS``, the CLI's parser) starts quickly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rupture_coder.agreement.options import LEVELS

if TYPE_CHECKING:
    from rupture_coder.agreement.analyze import analyze
    from rupture_coder.agreement.tables import RatingMatrix, from_long

__all__ = ["LEVELS", "RatingMatrix", "analyze", "from_long"]


def __getattr__(name: str) -> Any:
    if name == "analyze":
        from rupture_coder.agreement.analyze import analyze

        return analyze
    if name in ("RatingMatrix", "from_long"):
        from rupture_coder.agreement import tables

        return getattr(tables, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Inter-rater agreement: plain tables in, verified statistics out (no Qt, no database)."""

from rupture_coder.agreement.analyze import analyze
from rupture_coder.agreement.tables import LEVELS, RatingMatrix, from_long

__all__ = ["LEVELS", "RatingMatrix", "analyze", "from_long"]

"""The units a study table is built at (see ``study.tables``); importable without pandas."""

UNITS = ("segment-presence", "segment-rating", "session-frequency", "session-rating")

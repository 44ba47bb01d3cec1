"""Study use cases above the service layer: agreement, tables, summaries, calibration, review,
packages, exports and reports."""

"""rupture-coder: code psychotherapy sessions for alliance ruptures and repairs (3RS-style).

The package is split in two: everything outside ``rupture_coder.gui`` is the pure core (no Qt),
``rupture_coder.gui`` is the Qt desktop application that only calls the core.
"""

__version__ = "0.1.0"

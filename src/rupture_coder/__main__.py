"""``python -m rupture_coder``: the same as the ``rupture-coder`` command."""

import sys

from rupture_coder.launcher import main

if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env bash
# Prepare this checkout: check Python, install the Debian libraries Qt needs, create .venv.
# Usage: scripts/setup.sh test|gui|tour   (gui: what a real window needs; tour: and Xvfb, xdotool
# and ImageMagick, to drive the app under a virtual display and take screenshots: make tour)
set -euo pipefail
cd "$(dirname "$0")/.."
purpose="${1:-test}"
PYTHON="${PYTHON:-python3}"

qt_libs="libegl1 libgl1 libdbus-1-3 libfontconfig1 libglib2.0-0 libxkbcommon0 libpulse0"
window_libs="libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0"
tour_tools="xvfb xauth xdotool imagemagick"
wanted="$qt_libs"
[ "$purpose" = gui ] && wanted="$qt_libs $window_libs"
[ "$purpose" = tour ] && wanted="$qt_libs $window_libs $tour_tools"

if ! command -v "$PYTHON" >/dev/null; then
  echo "setup: $PYTHON not found; install Python 3.11 or newer (Debian/Ubuntu: apt-get install python3 python3-venv)" >&2
  exit 1
fi
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "setup: rupture-coder needs Python 3.11 or newer; $PYTHON is $("$PYTHON" -V 2>&1)" >&2
  exit 1
fi

if command -v dpkg-query >/dev/null; then
  missing=""
  "$PYTHON" -c 'import ensurepip' 2>/dev/null || missing="python3-venv"
  for pkg in $wanted; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
  done
  if [ -n "${missing// /}" ]; then
    if [ "$(id -u)" = 0 ]; then
      echo "setup: installing Debian packages:$missing"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    else
      echo "setup: Qt needs these Debian packages; run:" >&2
      echo "  sudo apt-get install -y$missing" >&2
      exit 1
    fi
  fi
fi

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  rm -rf .venv
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed
# the checkers `make test` runs come with the test extra; a .venv made before they were listed gets them
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ ! -x .venv/bin/mypy ] || [ ! -x .venv/bin/lint-imports ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e '.[test]'
  touch "$stamp"
fi

#!/usr/bin/env bash
# Prepare this checkout: check Python, install the Debian libraries Qt needs, create .venv.
# Usage: scripts/setup.sh test|gui|tour   (gui: what a real window needs; tour: and Xvfb, xdotool
#        and ImageMagick, to drive the app under a virtual display and take screenshots: make tour)
#        scripts/setup.sh pythons [VERSION ...]   a fresh, non-editable install and the whole test
#                                                 suite on each Python (pyenv's), default 3.11-3.13
set -euo pipefail
cd "$(dirname "$0")/.."
purpose="${1:-test}"
PYTHON="${PYTHON:-python3}"
# Reference implementations the statistics tests compare against that cannot be installed with
# their own requirements: irrCAC 0.4.4 pins scipy==1.12.0, pandas<3 and coverage<7, which would
# hold numpy and scipy back and fail on Python 3.13. It needs only numpy, scipy and pandas, which
# the app already brings, so it is installed without its pins (a test proves it imports and runs).
ORACLES="irrCAC==0.4.4"

install_oracles() {  # $1: the venv's python
  "$1" -c 'import irrCAC.raw' 2>/dev/null || "$1" -m pip install --quiet --no-deps $ORACLES
}

if [ "$purpose" = pythons ]; then
  shift
  versions="${*:-3.11 3.12 3.13}"
  base="$(mktemp -d)"
  trap 'rm -rf "$base"' EXIT
  root="$base/repo"  # a copy of the tracked files, with shared/ beside it as in a checkout
  mkdir -p "$root"
  git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$root"
  if [ -d ../shared ]; then ln -s "$(cd ../shared && pwd)" "$base/shared"; fi
  status=0
  for v in $versions; do
    py="$(pyenv prefix "$(pyenv latest "$v" 2>/dev/null)" 2>/dev/null)/bin/python" || true
    if [ ! -x "$py" ]; then echo "pythons: Python $v not found (pyenv install $v)" >&2; status=1; continue; fi
    echo "== Python $("$py" -V 2>&1 | cut -d' ' -f2): fresh venv, non-editable install of the package"
    "$py" -m venv "$base/venv-$v"
    vpy="$base/venv-$v/bin/python"
    if ! (cd "$root" && "$vpy" -m pip install --quiet ".[test]" && install_oracles "$vpy"); then
      echo "pythons: install failed on Python $v" >&2; status=1; continue
    fi
    "$vpy" -c 'import numpy, scipy, pandas, rupture_coder as rc; print("   numpy", numpy.__version__, "scipy", scipy.__version__, "pandas", pandas.__version__, "from", rc.__file__)'
    (cd "$root" && "$base/venv-$v/bin/rupture-coder" --help >/dev/null) || status=1
    (cd "$root" && QT_QPA_PLATFORM=offscreen "$vpy" -m pytest -q -p no:cacheprovider 2>&1 | tail -3) || status=1
  done
  exit $status
fi

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
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ scripts/setup.sh -nt "$stamp" ] || [ ! -x .venv/bin/mypy ] || [ ! -x .venv/bin/lint-imports ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet --upgrade-strategy eager -e '.[test]'
  touch "$stamp"
fi
install_oracles .venv/bin/python

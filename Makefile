# The two commands of the README: `make run` opens the app on the demo project,
# `make test` runs the whole test suite. Both set everything up first.
.PHONY: run test lint bench screenshots tour pythons

run:
	@scripts/setup.sh gui
	@if [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  echo "make run: no display found; on a machine without a screen use: xvfb-run -a make run" >&2; \
	  command -v xvfb-run >/dev/null || echo "(xvfb-run is in Debian's package xvfb: scripts/setup.sh tour installs it)" >&2; \
	  exit 1; fi
	.venv/bin/rupture-coder

test:
	@scripts/setup.sh test
	.venv/bin/ruff check src tests bench scripts
	.venv/bin/ruff format --check src tests bench scripts
	.venv/bin/mypy
	QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest -q

lint:
	@scripts/setup.sh test
	.venv/bin/ruff check --fix src tests bench scripts
	.venv/bin/ruff format src tests bench scripts

bench:
	@scripts/setup.sh test
	QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench

screenshots:
	@scripts/setup.sh gui
	QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py

# A tour of the app under Xvfb with real key presses and clicks; a screenshot per step in tour-shots/
tour:
	@scripts/setup.sh tour
	xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/tour.py tour-shots

# A fresh, non-editable install and the whole suite on Python 3.11, 3.12 and 3.13 (pyenv's).
pythons:
	@scripts/setup.sh pythons 3.11 3.12 3.13

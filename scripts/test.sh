#!/usr/bin/env bash
# One command for developers and CI: install everything, lint, check layers, run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements-dev.txt
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian's chromium for the browser tests"
    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-dejavu-core >/dev/null
  else
    echo "note: /usr/bin/chromium missing; browser tests will be skipped locally (CI installs it)" >&2
  fi
fi
export VCS_INSIGHT_MIRROR="${VCS_INSIGHT_MIRROR:-$(cd .. && pwd)/shared/data}"
.venv/bin/ruff format --check .
.venv/bin/ruff check .
.venv/bin/lint-imports
# Type check of etl/, insight/ and uk_postcode/ (files and settings: [tool.mypy] in pyproject.toml).
.venv/bin/mypy
# pytest exits 5 when it collects no tests: set -e makes that a failure too.
.venv/bin/pytest "$@"

#!/usr/bin/env bash
# One command for users: install, build the database if absent, open the app.
#   bash scripts/run.sh            (downloads the official files)
#   VCS_INSIGHT_MIRROR=../shared/data bash scripts/run.sh   (offline, from a local mirror)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements.txt
.venv/bin/python -m etl build --if-missing
exec .venv/bin/streamlit run app.py --server.maxUploadSize "${VCS_INSIGHT_UPLOAD_MB:-200}" "$@"

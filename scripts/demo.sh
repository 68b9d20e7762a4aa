#!/usr/bin/env bash
# The main job: the local reference axis with a demo exchange (`vbdt demo`): two agencies, a
# signed package sent, fetched, verified and acknowledged, and the answers 01 -> 03 -> 06.
# Usage: `bash scripts/demo.sh [--workdir DIR]`. Needs no network and no set-up.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
cd "$ROOT"
vbdt demo "$@"

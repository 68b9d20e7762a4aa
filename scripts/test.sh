#!/usr/bin/env bash
# Run the test suite: `bash scripts/test.sh` (extra arguments go to pytest).
# Sets up .venv on first use; needs only python3 (3.11+) on the machine.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
cd "$ROOT"
exec python -m pytest "$@"

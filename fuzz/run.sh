#!/usr/bin/env bash
# Bounded atheris run of the reader and validator: fuzz/run.sh [SECONDS] [extra libFuzzer flags]
# Exits non-zero when the fuzzer finds a crash, a timeout or a memory blow-up; the offending
# input is left in the printed artifact directory (copy it to tests/fuzz/found/, see README).
set -euo pipefail

SECONDS_TO_RUN="${1:-120}"
shift || true
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
WORK="${FUZZ_WORKDIR:-$(mktemp -d -t vbdt-fuzz.XXXXXX)}"
CORPUS="$WORK/corpus"
ARTIFACTS="$WORK/artifacts"
mkdir -p "$CORPUS" "$ARTIFACTS"

"$PYTHON" "$HERE/atheris_reader.py" --seed "$CORPUS"
echo "fuzzing for ${SECONDS_TO_RUN}s; corpus $CORPUS, artifacts $ARTIFACTS"

status=0
"$PYTHON" "$HERE/atheris_reader.py" "$CORPUS" \
    -max_total_time="$SECONDS_TO_RUN" \
    -rss_limit_mb=1024 \
    -timeout=10 \
    -max_len=65536 \
    -artifact_prefix="$ARTIFACTS/" \
    -print_final_stats=1 \
    "$@" || status=$?

if [ "$status" -ne 0 ] || [ -n "$(ls -A "$ARTIFACTS")" ]; then
    echo "FUZZ FAILURE (exit $status); inputs in $ARTIFACTS:" >&2
    ls -l "$ARTIFACTS" >&2
    exit "${status/#0/1}"
fi
echo "no crash in ${SECONDS_TO_RUN}s"

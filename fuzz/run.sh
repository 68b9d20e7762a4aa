#!/usr/bin/env bash
# Bounded atheris run of one harness: fuzz/run.sh [HARNESS] [SECONDS] [extra libFuzzer flags]
#   HARNESS: reader (default; read() and validate()), signature (verify_package) or wire
#   (check_request) -- the file fuzz/atheris_<HARNESS>.py.
# Exits non-zero when the fuzzer finds a crash, a timeout or a memory blow-up; the offending
# input is left in the printed artifact directory (copy it to tests/fuzz/found/, see README).
set -euo pipefail

HARNESS=reader
if [ $# -gt 0 ] && [[ ! "$1" =~ ^[0-9]+$ ]] && [[ "$1" != -* ]]; then
    HARNESS="$1"
    shift
fi
SECONDS_TO_RUN="${1:-120}"
shift || true
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
SCRIPT="$HERE/atheris_${HARNESS}.py"
if [ ! -f "$SCRIPT" ]; then
    echo "unknown harness '$HARNESS'; one of:" $(cd "$HERE" && ls atheris_*.py | sed 's/atheris_//; s/\.py//') >&2
    exit 2
fi
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
WORK="${FUZZ_WORKDIR:-$(mktemp -d -t "vbdt-fuzz-$HARNESS.XXXXXX")}"
CORPUS="$WORK/corpus"
ARTIFACTS="$WORK/artifacts"
mkdir -p "$CORPUS" "$ARTIFACTS"

"$PYTHON" "$SCRIPT" --seed "$CORPUS"
echo "fuzzing $HARNESS for ${SECONDS_TO_RUN}s; corpus $CORPUS, artifacts $ARTIFACTS"

DICT=()
if [ -f "$HERE/$HARNESS.dict" ]; then
    DICT=(-dict="$HERE/$HARNESS.dict")
fi

status=0
"$PYTHON" "$SCRIPT" "$CORPUS" "${DICT[@]}" \
    -max_total_time="$SECONDS_TO_RUN" \
    -rss_limit_mb=1024 \
    -timeout=10 \
    -max_len=65536 \
    -artifact_prefix="$ARTIFACTS/" \
    -print_final_stats=1 \
    "$@" || status=$?

if [ "$status" -ne 0 ] || [ -n "$(ls -A "$ARTIFACTS")" ]; then
    echo "FUZZ FAILURE in $HARNESS (exit $status); inputs in $ARTIFACTS:" >&2
    ls -l "$ARTIFACTS" >&2
    exit "${status/#0/1}"
fi
echo "no crash in $HARNESS in ${SECONDS_TO_RUN}s"

#!/usr/bin/env bash
# The main job, for now: inspect, validate, unpack and re-pack the bundled example package
# with the `vbdt` command line. (The local reference axis with a demo exchange replaces this
# when it lands.) Usage: `bash scripts/demo.sh`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
cd "$ROOT"
EXAMPLE="$(python -c 'import vbdt_exchange; print(vbdt_exchange.example_path())')"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "== vbdt inspect $EXAMPLE"
vbdt inspect "$EXAMPLE"
echo
echo "== vbdt validate"
vbdt validate "$EXAMPLE"
echo
echo "== vbdt unpack -d WORK/files, then edit nothing and pack it again"
vbdt unpack "$EXAMPLE" -d "$WORK/files"
args=()
for f in "$WORK"/files/*; do
  [ "$(basename "$f")" = package.json ] || args+=(--attach "$f")
done
vbdt pack "$WORK/files/package.json" "${args[@]}" -o "$WORK/again.edxml"
if cmp -s "$EXAMPLE" "$WORK/again.edxml"; then
  echo "the re-packed package is byte-for-byte the original"
else
  echo "the re-packed package differs from the original" >&2
  exit 1
fi

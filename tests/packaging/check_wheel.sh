#!/usr/bin/env bash
# Packaging check: the wheel carries the published XSDs and the loader finds them.
#
# 1. builds the wheel from this checkout (python -m build --wheel) into a temporary folder;
# 2. installs it into a fresh virtual environment OUTSIDE the checkout
#    (pip install --no-deps <wheel>, then the runtime dependencies read from the wheel's own
#    metadata, so the list is not repeated here);
# 3. from a temporary working directory (so the checkout cannot be imported by accident),
#    loads the schema through vbdt_exchange._schemas.edxml_schema(), checks that it came from
#    the installed package (site-packages/vbdt_exchange/schemas), and prints its target
#    namespace.
#
# Exits non-zero on any failure. Only vbdt_exchange._schemas is imported (plus the package's
# __init__.py, which Python always runs first), so the check does not depend on the rest of
# the library.
#
# Usage:   tests/packaging/check_wheel.sh
# Env:     PYTHON                interpreter with `build` installed
#                                (default: .venv/bin/python of the checkout, else python3)
#          BUILD_NO_ISOLATION=1  build with --no-isolation (uses the interpreter's hatchling
#                                instead of downloading one)
#          KEEP_TMP=1            keep the temporary folder for inspection
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
python="${PYTHON:-}"
if [[ -z "$python" ]]; then
  if [[ -x "$root/.venv/bin/python" ]]; then
    python="$root/.venv/bin/python"
  else
    python="python3"
  fi
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/vbdt-check-wheel.XXXXXX")"
cleanup() {
  if [[ "${KEEP_TMP:-0}" == "1" ]]; then
    echo "check_wheel: kept $tmp" >&2
  else
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT

fail() {
  echo "check_wheel: FAIL: $*" >&2
  exit 1
}

echo "check_wheel: building the wheel from $root"
build_args=(--wheel --outdir "$tmp/dist")
if [[ "${BUILD_NO_ISOLATION:-0}" == "1" ]]; then
  build_args+=(--no-isolation)
fi
"$python" -m build "${build_args[@]}" "$root" >"$tmp/build.log" 2>&1 \
  || { cat "$tmp/build.log" >&2; fail "python -m build failed"; }

shopt -s nullglob
wheels=("$tmp"/dist/*.whl)
shopt -u nullglob
[[ ${#wheels[@]} -eq 1 ]] || fail "expected exactly one wheel, found ${#wheels[@]}"
wheel="${wheels[0]}"
echo "check_wheel: built $(basename "$wheel")"

# The wheel must carry every published XSD as vbdt_exchange/schemas/<name>.
"$python" - "$wheel" "$root/schemas" <<'PY' || fail "the wheel does not carry the published XSDs"
import sys
import zipfile
from pathlib import Path

wheel, folder = sys.argv[1], Path(sys.argv[2])
published = {p.name for p in folder.glob("*.xsd")}
with zipfile.ZipFile(wheel) as archive:
    packaged = {
        name.rsplit("/", 1)[1]
        for name in archive.namelist()
        if name.startswith("vbdt_exchange/schemas/") and name.endswith(".xsd")
    }
if not published or packaged != published:
    sys.exit(f"published {sorted(published)} != packaged {sorted(packaged)}")
PY

echo "check_wheel: installing into a fresh virtual environment"
"$python" -m venv "$tmp/venv"
venv_python="$tmp/venv/bin/python"
"$venv_python" -m pip install --quiet --disable-pip-version-check --no-deps "$wheel" \
  || fail "pip install --no-deps of the wheel failed"
"$venv_python" - >"$tmp/requirements.txt" <<'PY' || fail "cannot read the wheel's dependencies"
from importlib.metadata import requires

for requirement in requires("vbdt-exchange") or []:
    if "extra ==" not in requirement:  # runtime dependencies only, no extras
        print(requirement)
PY
if [[ -s "$tmp/requirements.txt" ]]; then
  "$venv_python" -m pip install --quiet --disable-pip-version-check -r "$tmp/requirements.txt" \
    || fail "installing the runtime dependencies failed"
fi

echo "check_wheel: loading the schema from the installed package"
mkdir "$tmp/cwd"
namespace="$(
  cd "$tmp/cwd" && env -u PYTHONPATH "$venv_python" -I -c '
import sys, sysconfig
from pathlib import Path
from vbdt_exchange._schemas import edxml_schema, schema_root
root = Path(str(schema_root())).resolve()
site = Path(sysconfig.get_paths()["purelib"]).resolve()
if root != site / "vbdt_exchange" / "schemas":
    sys.exit(f"schemas loaded from {root}, not from the installed package under {site}")
print(edxml_schema().target_namespace)
'
)" || fail "loading the schema from the installed wheel failed"

expected="http://www.mic.gov.vn/TBT/QCVN_102_2016"
[[ "$namespace" == "$expected" ]] || fail "target namespace is '$namespace', expected '$expected'"
echo "$namespace"

echo "check_wheel: the installed package's data files and command line work"
(
  cd "$tmp/cwd" && env -u PYTHONPATH "$venv_python" -I -c '
import datetime
import vbdt_exchange as vbdt
from vbdt_exchange.catalog import doctypes, organ_id, policy
from vbdt_exchange.status import load_transitions
assert vbdt.validate(vbdt.example_path()).ok
assert doctypes.lookup("QyĐ").name == "Quy định"
assert organ_id.lookup("000.00.00.G22") is not None
decision = policy.check("Công văn", date=datetime.date(2024, 1, 1))
assert decision.verdict == "electronic_only", decision
assert load_transitions().rules
from importlib.resources import files
data = files("vbdt_exchange.signature") / "data"
assert (data / "labels.toml").is_file()
assert (data / "fonts" / "LiberationSerif-Regular.ttf").is_file()
assert (data / "fonts" / "OFL.txt").is_file()
from vbdt_exchange.signature.trust import CertificateReport  # the labels load
print("data files OK")
' && "$tmp/venv/bin/vbdt" validate "$("$venv_python" -c "import vbdt_exchange; print(vbdt_exchange.example_path())")" >/dev/null \
  && "$tmp/venv/bin/vbdt" demo >/dev/null
) || fail "the installed package cannot use its data files or its command line (or vbdt demo)"
echo "check_wheel: OK"

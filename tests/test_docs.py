"""The documentation stays true to the code.

* ``docs/reference/rules.md`` is exactly what ``scripts/gen_rules_doc.py`` generates from
  ``vbdt_exchange.envelope.rules.RULES``;
* every rule id used in ``src/`` (and every one named in the docs) exists in ``RULES``;
* every example runs and prints what the page says it prints: each ```` ```python ```` block of a
  page runs, in order, in one namespace and a fresh working directory per page; when a
  ```` ```text title="Output" ```` block follows it, the block's output must match it. Each
  ```` ```console ```` block is a list of ``$ command`` lines, each followed by its expected output
  (stdout and stderr together); the commands run with ``bash`` in the same working directory.
  In expected output, a line ``...`` stands for any number of lines, and ``...`` inside a line
  for any text (a temporary directory, for instance);
* the API, CLI, JSON and security pages name every public name, command, option, JSON key and
  resource bound that the code has, and the exception tree is the one in ``errors.py``;
* ``mkdocs build --strict`` succeeds.

Run ``python tests/test_docs.py PAGE.md`` to print what the examples of one page really output.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import os
import re
import subprocess
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SRC = ROOT / "src" / "vbdt_exchange"
BIN = Path(sys.executable).parent
RULE_ID = re.compile(r"(?:EDX|SIG)\d{3}")


# -- fenced blocks ----------------------------------------------------------------------------


@attrs.frozen
class Block:
    lang: str
    info: str
    body: str
    line: int


_FENCE = re.compile(r"^(`{3,})\s*([\w+-]*)(.*)$")


def blocks(text: str) -> list[Block]:
    """The fenced code blocks that start at the left margin, in order."""
    found: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, lang, info = m.group(1), m.group(2), m.group(3).strip()
        start = i
        body: list[str] = []
        i += 1
        while i < len(lines) and not lines[i].startswith(fence):
            body.append(lines[i])
            i += 1
        found.append(Block(lang, info, "\n".join(body), start + 1))
        i += 1
    return found


def expected_output(all_blocks: list[Block], index: int, text: str) -> str | None:
    """The ``text title="Output"`` block right after block ``index`` (only blank lines between)."""
    if index + 1 >= len(all_blocks):
        return None
    nxt = all_blocks[index + 1]
    if nxt.lang != "text" or 'title="Output"' not in nxt.info:
        return None
    lines = text.splitlines()
    block = all_blocks[index]
    body_lines = block.body.count("\n") + 1 if block.body else 0
    closing = block.line + body_lines  # 0-based index of the closing fence
    between = lines[closing + 1 : nxt.line - 1]
    if any(line.strip() for line in between):
        return None
    return nxt.body


def _normal(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return lines


def _line_pattern(line: str) -> str:
    if line == "...":
        return r"(?:[^\n]*\n)*?"
    return ".*?".join(re.escape(part) for part in line.split("...")) + r"\n"


def matches(expected: str, actual: str) -> bool:
    """Whether ``actual`` matches ``expected``: a line ``...`` stands for any number of lines,
    and ``...`` inside a line for any text (as doctest's ELLIPSIS)."""
    want, got = _normal(expected), _normal(actual)
    pattern = "".join(_line_pattern(line) for line in want)
    actual_text = "".join(line + "\n" for line in got)
    return re.fullmatch(pattern, actual_text) is not None


# -- running the examples -----------------------------------------------------------------------


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["NO_COLOR"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    env["NO_MKDOCS_2_WARNING"] = "1"
    return env


def run_console(block: Block, cwd: Path) -> Iterator[tuple[str, str, str]]:
    """Each ``$ command`` of a console block: (command, expected, actual output)."""
    command: str | None = None
    expected: list[str] = []
    items: list[tuple[str, list[str]]] = []
    for line in block.body.splitlines():
        if line.startswith("$ "):
            if command is not None:
                items.append((command, expected))
            command, expected = line[2:], []
        elif command is not None:
            expected.append(line)
    if command is not None:
        items.append((command, expected))
    for command, want in items:
        done = subprocess.run(  # the commands are the documentation's own
            ["bash", "-c", command],
            cwd=cwd,
            env=_environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            timeout=300,
            check=False,
        )
        yield command, "\n".join(want), done.stdout


def run_python(code: str, namespace: dict[str, Any]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            exec(compile(code, "<docs>", "exec"), namespace)
        except Exception:
            traceback.print_exc(file=out)
    return out.getvalue()


def check_page(page: Path, cwd: Path) -> list[str]:
    """Run the examples of ``page`` in ``cwd``; the list of mismatches (empty when all match)."""
    text = page.read_text("utf-8")
    all_blocks = blocks(text)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    problems: list[str] = []
    old = Path.cwd()
    os.chdir(cwd)
    try:
        for index, block in enumerate(all_blocks):
            where = f"{page.relative_to(ROOT)}:{block.line}"
            if block.lang == "python":
                actual = run_python(block.body, namespace)
                want = expected_output(all_blocks, index, text)
                if "Traceback (most recent call last)" in actual and (
                    want is None or "Traceback" not in want
                ):
                    problems.append(f"{where}: the example raised\n{actual}")
                elif want is not None and not matches(want, actual):
                    problems.append(f"{where}: expected\n{want}\n--- but got\n{actual}")
            elif block.lang == "console":
                for command, want, actual in run_console(block, cwd):
                    if not matches(want, actual):
                        problems.append(
                            f"{where}: $ {command}\n--- expected\n{want}\n--- but got\n{actual}"
                        )
    finally:
        os.chdir(old)
    return problems


def _pages_with_examples() -> list[Path]:
    pages = []
    for page in sorted(DOCS.rglob("*.md")):
        if any(b.lang in ("python", "console") for b in blocks(page.read_text("utf-8"))):
            pages.append(page)
    return pages


@pytest.mark.parametrize("page", _pages_with_examples(), ids=lambda p: str(p.relative_to(DOCS)))
def test_examples_run_and_print_what_the_docs_say(page: Path, tmp_path: Path) -> None:
    problems = check_page(page, tmp_path)
    assert not problems, "\n\n".join(problems)


# -- the rule catalogue -------------------------------------------------------------------------


def _generator() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "gen_rules_doc", ROOT / "scripts" / "gen_rules_doc.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rules_page_is_the_generator_output() -> None:
    generated = _generator().render()
    committed = (DOCS / "reference" / "rules.md").read_text("utf-8")
    assert committed == generated, "docs/reference/rules.md is stale: run scripts/gen_rules_doc.py"


def _all_rules() -> set[str]:
    from vbdt_exchange.envelope.rules import RULES
    from vbdt_exchange.signature.rules import SIG_RULES

    return set(RULES) | set(SIG_RULES)


def test_every_rule_id_used_in_src_exists() -> None:
    known = _all_rules()

    used: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        for rule_id in re.findall(r"[\"']((?:EDX|SIG)\d{3})[\"']", path.read_text("utf-8")):
            used.setdefault(rule_id, set()).add(str(path.relative_to(ROOT)))
    assert used, "no rule ids found in src/: the search is broken"
    unknown = {rule_id: sorted(where) for rule_id, where in used.items() if rule_id not in known}
    assert not unknown, f"rule ids used in src/ but missing from known: {unknown}"


def test_every_rule_id_named_in_the_docs_exists() -> None:
    known = _all_rules()

    unknown = {
        f"{page.relative_to(ROOT)}: {rule_id}"
        for page in DOCS.rglob("*.md")
        for rule_id in RULE_ID.findall(page.read_text("utf-8"))
        if rule_id not in known
    }
    assert not unknown, sorted(unknown)


# -- the reference pages name everything the code has --------------------------------------------


API_MODULES = (
    "vbdt_exchange",
    "vbdt_exchange.envelope",
    "vbdt_exchange.signature.xml",
    "vbdt_exchange.signature.keys",
    "vbdt_exchange.signature.keys_pkcs11",
    "vbdt_exchange.signature.policy",
    "vbdt_exchange.signature.trust",
    "vbdt_exchange.signature.pdf",
    "vbdt_exchange.signature.rules",
    "vbdt_exchange.adapters",
    "vbdt_exchange.adapters.vdxp_wire",
    "vbdt_exchange.hub",
    "vbdt_exchange.hub.packs",
    "vbdt_exchange.hub.server",
    "vbdt_exchange.testing.axis",
    "vbdt_exchange.testing.tsa",
    "vbdt_exchange.testing.pytest_plugin",
    "vbdt_exchange.testing.demo",
    "vbdt_exchange.testing.mailserver",
    "vbdt_exchange.adapters.email",
    "vbdt_exchange.engine",
    "vbdt_exchange.engine.stats",
    "vbdt_exchange.engine.stats_sources",
    "vbdt_exchange.engine.report_csv",
    "vbdt_exchange.engine.report_html",
)


def test_api_page_names_every_public_name() -> None:
    import importlib

    text = (DOCS / "reference" / "api.md").read_text("utf-8")
    missing = [
        f"{name}.{public}"
        for name in API_MODULES
        for public in importlib.import_module(name).__all__
        if f"`{public}`" not in text
    ]
    assert not missing, missing


def test_api_page_copies_the_exception_tree() -> None:
    from vbdt_exchange import errors

    doc = errors.__doc__ or ""
    tree = doc.split("::", 1)[1].split("\n\n")[1]
    text = (DOCS / "reference" / "api.md").read_text("utf-8")
    tree_lines = [line[4:] for line in tree.splitlines()]
    assert "\n".join(tree_lines) in text, "the exception tree differs from errors.py's docstring"


def _with_snippets(page: Path) -> str:
    """The page's text with each ``--8<-- "path"`` line replaced by that file (as mkdocs does)."""
    root = DOCS.parent
    lines = []
    for line in page.read_text("utf-8").splitlines():
        m = re.fullmatch(r'--8<-- "([^"]+)"', line.strip())
        lines.append((root / m.group(1)).read_text("utf-8") if m else line)
    return "\n".join(lines)


def test_cli_page_names_every_command_and_option() -> None:
    import click

    from vbdt_exchange.cli._main import load_commands

    cli = load_commands()
    text = _with_snippets(DOCS / "reference" / "cli.md")
    missing = []
    for param in cli.params:
        if isinstance(param, click.Option):
            missing += [opt for opt in param.opts if f"`{opt}" not in text]
    for name, command in cli.commands.items():
        if f"## `vbdt {name}`" not in text:
            missing.append(f"section for vbdt {name}")
        subcommands = command.commands if isinstance(command, click.Group) else {}
        for sub in subcommands:
            if f"`vbdt {name} {sub}" not in text:
                missing.append(f"vbdt {name} {sub}")
        for cmd in (command, *subcommands.values()):
            for param in cmd.params:
                if isinstance(param, click.Option):
                    missing += [f"{name} {opt}" for opt in param.opts if f"`{opt}" not in text]
    assert not missing, missing


def _human(value: int) -> str:
    for unit, size in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if value >= size and value % size == 0:
            return f"{value // size} {unit}"
    return f"{value:,}"


def test_security_page_documents_every_limit_with_its_default() -> None:
    from vbdt_exchange import Limits

    text = (DOCS / "guide" / "security.md").read_text("utf-8")
    rows = {
        line.split("|")[1].strip(): line for line in text.splitlines() if line.startswith("| `")
    }
    problems = []
    for field in attrs.fields(Limits):
        row = rows.get(f"`{field.name}`")
        if row is None:
            problems.append(f"{field.name}: no table row")
        elif _human(field.default) not in row:
            problems.append(f"{field.name}: default {_human(field.default)} not in {row!r}")
    assert not problems, problems


def _keys(value: object) -> set[str]:
    keys: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            keys.add(key)
            keys |= _keys(item)
    elif isinstance(value, list):
        for item in value:
            keys |= _keys(item)
    return keys


def _rich_packages() -> list[Any]:
    from vbdt_exchange import envelope as e

    org = e.Organization("000.00.00.G22", "VPCP", "Văn phòng Chính phủ", "Hà Nội", "a@b.vn")
    staff = e.StaffInfo("Văn thư", "Trần Thị B", "0900", "b@c.vn")
    trace = e.TraceHeaderList(
        headers=(e.TraceHeader("000.00.00.G22", datetime.datetime(2026, 1, 2, 3, 4, 5)),),
        business=e.Business(
            doc_type=2,
            reason="Cập nhật",
            document_info=e.BusinessDocumentInfo(1, 1, (e.Receiver("000.00.00.H41", 1),)),
            document_id="000.00.00.G22,2026/01/01,1/VPCP",
            staff=staff,
            paper=0,
            replacements=(
                e.ReplacementInfo("000.00.00.G22,2025/01/01,9/VPCP", ("000.00.00.H41",)),
            ),
        ),
        attributes=(("id", "x"),),
    )
    attachment = e.Attachment.from_bytes(
        "a.pdf", b"%PDF", reference=e.ManifestReference("c", "a.pdf", "application/pdf", "d")
    )
    edoc = e.EdocPackage(
        from_=org,
        to=(org,),
        code=e.Code("1", "VPCP"),
        promulgation=e.PromulgationInfo(datetime.date(2026, 1, 1), "Hà Nội"),
        document_type=e.DocumentType(1, 0, "Công văn"),
        subject="V/v",
        content="c",
        signer=e.SignerInfo("KT.", "Phó", "A"),
        due_date=datetime.date(2026, 2, 1),
        to_places=("Lưu: VT",),
        other_info=e.OtherInfo(0, "x", "VT", 1, 1, False, ("Phụ lục",)),
        response_for=(e.ResponseFor("000.00.00.H41", "2/A", datetime.date(2025, 1, 1), "x"),),
        steering_type=1,
        document_id="000.00.00.G22,2026/01/01,1/VPCP",
        trace=trace,
        signature=e.RawXml('<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"/>'),
        attachments=(
            attachment,
            attrs.evolve(attachment, content_id="bad", data=e.InvalidPayload("r", "t")),
        ),
        orphan_references=(e.ManifestReference("z", "z.pdf"),),
        structural_extensions=(("edXML", e.RawXml("<X/>")),),
    )
    status = e.StatusPackage(
        from_=org,
        response_for=e.ResponseFor("000.00.00.H41", "2/A", datetime.date(2025, 1, 1), "x"),
        staff=staff,
        status_code="03",
        description="Đã tiếp nhận",
        timestamp=datetime.datetime(2026, 1, 2, 3, 4, 5),
        trace=trace,
    )
    return [edoc, status]


def test_json_page_names_every_key() -> None:
    from vbdt_exchange import Severity, package_to_json
    from vbdt_exchange.envelope.rules import finding

    text = (DOCS / "reference" / "json.md").read_text("utf-8")
    keys: set[str] = set()
    for package in _rich_packages():
        keys |= _keys(
            package_to_json(package, [finding("EDX209", value="x", severity=Severity.WARNING)])
        )
    missing = sorted(key for key in keys if f"`{key}`" not in text)
    assert not missing, f"JSON keys not documented in docs/reference/json.md: {missing}"


def test_the_example_validates_with_xmllint_against_the_published_xsd(tmp_path: Path) -> None:
    """What docs/schemas.md says about xmllint (its commands are not run as an example there)."""
    import shutil

    import vbdt_exchange

    xmllint = shutil.which("xmllint")
    if xmllint is None:
        # CI installs it (.ci/run); on a developer machine without it, say so.
        assert not os.environ.get("CI"), "xmllint must be installed in CI (libxml2-utils)"
        pytest.skip("xmllint is not installed (Debian: libxml2-utils)")
    done = subprocess.run(
        [
            xmllint,
            "--noout",
            "--nonet",
            "--schema",
            str(ROOT / "schemas" / "edxml.xsd"),
            str(vbdt_exchange.example_path()),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout
    assert "validates" in done.stdout


# -- the site builds ---------------------------------------------------------------------------


def test_mkdocs_build_strict(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(BIN / "mkdocs"), "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        env=_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout
    assert "WARNING" not in done.stdout, done.stdout
    assert (tmp_path / "site" / "reference" / "rules" / "index.html").exists()


if __name__ == "__main__":  # print what the examples of a page really output
    import tempfile

    for name in sys.argv[1:]:
        with tempfile.TemporaryDirectory() as tmp:
            for problem in check_page((DOCS / name).resolve(), Path(tmp)):
                sys.stdout.write(problem + "\n\n")

"""Generate docs/reference/rules.md from the rule catalogues (envelope RULES, signature SIG_RULES).

Run: python scripts/gen_rules_doc.py          (writes the page)
     python scripts/gen_rules_doc.py --check  (exit 1 if the committed page is out of date)

The page is never edited by hand: tests/test_docs.py checks that it equals this script's output.
The group titles come from the "Ranges" list in the docstring of the rules module, so a new
range documented there appears here without touching this script.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "reference" / "rules.md"

HEADER = """\
<!--
  GENERATED FILE - do not edit by hand.
  Source: vbdt_exchange.envelope.rules.RULES and vbdt_exchange.signature.rules.SIG_RULES;
  generator: scripts/gen_rules_doc.py.
  Regenerate with `python scripts/gen_rules_doc.py`; tests/test_docs.py fails when it is stale.
-->

# Rule catalogue

Every finding that the reader (`vbdt_exchange.read`) and the validator (`vbdt_exchange.validate`)
can report, and every rule id carried by a read error, has a **stable rule id** `EDXnnn`; the
signature layer's findings (XML and PDF signatures, certificates and trust) have ids `SIGnnn`.
Once published, an id keeps its meaning; a retired id is never reused. The catalogues are
`vbdt_exchange.envelope.RULES` and `vbdt_exchange.signature.rules.SIG_RULES` (each a `dict` from
id to `Rule`), and this page is generated from them.

* **Default severity** is the severity a finding gets unless the code that reports it says
  otherwise. A few rules are reported with a lower severity in known situations: `EDX002` and
  `EDX003` are *errors* (the file is refused) unless `recover=True` repairs the file, when they
  become *warnings*; `EDX201` and `EDX203` are *warnings* rather than errors for the date of a
  *referenced* document (`ResponseFor/PromulgationDate`). See
  [Validating packages](../guide/validating.md#severities).
* **Messages** are `str.format` templates; the `{placeholders}` are filled with the details of
  each finding (`Finding.message` in English, `Finding.message_vi` in Vietnamese).
* Some rules stop the reader: `EDX001`, `EDX004`, `EDX005`, `EDX101` and `EDX103` (and `EDX002`,
  `EDX003` without `recover=True`) arrive as an exception from `read()` (`EnvelopeReadError` or
  one of its subclasses, with `.rule` set), not as a finding. `validate()` turns such an exception
  into the single error finding of a report whose `readable` is `False`.
"""

_RANGE = re.compile(r"^\*\s+``[A-Z]{3}(\d)xx``\s+(.+?)\s*$", re.MULTILINE)


def _code(text: str) -> str:
    """``text`` as a Markdown code span that survives backticks and table pipes."""
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def ranges(doc: str) -> dict[str, str]:
    """Group digit -> title, from the ``Ranges:`` list of the rules module docstring."""
    return dict(_RANGE.findall(doc))


def _catalogue(prefix: str, rules: dict[str, Any], doc: str, anchor: str) -> list[str]:
    titles = ranges(doc)
    groups: dict[str, list[Any]] = {}
    for rule_id in sorted(rules):
        groups.setdefault(rule_id[3], []).append(rules[rule_id])
    out = ["| Range | What it covers | Rules |", "|---|---|---|"]
    for digit, members in groups.items():
        title = titles.get(digit, "other rules")
        first, last = members[0].id, members[-1].id
        span = f"`{first}`" if first == last else f"`{first}` to `{last}`"
        out.append(
            f"| [`{prefix}{digit}xx`](#{anchor}{digit}xx) | {_cell(title)} | "
            f"{len(members)}: {span} |"
        )
    out.append("")
    for digit, members in groups.items():
        title = titles.get(digit, "other rules")
        out.append(f"## {prefix}{digit}xx — {title} {{#{anchor}{digit}xx}}\n")
        out.append("| Rule | Default severity | Title |")
        out.append("|---|---|---|")
        for rule in members:
            out.append(
                f"| [`{rule.id}`](#{rule.id}) | {rule.severity.value} | {_cell(rule.title)} |"
            )
        out.append("")
        for rule in members:
            out.append(f"### {rule.id} — {rule.title} {{#{rule.id}}}\n")
            out.append(f"* Default severity: **{rule.severity.value}**")
            out.append(f"* English: {_code(rule.en)}")
            out.append(f"* Tiếng Việt: {_code(rule.vi)}")
            out.append("")
    return out


def render() -> str:
    from vbdt_exchange.envelope import rules as rules_module
    from vbdt_exchange.signature import rules as sig_module

    out = [HEADER]
    out.append("## Summary\n")
    out += _catalogue("EDX", rules_module.RULES, rules_module.__doc__ or "", "range-")
    out.append("## Signature rules\n")
    out.append(
        "Reported by `vbdt_exchange.signature` (`vbdt verify`, `vbdt pdf verify`): XML signatures"
        " on packages, certificates and trust, PDF signatures.\n"
    )
    out += _catalogue("SIG", sig_module.SIG_RULES, sig_module.__doc__ or "", "range-sig-")
    return "\n".join(out).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the page is current")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = TARGET.read_text("utf-8") if TARGET.exists() else ""
        if current != text:
            stale = TARGET.relative_to(ROOT)
            sys.stderr.write(f"{stale} is stale: run python scripts/gen_rules_doc.py\n")
            return 1
        return 0
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(text, "utf-8")
    sys.stdout.write(f"wrote {TARGET.relative_to(ROOT)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

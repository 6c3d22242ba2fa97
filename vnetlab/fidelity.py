"""The fidelity table: which engine function implements each rule of the fact sheet, which test checks it, and what
the simulator does not model (with the reason, and where the learner reads it).

Like Batfish's list of the vendor features it models and those it does not, ``docs/fidelity.md`` is generated from
two inputs and kept in sync by ``tests/test_fidelity.py``:

* the rule sections of the fact sheet (``../shared/azure-facts.md``, §1-§10, one row per subsection, or per section
  when it has none), each with its heading and first public source;
* ``docs/fidelity.yaml``, the map from each section to ``engine`` functions and ``tests``, or ``not_modelled`` with
  ``learner_sees`` (a file and the text in it that tells the learner).

Run ``python -m vnetlab.fidelity`` from the repository to rewrite ``docs/fidelity.md``. Nothing here is used by
the engine; it is a contributor's tool (no network, no subprocess).
"""
from __future__ import annotations

import importlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
FACTS = ROOT.parent / "shared" / "azure-facts.md"
MAP = ROOT / "docs" / "fidelity.yaml"
TABLE = ROOT / "docs" / "fidelity.md"
RULE_SECTIONS = range(1, 11)  # §1-§10: the rules; worked scenarios and appendices are not rule sections

_HEADING = re.compile(r"^(##|###) (\d+(?:\.\d+)?)\.? (.*)$")
_LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")
_PUBLIC = re.compile(r"https://learn\.microsoft\.com[^\s)\]]*")


@dataclass(frozen=True)
class Section:
    """One row: a rule section of the fact sheet."""

    number: str
    title: str
    source: str  # the first page the section links to ("" when it links to none)


def sections(facts_text: str) -> list[Section]:
    """The rule sections of the fact sheet: each subsection of §1-§10, or the section itself when it has none."""
    found: list[tuple[str, str, list[str]]] = []
    for line in facts_text.splitlines():
        m = _HEADING.match(line)
        if m and m.group(1) == "##" and not m.group(2).isdigit():
            found.append(("", "", []))  # "## Worked scenarios", appendices: not rule text
            continue
        if m:
            found.append((m.group(2), m.group(3), [line]))
        elif line.startswith("## "):
            found.append(("", "", []))
        elif found:
            found[-1][2].append(line)
    numbers = {n for n, _, _ in found if n}
    rows = []
    for number, heading, body in found:
        if not number or int(number.split(".")[0]) not in RULE_SECTIONS:
            continue
        if "." not in number and any(n.startswith(number + ".") for n in numbers):
            continue  # a section with subsections is covered by its subsections
        title = _LINK.sub(lambda m: m.group(1), heading)
        title = re.sub(r"\s*\([^()]*\d{4}-\d{2}-\d{2}[^()]*\)\s*$", "", title).strip()  # a trailing "(source, date)"
        text = "\n".join(body)
        link = re.search(r"\]\((https://[^)\s]+)\)", text) or _PUBLIC.search(text)
        url = link.group(link.re.groups) if link else ""
        rows.append(Section(number, title.rstrip(" (").strip(), url.rstrip(".,")))
    return rows


def load_map(path: Path = MAP) -> dict[str, dict]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {str(k): v or {} for k, v in data["sections"].items()}


def status(entry: dict) -> str:
    modelled = bool(entry.get("engine")) and bool(entry.get("tests"))
    if modelled:
        return "partly modelled" if entry.get("not_modelled") else "modelled"
    return "not modelled" if entry.get("not_modelled") else "MISSING"


def resolve(dotted: str) -> object:
    """The object a dotted name refers to (``vnetlab.network.Network.peer``); raises when there is none."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(f"no module in {dotted!r}")


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _file_text(path: Path) -> str:
    """A file as the learner reads it: a notebook's cell sources joined, anything else as it is."""
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        import json
        return "\n".join("".join(c.get("source", "")) for c in json.loads(raw)["cells"])
    return raw


def problems(rows: list[Section], mapping: dict[str, dict], root: Path = ROOT) -> list[str]:
    """Everything wrong with the map: a section with neither engine+tests nor a reason, an entry for no section, a
    name that does not import, a not-modelled note the learner cannot read where the map says. (Whether each named
    test exists is checked by collecting it, in the test suite.)"""
    out = []
    numbers = [r.number for r in rows]
    for n in numbers:
        entry = mapping.get(n)
        if entry is None:
            out.append(f"§{n} is not in {MAP.name}")
            continue
        if status(entry) == "MISSING":
            out.append(f"§{n} has neither engine functions with tests nor a not_modelled reason")
        if bool(entry.get("engine")) != bool(entry.get("tests")):
            out.append(f"§{n} names engine functions without tests, or tests without engine functions")
        for name in entry.get("engine") or []:
            try:
                resolve(name)
            except (ImportError, AttributeError) as exc:
                out.append(f"§{n}: engine function {name} does not exist ({exc})")
        if entry.get("not_modelled"):
            seen = entry.get("learner_sees") or {}
            path = root / str(seen.get("file", ""))
            if not seen.get("file") or not seen.get("text"):
                out.append(f"§{n}: not_modelled without learner_sees (file and text)")
            elif not path.is_file():
                out.append(f"§{n}: learner_sees file {seen['file']} does not exist")
            elif _squash(str(seen["text"])) not in _squash(_file_text(path)):
                out.append(f"§{n}: {seen['file']} does not say {seen['text']!r}")
    out += [f"{k} in {MAP.name} is not a rule section of the fact sheet" for k in mapping if k not in numbers]
    return out


def test_ids(mapping: dict[str, dict]) -> list[str]:
    return sorted({t for e in mapping.values() for t in e.get("tests") or []})


def _cell(items) -> str:
    return "<br>".join(f"`{i}`" for i in items) if items else ""


def render(rows: list[Section], mapping: dict[str, dict]) -> str:
    """``docs/fidelity.md``."""
    counts: dict[str, int] = {}
    for r in rows:
        s = status(mapping.get(r.number, {}))
        counts[s] = counts.get(s, 0) + 1
    lines = [
        "# Fidelity: what vnetlab models, and what it does not",
        "",
        "<!-- Generated by `python -m vnetlab.fidelity` from docs/fidelity.yaml and the fact sheet's rule sections;",
        "     tests/test_fidelity.py fails when this file is out of date. Do not edit by hand. -->",
        "",
        "Every rule section of the course's fact sheet (§1-§10) is listed with the engine functions that implement",
        "it and the tests that check them, or with what the simulator does not model and why. Where a gap matters to",
        "a learner, the lesson or the trace explanation named in the last column says so.",
        "",
        "Summary: " + ", ".join(f"{counts[k]} {k}" for k in ("modelled", "partly modelled", "not modelled", "MISSING")
                                if k in counts) + ".",
        "",
        "| § | Rule | Public source | Status | Engine | Tests | Not modelled (where the learner reads it) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        e = mapping.get(r.number, {})
        gap = e.get("not_modelled", "")
        if gap and e.get("learner_sees"):
            gap += f" (learner: `{e['learner_sees']['file']}`)"
        label = r.source.split("?")[0].split("#")[0].rstrip("/").rsplit("/", 1)[-1]
        src = f"[{label}]({r.source})" if r.source else ""
        lines.append(f"| {r.number} | {r.title.replace('|', '/')} | {src} | {status(e)} | {_cell(e.get('engine'))} | "
                     f"{_cell(e.get('tests'))} | {gap.replace('|', '/')} |")
    return "\n".join(lines) + "\n"


def generate(facts: Path = FACTS, mapping: Path = MAP) -> str:
    if not facts.is_file():
        raise FileNotFoundError(f"The fact sheet is not at {facts}: the fidelity table is built from its sections "
                                "(clone the repository beside ../shared).")
    return render(sections(facts.read_text(encoding="utf-8")), load_map(mapping))


def main(argv: list[str] | None = None) -> int:
    text = generate()
    found = problems(sections(FACTS.read_text(encoding="utf-8")), load_map())
    TABLE.write_text(text, encoding="utf-8")
    print(f"wrote {TABLE}")
    for p in found:
        print("problem:", p, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())

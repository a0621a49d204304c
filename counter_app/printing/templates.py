"""The agreement's terms, read from a text file the branch may reword without touching code.

Format of ``resources/templates/agreement_<lang>.txt`` (UTF-8):

* ``= Title``            the document title (first one wins);
* ``== Heading``         a section heading, e.g. ``== 第一条 定义``;
* a blank line           ends a paragraph; lines of one paragraph are joined;
* ``;`` at line start    a comment, ignored;
* ``{placeholder}``      replaced by the agreement's values (``PLACEHOLDERS``); write ``{{``
                         and ``}}`` for literal braces. An unknown name is an error, so a typo
                         is found when the template is loaded, not on a customer's copy.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from counter_app.resources_path import resources_dir

PLACEHOLDERS = frozenset(
    {
        "branch_name",
        "branch_address",
        "company",
        "bank_name",
        "customer_name",
        "capital_account",
        "agreement_no",
    }
)


class TemplateError(ValueError):
    """The template file is malformed or uses an unknown placeholder."""


@dataclass(frozen=True, slots=True)
class Block:
    kind: Literal["heading", "para"]
    text: str  # with {placeholders} still in it


@dataclass(frozen=True, slots=True)
class AgreementTemplate:
    title: str
    blocks: tuple[Block, ...]

    def render(self, values: dict[str, str]) -> tuple[str, list[Block]]:
        """The title and blocks with the placeholders filled in."""
        return _fill(self.title, values), [
            Block(b.kind, _fill(b.text, values)) for b in self.blocks
        ]


def _fill(text: str, values: dict[str, str]) -> str:
    return text.format_map(values)


def _check_placeholders(text: str, where: str) -> None:
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise TemplateError(f"{where}: {exc} (write {{{{ and }}}} for literal braces)") from exc
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            raise TemplateError(
                f"{where}: unknown placeholder {{{name}}}; known: {', '.join(sorted(PLACEHOLDERS))}"
            )


def parse_template(text: str, *, joiner: str, source: str = "template") -> AgreementTemplate:
    title = ""
    blocks: list[Block] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(Block("para", joiner.join(para)))
            para.clear()

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        where = f"{source}, line {number}"
        if line.startswith(";"):
            continue
        if not line:
            flush()
            continue
        _check_placeholders(line, where)
        if line.startswith("=="):
            flush()
            blocks.append(Block("heading", line[2:].strip()))
        elif line.startswith("="):
            flush()
            if not title:
                title = line[1:].strip()
        else:
            para.append(line)
    flush()
    if not title:
        raise TemplateError(f"{source}: no title line (a line starting with '= ')")
    if not blocks:
        raise TemplateError(f"{source}: no terms")
    return AgreementTemplate(title, tuple(blocks))


def template_path(lang: str) -> Path:
    return resources_dir() / "templates" / f"agreement_{lang}.txt"


@lru_cache(maxsize=8)
def _load(path: Path, mtime_ns: int, joiner: str) -> AgreementTemplate:
    return parse_template(path.read_text(encoding="utf-8"), joiner=joiner, source=path.name)


def load_agreement_template(lang: str) -> AgreementTemplate:
    """The parsed template for ``lang``; re-read when the file changes on disk."""
    path = template_path(lang)
    if not path.is_file():
        raise TemplateError(f"agreement template not found: {path}")
    joiner = "" if lang == "zh" else " "
    return _load(path, path.stat().st_mtime_ns, joiner)

"""Every refusal the services raise carries its Chinese text, and ``text_for`` picks it.

The screens are Chinese by default; a ``UserError`` raised without ``zh=`` would reach a
Chinese-speaking clerk in English. The walk below reads the services' source, so a new
message that forgets its Chinese fails here rather than at the counter.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from counter_app.db.errors import DatabaseProblem, ProblemKind, StaleRecord
from counter_app.errors import NotFound, Refused, StaleEdit, UserError
from counter_app.importing.errors import FileRefused
from counter_app.services.bank_posting import BankFileRefused
from counter_app.services.users import AuthFailed

SERVICES = Path(__file__).resolve().parent.parent / "counter_app" / "services"
CHECKED = {"Refused", "NotFound", "UserError", "StaleEdit", "AuthFailed", "BankFileRefused"}

#: (file, source of the raised call) that may go without ``zh=``: only errors that pass
#: on a message made elsewhere, where the Chinese cannot be written at the raise.
EXEMPT: set[tuple[str, str]] = set()


def _raises_without_zh() -> tuple[list[str], int]:
    missing: list[str] = []
    seen = 0
    for path in sorted(SERVICES.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                continue
            func = node.exc.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name not in CHECKED:
                continue
            seen += 1
            call = ast.get_source_segment(source, node.exc) or ""
            if (path.name, call) in EXEMPT:
                continue
            if not any(k.arg == "zh" for k in node.exc.keywords):
                missing.append(f"{path.name}:{node.lineno}: {call.splitlines()[0]}")
    return missing, seen


def test_every_refusal_in_the_services_has_its_chinese() -> None:
    missing, seen = _raises_without_zh()
    assert seen > 90  # the walk really found the raises (98 when this was written)
    assert missing == []


def test_the_walk_would_catch_a_raise_without_chinese() -> None:
    tree = ast.parse('raise Refused(f"case {no} is closed")\nraise NotFound("x", zh="没有")\n')
    calls = [n.exc for n in ast.walk(tree) if isinstance(n, ast.Raise)]
    assert [any(k.arg == "zh" for k in c.keywords) for c in calls] == [False, True]  # type: ignore[union-attr]


@pytest.mark.parametrize("cls", [UserError, NotFound, Refused, StaleEdit, AuthFailed])
def test_text_for_picks_the_language(cls: type[UserError]) -> None:
    err = cls("case C1 is closed", zh="案件 C1 已结案")
    assert str(err) == "case C1 is closed"  # the command line and logs stay English
    assert err.message_zh == "案件 C1 已结案"
    assert err.text_for("zh") == "案件 C1 已结案"
    assert err.text_for("zh_CN") == "案件 C1 已结案"
    assert err.text_for("en") == "case C1 is closed"


def test_without_chinese_every_language_gets_the_english() -> None:
    err = Refused("case C1 is closed")
    assert err.message_zh is None
    assert err.text_for("zh_CN") == "case C1 is closed"


def test_database_problems_and_refused_files_keep_their_constructors() -> None:
    problem = DatabaseProblem(ProblemKind.BUSY, "the database is busy", "数据库正忙")
    assert str(problem) == "the database is busy\n数据库正忙"
    assert problem.text_for("zh_CN") == "数据库正忙"
    assert problem.text_for("en") == "the database is busy"
    stale = StaleRecord(ProblemKind.STALE, "changed", "已被修改")
    assert stale.exit_code == 5 and stale.text_for("zh") == "已被修改"
    refused = FileRefused("the file is empty", "empty")
    assert (str(refused), refused.reason_code, refused.text_for("zh")) == (
        "the file is empty",
        "empty",
        "the file is empty",
    )
    assert FileRefused("empty", "empty", zh="文件是空的").text_for("zh") == "文件是空的"
    bank = BankFileRefused("the response file r.txt is empty", [], zh="回盘文件 r.txt 是空文件")
    assert bank.problems == [] and bank.text_for("zh") == "回盘文件 r.txt 是空文件"

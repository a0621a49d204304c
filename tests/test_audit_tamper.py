"""The audit chain makes tampering visible: `counter-app audit verify` names the entry.

The stored log is changed behind the program's back, with plain SQL, as someone with
direct access to the database file or server would do it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text, update

from counter_app.cli.main import main
from counter_app.db.engine import Database
from counter_app.db.models import AuditEntry
from counter_app.domain.codes import FlagReason
from counter_app.services.audit import verify_chain
from counter_app.services.demo import load_demo
from counter_app.services.flags import flag_account, unflag_account

EXIT_TAMPERED = 6


@pytest.fixture
def logged(db: Database) -> list[int]:
    """A database with a dozen audit entries; returns their ids in order."""
    load_demo(db, accounts=40, seed=5)
    with db.read() as session:
        accounts = (
            session.execute(text("SELECT account_no FROM capital_accounts ORDER BY id LIMIT 6"))
            .scalars()
            .all()
        )
    for account in accounts:
        flag_account(db, account, FlagReason.OTHER, "customer could not be reached", "clerk1")
        unflag_account(db, account, "reached by phone", "clerk2")
    with db.read() as session:
        ids = list(session.execute(text("SELECT id FROM audit_log ORDER BY id")).scalars())
        assert verify_chain(session) == (len(ids), None)
    assert len(ids) >= 12
    return ids


def _verify_cli(db: Database, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["audit", "verify", "--db", db.url.render_as_string(hide_password=False)])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_intact_chain_verifies(
    db: Database, logged: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = _verify_cli(db, capsys)
    assert code == 0 and f"{len(logged):,} entries verified" in output


def test_an_edited_entry_is_named(
    db: Database, logged: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    k = logged[len(logged) // 2]
    with db.write() as session:
        session.execute(
            text("UPDATE audit_log SET after = :a WHERE id = :k"),
            {"a": '{"class":"QUALIFIED_NOT_DEPOSITED"}', "k": k},
        )
    with db.read() as session:
        checked, broken = verify_chain(session)
    assert broken is not None and broken.entry_id == k
    assert "content does not match" in broken.problem
    assert checked == logged.index(k)
    code, output = _verify_cli(db, capsys)
    assert code == EXIT_TAMPERED
    assert f"entry {k} fails" in output


@pytest.mark.parametrize("column", ["actor", "at", "action"])
def test_any_edited_field_is_caught(db: Database, logged: list[int], column: str) -> None:
    k = logged[3]
    with db.write() as session:
        entry = session.get(AuditEntry, k)
        assert entry is not None
        value: object = {
            "actor": "nobody",
            "action": "account.nothing",
            "at": entry.at + timedelta(seconds=1),  # the most innocent-looking edit
        }[column]
        session.execute(update(AuditEntry).where(AuditEntry.id == k).values({column: value}))
    with db.read() as session:
        _, broken = verify_chain(session)
    assert broken is not None and broken.entry_id == k


def test_a_deleted_entry_in_the_middle_is_caught(
    db: Database, logged: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    k = logged[5]
    after = logged[6]
    with db.write() as session:
        session.execute(text("DELETE FROM audit_log WHERE id = :k"), {"k": k})
    with db.read() as session:
        _, broken = verify_chain(session)
    assert broken is not None and broken.entry_id == after
    assert "link to the previous entry" in broken.problem
    code, output = _verify_cli(db, capsys)
    assert code == EXIT_TAMPERED and f"entry {after} fails" in output


def test_a_rewritten_entry_with_a_fresh_hash_breaks_the_next_link(
    db: Database, logged: list[int]
) -> None:
    # someone who recomputes the edited entry's own hash still breaks the chain after it
    from counter_app.services.audit import entry_hash

    k, after = logged[4], logged[5]
    with db.write() as session:
        row = session.get(AuditEntry, k)
        assert row is not None
        forged = entry_hash(
            row.prev_hash,
            row.at,
            "someone_else",
            row.action,
            row.entity,
            row.entity_key,
            row.before,
            row.after,
        )
        session.execute(
            update(AuditEntry)
            .where(AuditEntry.id == k)
            .values(actor="someone_else", entry_hash=forged)
        )
    with db.read() as session:
        _, broken = verify_chain(session)
    assert broken is not None and broken.entry_id == after

"""The audit chain makes tampering visible: `counter-app audit verify` names the entry.

The stored log is changed behind the program's back, with plain SQL, as someone with
direct access to the database file or server would do it.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

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
    k, after = logged[4], logged[5]
    _rewrite_actor_and_rehash(db, k, "someone_else")
    with db.read() as session:
        _, broken = verify_chain(session)
    assert broken is not None and broken.entry_id == after


def test_each_link_is_sha256_of_the_previous_hash_and_the_content(
    db: Database, logged: list[int]
) -> None:
    # on PostgreSQL the server function links the entries: its hashes are the ones the
    # application computes, entry by entry
    from counter_app.services.audit import GENESIS_HASH, content_digest, link_hash

    with db.read() as session:
        rows = session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars().all()
        prev = GENESIS_HASH
        for row in rows:
            digest = content_digest(
                row.at, row.actor, row.action, row.entity, row.entity_key, row.before, row.after
            )
            assert row.prev_hash == prev
            assert row.entry_hash == hashlib.sha256((prev + digest).encode()).hexdigest()
            assert row.entry_hash == link_hash(prev, digest)
            prev = row.entry_hash


def test_entries_of_the_first_releases_still_verify_and_still_show_tampering(
    db: Database, logged: list[int]
) -> None:
    # the first releases hashed the previous hash and the content in one go; a log they
    # wrote, continued by this release, verifies, and an edit in its old part is named
    from counter_app.services.audit import legacy_entry_hash

    old_part = logged[:6]
    with db.write() as session:
        prev = "0" * 64
        for entry_id in logged:
            row = session.get(AuditEntry, entry_id)
            assert row is not None
            linked = (
                legacy_entry_hash(
                    prev,
                    row.at,
                    row.actor,
                    row.action,
                    row.entity,
                    row.entity_key,
                    row.before,
                    row.after,
                )
                if entry_id in old_part
                else entry_hash_of(row, prev)
            )
            session.execute(
                update(AuditEntry)
                .where(AuditEntry.id == entry_id)
                .values(prev_hash=prev, entry_hash=linked)
            )
            prev = linked
    with db.read() as session:
        assert verify_chain(session) == (len(logged), None)
    with db.write() as session:
        session.execute(
            update(AuditEntry).where(AuditEntry.id == old_part[2]).values(actor="mallory")
        )
    with db.read() as session:
        _, broken = verify_chain(session)
    assert broken is not None and broken.entry_id == old_part[2]


def entry_hash_of(row: AuditEntry, prev: str) -> str:
    from counter_app.services.audit import entry_hash

    return entry_hash(
        prev, row.at, row.actor, row.action, row.entity, row.entity_key, row.before, row.after
    )


def _rewrite_actor_and_rehash(db: Database, entry_id: int, actor: str) -> None:
    """What a forger with write access does: change an entry and recompute its own hash."""
    from counter_app.services.audit import entry_hash

    with db.write() as session:
        row = session.get(AuditEntry, entry_id)
        assert row is not None
        forged = entry_hash(
            row.prev_hash,
            row.at,
            actor,
            row.action,
            row.entity,
            row.entity_key,
            row.before,
            row.after,
        )
        session.execute(
            update(AuditEntry)
            .where(AuditEntry.id == entry_id)
            .values(actor=actor, entry_hash=forged)
        )


def test_an_anchor_shows_the_newest_entries_rewritten_or_removed(
    db: Database, logged: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    # the chain alone cannot show a rewritten and re-hashed last entry; the anchor
    # printed by an earlier `audit verify` can
    code, output = _verify_cli(db, capsys)
    assert code == 0
    anchor = output.split("--anchor): ")[1].split()[0]
    assert anchor.startswith(f"{logged[-1]}:")
    url = db.url.render_as_string(hide_password=False)
    assert main(["audit", "verify", "--anchor", anchor, "--db", url]) == 0
    assert "1 anchor(s) matched" in capsys.readouterr().out

    last = logged[-1]
    _rewrite_actor_and_rehash(db, last, "someone_else")
    code, output = _verify_cli(db, capsys)
    assert code == 0  # the chain itself still links up: that is the gap the anchor closes
    assert main(["audit", "verify", "--anchor", anchor, "--db", url]) == EXIT_TAMPERED
    err = capsys.readouterr().err
    assert f"entry {last} fails" in err and "rewritten" in err

    with db.write() as session:
        session.execute(text("DELETE FROM audit_log WHERE id = :i"), {"i": last})
    assert main(["audit", "verify", "--anchor", anchor, "--db", url]) == EXIT_TAMPERED
    assert "removed" in capsys.readouterr().err


def test_a_malformed_anchor_is_refused_with_a_message(
    db: Database, logged: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    url = db.url.render_as_string(hide_password=False)
    assert main(["audit", "verify", "--anchor", "12:nothex", "--db", url]) == 2
    assert "is not an audit anchor" in capsys.readouterr().err

"""The database-free half of an import: rows parsed, checked and screened.

A ``Preparer`` turns each ``RawRow`` into a ``PreparedRow`` (plain tuples, ready to
insert) or into the row's errors. It needs no database, so for a file it runs in a
second process (``prepare_file_in_worker``) while the first writes the previous
chunk: on two cores an import costs about the larger of the two halves, not their sum.
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queue_module
import threading
import time
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from counter_app.db.models import CapitalAccount, Customer, SecuritiesAccount
from counter_app.domain.codes import CustomerType, DepositoryStatus, IdType, Market
from counter_app.domain.normalize import is_blank_or_placeholder, normalize_id, normalize_name
from counter_app.domain.phone import normalize_phone
from counter_app.domain.screening import (
    AccountFacts,
    ScreeningPolicy,
    SecuritiesFacts,
    classify,
    reasons_to_text,
    row_reasons,
)
from counter_app.errors import UserError
from counter_app.importing.errors import FileRefused
from counter_app.importing.parse import DuplicateTracker, ParsedRow, RowError, parse_row
from counter_app.importing.reader import ExportReader, RawRow

CHUNK_ROWS = 2000
# Chunks in flight between the processes: bounds memory whatever the file's size.
QUEUE_CHUNKS = 8

CUSTOMER_COLUMNS = (
    "name",
    "name_norm",
    "customer_type",
    "id_type",
    "id_number",
    "id_norm",
    "phone",
    "phone_norm",
    "address",
    "has_paper_file",
)
ACCOUNT_DATA_COLUMNS = (
    "opened_on",
    "balance_cents",
    "holdings_cents",
    "last_trade_on",
    "bank_code",
    "bank_account",
    "depository_status",
    "row_reasons",
    "securities_count",
    "source_fingerprint",
)
SECURITIES_COLUMNS = ("market", "account_no", "holder_name", "holder_id_number")


class PreparedRow(NamedTuple):
    """One readable row, screened: values in the column orders above."""

    line_no: int
    capital_account: str
    fingerprint: bytes
    customer: tuple[Any, ...]
    account: tuple[Any, ...]
    securities: tuple[tuple[str, str, str, str], ...]
    own_reasons: str
    # the class it has when nothing else (duplicates, flags) applies: a new account's
    own_class: str
    depository_status: str


@dataclass
class PreparedChunk:
    rows: list[PreparedRow]
    errors: list[RowError]
    rows_read: int
    bytes_done: int = 0
    bytes_total: int = 0


def _column_length(column: Any) -> int:
    length = column.type.length
    assert isinstance(length, int)
    return int(length)


# What each text column holds, read from the model so the two cannot drift apart:
# PostgreSQL refuses a longer value (the whole import would fail on it), SQLite would
# keep it. A row with a longer value is an error of that row, named like any other.
_NAME_MAX = _column_length(Customer.__table__.c.name)
_NAME_NORM_MAX = _column_length(Customer.__table__.c.name_norm)
_ID_MAX = _column_length(Customer.__table__.c.id_number)
_ID_NORM_MAX = _column_length(Customer.__table__.c.id_norm)
_PHONE_MAX = _column_length(Customer.__table__.c.phone)
_ADDRESS_MAX = _column_length(Customer.__table__.c.address)
_BANK_ACCOUNT_MAX = _column_length(CapitalAccount.__table__.c.bank_account)
_HOLDER_NAME_MAX = _column_length(SecuritiesAccount.__table__.c.holder_name)
_HOLDER_ID_MAX = _column_length(SecuritiesAccount.__table__.c.holder_id_number)


# no column holds fewer characters than this: a row whose texts are all shorter (nearly
# every row) needs no closer look
_SHORTEST_LIMIT = min(
    _NAME_MAX,
    _NAME_NORM_MAX,
    _ID_MAX,
    _ID_NORM_MAX,
    _PHONE_MAX,
    _ADDRESS_MAX,
    _BANK_ACCOUNT_MAX,
    _HOLDER_NAME_MAX,
    _HOLDER_ID_MAX,
)


def length_errors(parsed: ParsedRow, name_norm: str, id_norm: str) -> list[RowError]:
    texts = [
        parsed.name,
        name_norm,
        parsed.id_number,
        id_norm,
        parsed.phone,
        parsed.address,
        parsed.bank_account,
    ]
    texts.extend(t for sec in parsed.securities for t in (sec.holder_name, sec.holder_id_number))
    if max(map(len, texts)) <= _SHORTEST_LIMIT:
        return []
    checks = [
        ("name", parsed.name, parsed.name, _NAME_MAX),
        ("name", parsed.name, name_norm, _NAME_NORM_MAX),
        ("id_number", parsed.id_number, parsed.id_number, _ID_MAX),
        ("id_number", parsed.id_number, id_norm, _ID_NORM_MAX),
        ("phone", parsed.phone, parsed.phone, _PHONE_MAX),
        ("address", parsed.address, parsed.address, _ADDRESS_MAX),
        ("bank_account", parsed.bank_account, parsed.bank_account, _BANK_ACCOUNT_MAX),
    ]
    for sec in parsed.securities:
        prefix = "sh" if sec.market.value == "SH" else "sz"
        checks.append((f"{prefix}_name", sec.holder_name, sec.holder_name, _HOLDER_NAME_MAX))
        checks.append(
            (f"{prefix}_id_number", sec.holder_id_number, sec.holder_id_number, _HOLDER_ID_MAX)
        )
    errors: list[RowError] = []
    for column, value, stored, limit in checks:
        if len(stored) > limit and not any(e.column == column for e in errors):
            shown = value if len(value) <= 60 else value[:60] + "…"
            normalized = " once normalized" if stored is not value else ""
            errors.append(
                RowError(
                    parsed.line_no,
                    column,
                    shown,
                    f"too long{normalized}: at most {limit} characters",
                    f"内容过长：最多 {limit} 个字符",
                )
            )
    return errors


class Preparer:
    """Parses, checks and screens rows; keeps the whole-file checks (duplicates)."""

    def __init__(
        self,
        policy: ScreeningPolicy,
        banks: dict[str, str],
        known_banks: list[str],
        *,
        screen_here: bool = True,
    ) -> None:
        self.policy = policy
        self.screen_here = screen_here
        self.banks = banks
        self.known_banks = known_banks
        self.accounts_seen = DuplicateTracker()
        self.securities_seen = DuplicateTracker()
        self.failed = False

    def prepare(self, raw: RawRow) -> PreparedRow | list[RowError]:
        parsed = parse_row(raw)
        if isinstance(parsed, list):
            self.failed = True
            return parsed
        errors: list[RowError] = []
        duplicate = self.accounts_seen.see(parsed.capital_account, parsed.line_no)
        if duplicate is not None:
            errors.append(duplicate)
        for sec in parsed.securities:
            twice = self.securities_seen.see(sec.account_no, parsed.line_no)
            if twice is not None:
                column = "sh_account" if sec.market.value == "SH" else "sz_account"
                errors.append(
                    RowError(
                        parsed.line_no,
                        column,
                        sec.account_no,
                        twice.message.replace("capital account", "securities account"),
                        twice.message_zh.replace("资金账号", "证券账户"),
                    )
                )
        name_norm = "" if is_blank_or_placeholder(parsed.name) else normalize_name(parsed.name)
        id_norm = normalize_id(parsed.id_number)
        errors.extend(length_errors(parsed, name_norm, id_norm))
        bank_code = None
        if parsed.bank:
            bank_code = self.banks.get(parsed.bank.strip().upper())
            if bank_code is None:
                errors.append(
                    RowError(
                        parsed.line_no,
                        "bank",
                        parsed.bank,
                        "unknown bank; known: " + ", ".join(self.known_banks),
                        "未知的存管银行；可用：" + "、".join(self.known_banks),
                    )
                )
        if errors:
            self.failed = True
            return errors
        securities = tuple(
            (str.__str__(s.market), s.account_no, s.holder_name, s.holder_id_number)
            for s in parsed.securities
        )
        fingerprint = parsed.fingerprint()
        depository = str.__str__(parsed.depository_status)
        row = PreparedRow(
            line_no=parsed.line_no,
            capital_account=parsed.capital_account,
            fingerprint=fingerprint,
            customer=(
                parsed.name,
                name_norm,
                str.__str__(parsed.customer_type),
                str.__str__(parsed.id_type),
                parsed.id_number,
                id_norm,
                parsed.phone,
                normalize_phone(parsed.phone) or "",
                parsed.address,
                parsed.has_paper_file,
            ),
            account=(
                parsed.opened_on,
                parsed.balance_cents,
                parsed.holdings_cents,
                parsed.last_trade_on,
                bank_code,
                parsed.bank_account,
                depository,
                "",  # row_reasons: filled by screen()
                len(securities),
                fingerprint,
            ),
            securities=securities,
            own_reasons="",
            own_class="",
            depository_status=depository,
        )
        return self.screen(row) if self.screen_here else row

    def screen(self, row: PreparedRow) -> PreparedRow:
        """Add the row's own reasons and class (the domain rules) to a prepared row.

        Separate from ``prepare`` so that, when a file is read in a second process,
        the writing process can take this share of the work and neither waits long.
        """
        c = row.customer
        a = row.account
        facts = AccountFacts(
            name=c[0],
            customer_type=CustomerType(c[2]),
            id_type=IdType(c[3]),
            id_number=c[4],
            phone=c[6],
            address=c[8],
            has_paper_file=c[9],
            opened_on=a[0],
            balance_cents=a[1],
            holdings_cents=a[2],
            last_trade_on=a[3],
            securities=tuple(
                SecuritiesFacts(Market(s[0]), s[1], s[2], s[3]) for s in row.securities
            ),
        )
        own = row_reasons(facts, self.policy)
        own_text = reasons_to_text(own)
        return row._replace(
            account=(*a[:7], own_text, *a[8:]),
            own_reasons=own_text,
            own_class=str.__str__(classify(own, DepositoryStatus(row.depository_status))),
        )

    def chunks(self, rows: Iterable[RawRow], size: int = CHUNK_ROWS) -> Iterator[PreparedChunk]:
        """Prepared rows in chunks; after the first error only errors are kept."""
        chunk = PreparedChunk([], [], 0)
        for raw in rows:
            result = self.prepare(raw)
            if isinstance(result, list):
                chunk.errors.extend(result)
            elif not self.failed:
                chunk.rows.append(result)
            chunk.rows_read += 1
            if chunk.rows_read >= size:
                if self.failed:
                    chunk.rows = []
                yield chunk
                chunk = PreparedChunk([], [], 0)
        if chunk.rows_read or chunk.errors:
            if self.failed:
                chunk.rows = []
            yield chunk


@dataclass
class FileOutcome:
    """What the reading side learned about the file as a whole."""

    unknown_columns: list[str] = field(default_factory=list)


def _exit_with_parent(parent: int) -> None:
    """End this reader as soon as the importing process is gone (killed, say).

    A forked reader holds a copy of the importer's database socket: an orphan would
    keep the killed import's transaction, and its locks, open on the server (and it
    would block for ever on the full queue, whose read end it holds too). ``os._exit``
    closes the copy without a word to the server, which then rolls the import back.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _worker(path: str, preparer: Preparer, out: Any, parent: int) -> None:
    _exit_with_parent(parent)
    try:
        with ExportReader.open(Path(path)) as reader:
            for chunk in preparer.chunks(reader):
                chunk.bytes_done = reader.bytes_done
                chunk.bytes_total = reader.bytes_total
                out.put(("chunk", chunk))
            out.put(("end", list(reader.unknown_columns)))
    except FileRefused as refused:
        out.put(("refused", str(refused), refused.reason_code, refused.message_zh))
    except UserError as err:
        out.put(("user_error", str(err), err.message_zh))
    except BaseException:  # a bug: carry its traceback to the parent to report it
        out.put(("failed", traceback.format_exc()))


class WorkerFailed(RuntimeError):
    """The preparing process died of a bug; carries its traceback."""


def prepare_file_in_worker(
    path: Path, preparer: Preparer, outcome: FileOutcome
) -> Iterator[PreparedChunk]:
    """Read and prepare ``path`` in a second process, yielding its chunks in order.

    The caller writes each chunk while the worker prepares the next ones. If the caller
    stops early (an error, a refusal), the worker is stopped too.
    """
    methods = multiprocessing.get_all_start_methods()
    context: Any = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    channel = context.Queue(maxsize=QUEUE_CHUNKS)
    process = context.Process(
        target=_worker,
        args=(str(path), preparer, channel, os.getpid()),
        name="counter-app-import-reader",
    )
    process.daemon = True
    process.start()
    try:
        while True:
            try:
                message = channel.get(timeout=1.0)
            except queue_module.Empty:
                if not process.is_alive():
                    raise WorkerFailed(
                        f"the file reader stopped unexpectedly (exit code {process.exitcode})"
                    ) from None
                continue
            kind = message[0]
            if kind == "chunk":
                yield message[1]
            elif kind == "end":
                outcome.unknown_columns = message[1]
                return
            elif kind == "refused":
                raise FileRefused(message[1], message[2], zh=message[3])
            elif kind == "user_error":
                raise UserError(message[1], zh=message[2])
            else:
                raise WorkerFailed(message[1])
    finally:
        if process.is_alive():
            process.terminate()
        process.join(timeout=5)
        channel.close()
        channel.join_thread()

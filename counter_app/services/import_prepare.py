"""The database-free half of an import: rows parsed, checked and screened.

A ``Preparer`` turns each ``RawRow`` into plain tuples ready to insert (or into the
row's errors). It needs no database, so for a file it runs in a second process
(``FileWorker``) while the first writes the previous chunk: on two cores an import
costs about the larger of the two halves, not their sum.

Rows cross between the processes as plain tuples packed with ``marshal`` (several
times cheaper than pickling objects), in the form the database stores on SQLite: dates
as ISO text, enums as their values. Each row carries a *key*, its number among the
file's readable rows (1, 2, ...): the writer derives the new rows' ids from it, so on
SQLite the tuples go to ``executemany`` as they arrive.
"""

from __future__ import annotations

import marshal
import multiprocessing
import os
import queue as queue_module
import threading
import time
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from counter_app.db.models import CapitalAccount, Customer, SecuritiesAccount
from counter_app.domain.codes import CustomerType, DepositoryStatus, IdType, Market
from counter_app.domain.normalize import is_blank_or_placeholder, normalize_id, normalize_name
from counter_app.domain.phone import analyse_phone
from counter_app.domain.screening import MaskVerdicts, ScreeningPolicy, row_reason_mask
from counter_app.errors import UserError
from counter_app.importing.errors import FileRefused
from counter_app.importing.parse import (
    DuplicateTracker,
    RowError,
    RowFields,
    SecuritiesFields,
    fields_fingerprint,
    parse_values,
)
from counter_app.importing.reader import ExportReader, ValueRow

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

CustomerRow = tuple[Any, ...]
"""(key, *CUSTOMER_COLUMNS values)."""
AccountRow = tuple[Any, ...]
"""(key, account number, *ACCOUNT_DATA_COLUMNS values, class of the row's own reasons)."""
SecuritiesRow = tuple[int, str, str, str, str]
"""(key, *SECURITIES_COLUMNS values)."""

# Positions in an AccountRow.
A_KEY = 0
A_NUMBER = 1
A_OPENED_ON = 2
A_LAST_TRADE_ON = 5
A_DEPOSITORY = 8
A_REASONS = 9
A_SECURITIES_COUNT = 10
A_FINGERPRINT = 11
A_CLASS = 12

# Enum members as their plain str values: marshal takes exact built-in types only.
_PLAIN: dict[str, str] = {
    member: member.value
    for enum in (CustomerType, IdType, DepositoryStatus, Market)
    for member in enum
}


@dataclass
class PreparedChunk:
    """Prepared rows of a stretch of the file, as parallel lists (row i in each)."""

    customers: list[CustomerRow] = field(default_factory=list)
    accounts: list[AccountRow] = field(default_factory=list)
    securities: list[SecuritiesRow] = field(default_factory=list)  # in row order
    line_nos: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows_read: int = 0
    bytes_done: int = 0
    bytes_total: int = 0

    def drop_rows(self) -> None:
        self.customers, self.accounts, self.securities, self.line_nos = [], [], [], []

    def to_wire(self) -> tuple[bytes, list[RowError], int, int, int]:
        rows = marshal.dumps((self.customers, self.accounts, self.securities, self.line_nos))
        return rows, self.errors, self.rows_read, self.bytes_done, self.bytes_total

    @classmethod
    def from_wire(cls, wire: tuple[bytes, list[RowError], int, int, int]) -> PreparedChunk:
        rows, errors, rows_read, bytes_done, bytes_total = wire
        customers, accounts, securities, line_nos = marshal.loads(rows)
        return cls(
            customers, accounts, securities, line_nos, errors, rows_read, bytes_done, bytes_total
        )


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


def length_errors(fields: RowFields, name_norm: str, id_norm: str) -> list[RowError]:
    """The row's texts that are longer than their column holds (usually none)."""
    line_no, name, id_number, phone = fields[0], fields[2], fields[5], fields[6]
    address, bank_account, securities = fields[7], fields[14], fields[12]
    longest = max(
        len(name),
        len(name_norm),
        len(id_number),
        len(id_norm),
        len(phone),
        len(address),
        len(bank_account),
    )
    for sec in securities:
        longest = max(longest, len(sec[2]), len(sec[3]))
    if longest <= _SHORTEST_LIMIT:
        return []
    checks = [
        ("name", name, name, _NAME_MAX),
        ("name", name, name_norm, _NAME_NORM_MAX),
        ("id_number", id_number, id_number, _ID_MAX),
        ("id_number", id_number, id_norm, _ID_NORM_MAX),
        ("phone", phone, phone, _PHONE_MAX),
        ("address", address, address, _ADDRESS_MAX),
        ("bank_account", bank_account, bank_account, _BANK_ACCOUNT_MAX),
    ]
    for market, _number, holder_name, holder_id in securities:
        prefix = "sh" if market == Market.SH else "sz"
        checks.append((f"{prefix}_name", holder_name, holder_name, _HOLDER_NAME_MAX))
        checks.append((f"{prefix}_id_number", holder_id, holder_id, _HOLDER_ID_MAX))
    errors: list[RowError] = []
    for column, value, stored, limit in checks:
        if len(stored) > limit and not any(e.column == column for e in errors):
            shown = value if len(value) <= 60 else value[:60] + "…"
            normalized = " once normalized" if stored is not value else ""
            errors.append(
                RowError(
                    line_no,
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
        self, policy: ScreeningPolicy, banks: dict[str, str], known_banks: list[str]
    ) -> None:
        self.policy = policy
        self.banks = banks
        self.known_banks = known_banks
        self.accounts_seen = DuplicateTracker()
        self.securities_seen = DuplicateTracker()
        self.failed = False
        self.keys = 0  # readable rows so far: the next row's key is one more
        self.verdicts = MaskVerdicts()

    def prepare(self, row: ValueRow, chunk: PreparedChunk) -> None:
        """Add the row to ``chunk``: its tuples, or its errors.

        After the first error of the file, rows are only checked (their errors are
        all that will be reported), not screened or kept.
        """
        fields = parse_values(*row)
        if isinstance(fields, list):
            self.failed = True
            chunk.errors.extend(fields)
            return
        (
            line_no,
            capital_account,
            name,
            customer_type,
            id_type,
            id_number,
            phone,
            address,
            opened_on,
            balance_cents,
            holdings_cents,
            last_trade_on,
            securities,
            bank,
            bank_account,
            depository,
            has_paper_file,
        ) = fields
        errors = self._whole_file_errors(capital_account, securities, line_no)
        name_norm = "" if is_blank_or_placeholder(name) else normalize_name(name)
        id_norm = normalize_id(id_number)
        too_long = length_errors(fields, name_norm, id_norm)
        if too_long:
            errors.extend(too_long)
        bank_code = None
        if bank:
            bank_code = self.banks.get(bank.strip().upper())
            if bank_code is None:
                errors.append(
                    RowError(
                        line_no,
                        "bank",
                        bank,
                        "unknown bank; known: " + ", ".join(self.known_banks),
                        "未知的存管银行；可用：" + "、".join(self.known_banks),
                    )
                )
        if errors:
            self.failed = True
            chunk.errors.extend(errors)
            return
        if self.failed:
            return
        phone_check, phone_norm = analyse_phone(phone)
        mask = row_reason_mask(
            self.policy,
            name,
            name_norm,
            id_type,
            id_number,
            id_norm,
            phone_check,
            address,
            has_paper_file,
            opened_on,
            balance_cents,
            holdings_cents,
            last_trade_on,
            securities,
        )
        reasons, account_class = self.verdicts.get(mask, depository)
        self.keys += 1
        key = self.keys
        plain = _PLAIN
        chunk.customers.append(
            (
                key,
                name,
                name_norm,
                plain[customer_type],
                plain[id_type],
                id_number,
                id_norm,
                phone,
                phone_norm or "",
                address,
                has_paper_file,
            )
        )
        chunk.accounts.append(
            (
                key,
                capital_account,
                opened_on.isoformat(),
                balance_cents,
                holdings_cents,
                None if last_trade_on is None else last_trade_on.isoformat(),
                bank_code,
                bank_account,
                plain[depository],
                reasons,
                len(securities),
                fields_fingerprint(fields),
                account_class,
            )
        )
        for market, number, holder_name, holder_id in securities:
            chunk.securities.append((key, plain[market], number, holder_name, holder_id))
        chunk.line_nos.append(line_no)

    def _whole_file_errors(
        self, capital_account: str, securities: tuple[SecuritiesFields, ...], line_no: int
    ) -> list[RowError]:
        """A capital or securities account seen on an earlier line."""
        errors: list[RowError] = []
        duplicate = self.accounts_seen.see(capital_account, line_no)
        if duplicate is not None:
            errors.append(duplicate)
        for market, number, _name, _id in securities:
            twice = self.securities_seen.see(number, line_no)
            if twice is not None:
                errors.append(
                    RowError(
                        line_no,
                        "sh_account" if market == Market.SH else "sz_account",
                        number,
                        twice.message.replace("capital account", "securities account"),
                        twice.message_zh.replace("资金账号", "证券账户"),
                    )
                )
        return errors

    def chunks(self, rows: Iterable[ValueRow], size: int = CHUNK_ROWS) -> Iterator[PreparedChunk]:
        """Prepared rows in chunks; after the first error only errors are kept."""
        chunk = PreparedChunk()
        prepare = self.prepare
        for row in rows:
            prepare(row, chunk)
            chunk.rows_read += 1
            if chunk.rows_read >= size:
                if self.failed:
                    chunk.drop_rows()
                yield chunk
                chunk = PreparedChunk()
        if chunk.rows_read or chunk.errors:
            if self.failed:
                chunk.drop_rows()
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
            for chunk in preparer.chunks(reader.value_rows()):
                chunk.bytes_done = reader.bytes_done
                chunk.bytes_total = reader.bytes_total
                out.put(("chunk", chunk.to_wire()))
            out.put(("end", list(reader.unknown_columns)))
    except FileRefused as refused:
        out.put(("refused", str(refused), refused.reason_code, refused.message_zh))
    except UserError as err:
        out.put(("user_error", str(err), err.message_zh))
    except BaseException:  # a bug: carry its traceback to the parent to report it
        out.put(("failed", traceback.format_exc()))


class WorkerFailed(RuntimeError):
    """The preparing process died of a bug; carries its traceback."""


class FileWorker:
    """Reads and prepares a file in a second process, started at once.

    Start it before the write transaction (it then reads the encoding and the first
    chunks while this process gets ready), iterate ``chunks`` once, and ``close`` it
    in every case: a caller that stops early (an error, a refusal) stops the worker.
    """

    def __init__(self, path: Path, preparer: Preparer) -> None:
        methods = multiprocessing.get_all_start_methods()
        context: Any = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self._channel = context.Queue(maxsize=QUEUE_CHUNKS)
        self._process = context.Process(
            target=_worker,
            args=(str(path), preparer, self._channel, os.getpid()),
            name="counter-app-import-reader",
        )
        self._process.daemon = True
        self._process.start()

    def chunks(self, outcome: FileOutcome) -> Iterator[PreparedChunk]:
        """The file's chunks in order; raises what the reading process ran into."""
        while True:
            try:
                message = self._channel.get(timeout=1.0)
            except queue_module.Empty:
                if not self._process.is_alive():
                    raise WorkerFailed(
                        f"the file reader stopped unexpectedly (exit code {self._process.exitcode})"
                    ) from None
                continue
            kind = message[0]
            if kind == "chunk":
                yield PreparedChunk.from_wire(message[1])
            elif kind == "end":
                outcome.unknown_columns = message[1]
                return
            elif kind == "refused":
                raise FileRefused(message[1], message[2], zh=message[3])
            elif kind == "user_error":
                raise UserError(message[1], zh=message[2])
            else:
                raise WorkerFailed(message[1])

    def close(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join(timeout=5)
        self._channel.close()
        self._channel.join_thread()

"""Turning a :class:`RawRow` into a :class:`ParsedRow`, or into every error of the row.

Only what makes a row unreadable as an account is an error here (shared/formats/
counter-export.md, "What a bad row gets"): the capital account, dates, amounts, the
shape of securities account numbers, the closed vocabularies. Names, ID numbers,
phones and addresses are kept as written (stripped): judging them is screening's job.

Accepted beyond the letter of the format document, because spreadsheets write them and
reading them is exact, never a guess:
- dates with one-digit month or day (``2023/4/7``) and a trailing time of day
  (``2023/4/7 0:00``, what Excel puts in a CSV for a date cell), which is dropped;
- amounts with zeros beyond the second decimal (``35.200``): the value is exact;
- a negative amount (``-12.50``): it is a number; whether it makes sense is not a
  question of reading it;
- a Shanghai account written with a lower-case ``a``, stored upper-case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from hashlib import blake2b
from typing import cast

from counter_app.domain.codes import CustomerType, DepositoryStatus, IdType, Market
from counter_app.importing.columns import COLUMN_BY_NAME, COLUMN_NAMES
from counter_app.importing.reader import RawRow

_MAX_VALUE_SHOWN = 200  # longer values are cut in errors (a runaway field stays small)


@dataclass(frozen=True, slots=True)
class RowError:
    """Why one value of one row cannot be read.

    ``column`` is the canonical column name, or ``""`` for a fault of the whole row
    (more values than the header has columns).
    """

    line_no: int
    column: str
    value: str
    message: str
    message_zh: str = ""

    def __str__(self) -> str:
        column = COLUMN_BY_NAME.get(self.column)
        where = f"line {self.line_no}" + (f", {column.label}" if column else "")
        return f"{where}: {self.message} (value “{self.value}”)"


@dataclass(frozen=True, slots=True)
class ParsedSecurities:
    market: Market
    account_no: str
    holder_name: str
    holder_id_number: str


@dataclass(frozen=True, slots=True)
class ParsedRow:
    """One readable account row; amounts in cents, texts stripped."""

    line_no: int
    capital_account: str
    name: str
    customer_type: CustomerType
    id_type: IdType
    id_number: str
    phone: str
    address: str
    opened_on: date
    balance_cents: int
    holdings_cents: int
    last_trade_on: date | None
    securities: tuple[ParsedSecurities, ...]  # SH then SZ, only accounts present
    bank: str
    bank_account: str  # digits only
    depository_status: DepositoryStatus
    has_paper_file: bool

    def fingerprint(self) -> bytes:
        """16-byte digest of every field but ``line_no``: equal rows, equal digests.

        Stable across processes and Python versions (blake2b over the NUL-joined
        text form), so it can be stored and compared with the next import.
        """
        return fields_fingerprint(self.fields())

    def fields(self) -> RowFields:
        """The row as the plain tuple ``parse_fields`` gives."""
        return (
            self.line_no,
            self.capital_account,
            self.name,
            self.customer_type,
            self.id_type,
            self.id_number,
            self.phone,
            self.address,
            self.opened_on,
            self.balance_cents,
            self.holdings_cents,
            self.last_trade_on,
            tuple(
                (s.market, s.account_no, s.holder_name, s.holder_id_number) for s in self.securities
            ),
            self.bank,
            self.bank_account,
            self.depository_status,
            self.has_paper_file,
        )


SecuritiesFields = tuple[Market, str, str, str]
"""(market, account number, holder name, holder ID number)."""

RowFields = tuple[
    int,
    str,
    str,
    CustomerType,
    IdType,
    str,
    str,
    str,
    date,
    int,
    int,
    date | None,
    tuple[SecuritiesFields, ...],
    str,
    str,
    DepositoryStatus,
    bool,
]
"""A ``ParsedRow`` as a plain tuple, fields in the same order (the bulk path: no object
per row)."""


def fields_fingerprint(fields: RowFields) -> bytes:
    """``ParsedRow.fingerprint`` of a row given as ``RowFields``."""
    (
        _line_no,
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
        depository_status,
        has_paper_file,
    ) = fields
    parts = [
        capital_account,
        name,
        customer_type,
        id_type,
        id_number,
        phone,
        address,
        opened_on.isoformat(),
        str(balance_cents),
        str(holdings_cents),
        "" if last_trade_on is None else last_trade_on.isoformat(),
        str(len(securities)),
    ]
    for sec in securities:
        parts += sec
    parts += (bank, bank_account, depository_status, "1" if has_paper_file else "0")
    # NUL cannot occur in a value (the reader refuses control characters and XML
    # has none), so it separates the parts unambiguously, and cheaply.
    text = "\x00".join(parts)
    return blake2b(text.encode("utf-8"), digest_size=16, person=b"counter-row-v2").digest()


# -- value readers -------------------------------------------------------------------
# Each returns the value, or a (message, message_zh) pair when the text is no such
# value. re.ASCII: \d must not match full-width or other Unicode digits.

_Problem = tuple[str, str]

_CAPITAL = re.compile(r"\d{6,20}", re.ASCII).fullmatch
_SH_ACCOUNT = re.compile(r"[Aa]\d{9}", re.ASCII).fullmatch
_SZ_ACCOUNT = re.compile(r"0\d{9}", re.ASCII).fullmatch
_DATE = re.compile(
    r"""(\d{4})(?:
        ([-/])(\d{1,2})\2(\d{1,2})                 # 2023-04-07, 2023/4/7
        (?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?  # a time of day, dropped
        |(\d{2})(\d{2}))                          # 20230407
    """,
    re.ASCII | re.VERBOSE,
).fullmatch
_AMOUNT = re.compile(r"([-+]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?", re.ASCII).fullmatch

_NOT_A_DATE: _Problem = (
    "not a date: expected YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD",
    "不是日期：应为 YYYY-MM-DD、YYYY/MM/DD 或 YYYYMMDD",
)
_NOT_AN_AMOUNT: _Problem = (
    "not an amount: expected yuan with up to 2 decimals, like 1234.56 or 1,234.56",
    "不是金额：应为以元为单位、最多两位小数的数，如 1234.56 或 1,234.56",
)
_TOO_MANY_DECIMALS: _Problem = (
    "more than 2 decimals: amounts are in yuan with at most 2 decimals (fen)",
    "小数超过两位：金额以元为单位，最多两位小数",
)

_MAX_AMOUNT_LENGTH = 40  # far beyond any balance; longer text is no amount

# Dates of an account cannot be outside these years; a year like 0202 is a typo.
_FIRST_YEAR = 1900
_LAST_YEAR = 2099


def _date(text: str) -> date | _Problem:
    # Fast path for the common YYYY-MM-DD (fromisoformat takes only ASCII digits);
    # anything it refuses goes on to the full reading and its precise message.
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            fast = date.fromisoformat(text)
        except ValueError:
            pass
        else:
            if _FIRST_YEAR <= fast.year <= _LAST_YEAR:
                return fast
    found = _DATE(text)
    if found is None:
        return _NOT_A_DATE
    year_text, _sep, month, day, month8, day8 = found.groups()
    year = int(year_text)
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        return (
            f"not a plausible date: the year must be {_FIRST_YEAR}–{_LAST_YEAR}",
            f"日期不合理：年份应在 {_FIRST_YEAR}–{_LAST_YEAR} 之间",
        )
    try:
        return date(year, int(month or month8), int(day or day8))
    except ValueError:
        return ("not a real date (no such day in the calendar)", "日期不存在（日历上没有这一天）")


def _cents(text: str) -> int | _Problem:
    if len(text) > _MAX_AMOUNT_LENGTH:
        return _NOT_AN_AMOUNT  # also keeps int() below its 4300-digit limit
    # Fast path for the common plain "1234.56"; int() of ASCII digits only is exact.
    whole, _dot, fraction = text.partition(".")
    if len(fraction) == 2 and text.isascii() and whole.isdigit() and fraction.isdigit():
        return int(whole + fraction)
    found = _AMOUNT(text)
    if found is None:
        return _NOT_AN_AMOUNT
    sign, whole, fraction = found.groups()
    cents = int(whole.replace(",", "")) * 100
    if fraction:
        if len(fraction) > 2:
            if fraction[2:].strip("0"):
                return _TOO_MANY_DECIMALS
            fraction = fraction[:2]
        cents += int(fraction) * 10 if len(fraction) == 1 else int(fraction)
    return -cents if sign == "-" else cents


class _Vocabulary:
    """A closed column: Chinese and English spellings (English case-insensitive)."""

    __slots__ = ("by_text", "default", "problem")

    def __init__(self, spellings: list[tuple[str, str, object]], default: object) -> None:
        self.by_text: dict[str, object] = {}
        for chinese, english, value in spellings:
            self.by_text[chinese] = value
            self.by_text[english.upper()] = value
        self.default = default
        english_list = ", ".join(f"{zh}/{en}" for zh, en, _ in spellings)
        chinese_list = "、".join(zh for zh, _, _ in spellings)
        english_only = "、".join(en for _, en, _ in spellings)
        self.problem: _Problem = (
            f"unknown value: accepted are {english_list} (empty means the default)",
            f"无法识别：可填 {chinese_list}（或 {english_only}），留空为默认值",
        )

    def read(self, text: str) -> object:
        """The value for ``text``; the default for empty; ``_UNKNOWN`` otherwise."""
        if not text:
            return self.default
        found = self.by_text.get(text)
        if found is None:
            found = self.by_text.get(text.upper(), _UNKNOWN)
        return found


_UNKNOWN = object()

_CUSTOMER_TYPES = _Vocabulary(
    [
        ("个人", "individual", CustomerType.INDIVIDUAL),
        ("机构", "institution", CustomerType.INSTITUTION),
    ],
    CustomerType.INDIVIDUAL,
)
_ID_TYPES = _Vocabulary(
    [
        ("身份证", "RIC", IdType.RIC),
        ("护照", "PASSPORT", IdType.PASSPORT),
        ("港澳通行证", "HKMO", IdType.HKMO),
        ("台胞证", "TW", IdType.TW),
        ("营业执照", "BIZ_LICENSE", IdType.BIZ_LICENSE),
        ("其他", "OTHER", IdType.OTHER),
    ],
    IdType.RIC,
)
_DEPOSITORY_STATUSES = _Vocabulary(
    [
        ("未签约", "NONE", DepositoryStatus.NONE),
        ("已签约", "SIGNED", DepositoryStatus.SIGNED),
        ("待银行确认", "PENDING_BANK", DepositoryStatus.PENDING_BANK),
        ("已确认", "ACTIVE", DepositoryStatus.ACTIVE),
    ],
    DepositoryStatus.NONE,
)
_PAPER_FILE = _Vocabulary([("有", "Y", True), ("无", "N", False)], True)

_MISSING: dict[str, _Problem] = {
    "capital_account": ("missing: the capital account number is required", "缺少资金账号"),
    "opened_on": ("missing: the opening date is required", "缺少开户日期"),
    "balance": ("missing: the balance is required", "缺少资金余额"),
}
_BAD_CAPITAL: _Problem = (
    "not a capital account number: expected 6 to 20 digits",
    "不是资金账号：应为 6 至 20 位数字",
)
_BAD_SH: _Problem = (
    "not a Shanghai A-share account number: expected A followed by 9 digits",
    "不是沪A股东账号：应为 A 加 9 位数字",
)
_BAD_SZ: _Problem = (
    "not a Shenzhen A-share account number: expected 10 digits starting with 0",
    "不是深A股东账号：应为以 0 开头的 10 位数字",
)
_BAD_SZ_SHORT: _Problem = (
    _BAD_SZ[0] + " (leading zeros lost? format the column as text in the spreadsheet)",
    _BAD_SZ[1] + "（开头的 0 可能被表格软件去掉了，请把该列设为文本）",
)
_HOLDER_WITHOUT_ACCOUNT = {
    Market.SH: (
        "Shanghai holder name or ID number given without a Shanghai account number",
        "填了沪A账户姓名或证件号码，却没有沪A股东账号",
    ),
    Market.SZ: (
        "Shenzhen holder name or ID number given without a Shenzhen account number",
        "填了深A账户姓名或证件号码，却没有深A股东账号",
    ),
}
_BAD_BANK_ACCOUNT: _Problem = (
    "not a bank account number: expected digits (spaces are allowed)",
    "不是银行账号：应为数字（可含空格）",
)


class _Errors:
    """Collects a row's errors; created only for bad rows (the common row has none)."""

    __slots__ = ("errors", "line_no")

    def __init__(self, line_no: int) -> None:
        self.line_no = line_no
        self.errors: list[RowError] = []

    def add(self, column: str, value: str, problem: _Problem) -> None:
        if len(value) > _MAX_VALUE_SHOWN:
            value = value[:_MAX_VALUE_SHOWN] + "…"
        self.errors.append(RowError(self.line_no, column, value, problem[0], problem[1]))


def parse_row(raw: RawRow) -> ParsedRow | list[RowError]:
    """Read one row; every error of the row when it cannot be read as an account.

    A column absent from the file reads as empty. Duplicate capital accounts need the
    whole file: see :class:`DuplicateTracker`.
    """
    fields = parse_fields(raw)
    if isinstance(fields, list):
        return fields
    return ParsedRow(
        *fields[:12],
        tuple(ParsedSecurities(*sec) for sec in fields[12]),
        *fields[13:],
    )


def parse_fields(raw: RawRow) -> RowFields | list[RowError]:
    """``parse_row`` giving the row as a plain tuple (``RowFields``)."""
    get = raw.values.get
    return parse_values(raw.line_no, tuple([get(name, "") for name in COLUMN_NAMES]), raw.extra)


def parse_values(
    line_no: int, values: tuple[str, ...], extra: tuple[str, ...] = ()
) -> RowFields | list[RowError]:
    """``parse_fields`` of a row given as its values in ``COLUMN_NAMES`` order ("" when
    the file has no such column): the reader's fast path, no dict per row."""
    (
        v_capital_account,
        v_name,
        v_customer_type,
        v_id_type,
        v_id_number,
        v_phone,
        v_address,
        v_opened_on,
        v_balance,
        v_holdings_value,
        v_last_trade_on,
        v_sh_account,
        v_sh_name,
        v_sh_id_number,
        v_sz_account,
        v_sz_name,
        v_sz_id_number,
        v_bank,
        v_bank_account,
        v_depository_status,
        v_paper_file,
    ) = values
    bad: _Errors | None = None

    capital = v_capital_account
    if not _CAPITAL(capital):
        bad = _Errors(line_no)
        bad.add(
            "capital_account", capital, _MISSING["capital_account"] if not capital else _BAD_CAPITAL
        )

    text = v_opened_on
    opened_on = _date(text) if text else _MISSING["opened_on"]
    if type(opened_on) is tuple:
        bad = bad or _Errors(line_no)
        bad.add("opened_on", text, opened_on)

    text = v_balance
    balance = _cents(text) if text else _MISSING["balance"]
    if type(balance) is tuple:
        bad = bad or _Errors(line_no)
        bad.add("balance", text, balance)

    text = v_holdings_value
    holdings = _cents(text) if text else 0
    if type(holdings) is tuple:
        bad = bad or _Errors(line_no)
        bad.add("holdings_value", text, holdings)

    text = v_last_trade_on
    last_trade_on = _date(text) if text else None
    if type(last_trade_on) is tuple:
        bad = bad or _Errors(line_no)
        bad.add("last_trade_on", text, last_trade_on)

    securities: list[SecuritiesFields] = []
    account = v_sh_account
    if account:
        if _SH_ACCOUNT(account):
            securities.append((Market.SH, account.upper(), v_sh_name, v_sh_id_number))
        else:
            bad = bad or _Errors(line_no)
            bad.add("sh_account", account, _BAD_SH)
    elif v_sh_name or v_sh_id_number:
        bad = bad or _Errors(line_no)
        bad.add("sh_account", "", _HOLDER_WITHOUT_ACCOUNT[Market.SH])
    account = v_sz_account
    if account:
        if _SZ_ACCOUNT(account):
            securities.append((Market.SZ, account, v_sz_name, v_sz_id_number))
        else:
            bad = bad or _Errors(line_no)
            short = account.isascii() and account.isdigit() and len(account) < 10
            bad.add("sz_account", account, _BAD_SZ_SHORT if short else _BAD_SZ)
    elif v_sz_name or v_sz_id_number:
        bad = bad or _Errors(line_no)
        bad.add("sz_account", "", _HOLDER_WITHOUT_ACCOUNT[Market.SZ])

    text = v_bank_account
    bank_account = "".join(text.split()) if text else ""
    if bank_account and not (bank_account.isascii() and bank_account.isdigit()):
        bad = bad or _Errors(line_no)
        bad.add("bank_account", text, _BAD_BANK_ACCOUNT)

    text = v_customer_type
    customer_type = _CUSTOMER_TYPES.read(text)
    if customer_type is _UNKNOWN:
        bad = bad or _Errors(line_no)
        bad.add("customer_type", text, _CUSTOMER_TYPES.problem)
    text = v_id_type
    id_type = _ID_TYPES.read(text)
    if id_type is _UNKNOWN:
        bad = bad or _Errors(line_no)
        bad.add("id_type", text, _ID_TYPES.problem)
    text = v_depository_status
    depository_status = _DEPOSITORY_STATUSES.read(text)
    if depository_status is _UNKNOWN:
        bad = bad or _Errors(line_no)
        bad.add("depository_status", text, _DEPOSITORY_STATUSES.problem)
    text = v_paper_file
    paper_file = _PAPER_FILE.read(text)
    if paper_file is _UNKNOWN:
        bad = bad or _Errors(line_no)
        bad.add("paper_file", text, _PAPER_FILE.problem)

    if extra:
        bad = bad or _Errors(line_no)
        count = len(extra)
        bad.add(
            "",
            " | ".join(extra),
            (
                f"the row has {count} value(s) beyond the last column of the header: is a "
                "delimiter inside an unquoted value (an amount like 418,761.09 needs quotes)?",
                f"该行比表头多出 {count} 个值：可能有未加引号的分隔符"
                "（如 418,761.09 这样的金额需加引号）",
            ),
        )

    if bad is not None:
        return bad.errors
    # The checks above leave only well-typed values here (the cast tells mypy so; asserts
    # would cost a million isinstance calls a million rows).
    return cast(
        RowFields,
        (
            line_no,
            capital,
            v_name,
            customer_type,
            id_type,
            v_id_number,
            v_phone,
            v_address,
            opened_on,
            balance,
            holdings,
            last_trade_on,
            tuple(securities),
            v_bank,
            bank_account,
            depository_status,
            paper_file,
        ),
    )


class DuplicateTracker:
    """Finds capital accounts that occur twice in one file.

    Keys are ints (``int("1" + digits)``: the leading ``1`` keeps leading zeros
    apart), about half the memory of str keys; a million accounts cost some 100 MB
    (measured in bench/bench_reader.py). Accounts that are not all digits (already an
    error of their row) are kept as str so they are still compared exactly.
    """

    __slots__ = ("_first_line",)

    def __init__(self) -> None:
        self._first_line: dict[int | str, int] = {}

    def __len__(self) -> int:
        return len(self._first_line)

    def __contains__(self, capital_account: object) -> bool:
        if not isinstance(capital_account, str):
            return False
        if capital_account.isascii() and capital_account.isdigit():
            return int("1" + capital_account) in self._first_line
        return capital_account in self._first_line

    def see(self, capital_account: str, line_no: int) -> RowError | None:
        """Record an account; an error naming the first line when it was seen before."""
        if not capital_account:
            return None
        key: int | str = (
            int("1" + capital_account)
            if len(capital_account) <= 40
            and capital_account.isascii()
            and capital_account.isdigit()
            else capital_account
        )
        first = self._first_line.setdefault(key, line_no)
        if first == line_no:
            return None
        return RowError(
            line_no,
            "capital_account",
            capital_account,
            f"duplicate capital account: already on line {first}",
            f"资金账号重复：第 {first} 行已有",
        )

"""Demo data: a realistic branch, row by row, exactly as the counter system exports it.

``generate_rows`` yields one ``dict[str, str]`` per capital account, keyed by the
canonical English column names of the counter export and holding the text the real
export would hold (Chinese labels, ``YYYY-MM-DD`` dates, 2-decimal amounts). It touches
no database: the importer takes the rows like any file's rows, and ``write_export``
turns them into a counter-export file (CSV in GB18030 or UTF-8, or ``.xlsx``) so the
import can be tried on a real file.

Every row comes from a :class:`Scenario`: the kind of account it was made to be. For a
branch of the default size every scenario, and so every class and every reason of the
domain except the manual ones (a person sets those; no export carries them), is
present many times; the first ``len(Scenario)`` rows cover one scenario each, so even a
tiny demo has them all. ``SCENARIO_REASONS`` says which reasons each scenario is made
to carry, so a classifier can be checked against the generator.

Speed: Faker is slow per call, so it is only used once per seed to fill pools
(surnames, given names, street and company names) which a ``random.Random`` then
samples; ID numbers are allocated from counters so that no two customers share one by
accident (``DUPLICATE_ID`` appears only where a scenario puts it).
"""

from __future__ import annotations

import csv
import heapq
import itertools
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from random import Random
from typing import Literal, overload

from faker import Faker
from stdnum.cn import ric, uscc

from counter_app.domain.codes import DepositoryStatus, Reason
from counter_app.domain.screening import dormancy_cutoff
from counter_app.importing.columns import COLUMNS

DEFAULT_ACCOUNTS = 30432
DEFAULT_SEED = 20260328
DEFAULT_BASE_DATE = date(2026, 3, 28)
# Resident ID numbers are drawn without repetition from about 12 million per sex;
# well below that the draw stays fast.
MAX_ACCOUNTS = 5_000_000
EARLIEST_BASE_DATE = date(2000, 1, 1)
DORMANT_YEARS = 3  # the domain's default; the edge scenarios sit on its limits

FIELDS: tuple[str, ...] = tuple(column.name for column in COLUMNS)
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header row


class Scenario(StrEnum):
    """What a generated account was made to be (the comment gives its class)."""

    # QUALIFIED (split by depository status into DEPOSITED / NOT_DEPOSITED)
    QUALIFIED_ACTIVE = "QUALIFIED_ACTIVE"  # 已确认: deposited
    QUALIFIED_NONE = "QUALIFIED_NONE"  # 未签约
    QUALIFIED_SIGNED = "QUALIFIED_SIGNED"  # 已签约
    QUALIFIED_PENDING_BANK = "QUALIFIED_PENDING_BANK"  # 待银行确认
    # Securities-account name or ID that differ from the customer's only in form
    # (middle dot variants, spaces, letter case, lower-case x, the 15-digit form).
    QUALIFIED_VARIANT = "QUALIFIED_VARIANT"
    SAME_CUSTOMER_TWICE = "SAME_CUSTOMER_TWICE"  # same name and ID on two accounts
    INSTITUTION = "INSTITUTION"  # 机构 with a unified social credit code
    FOREIGN_ID = "FOREIGN_ID"  # passport, HK/Macau or Taiwan permit, other
    NEAR_DORMANT = "NEAR_DORMANT"  # just outside a dormancy limit (100.01, cutoff + 1 day)
    # DORMANT_SMALL
    DORMANT_SMALL = "DORMANT_SMALL"
    DORMANT_EDGE = "DORMANT_EDGE"  # exactly on a limit (100.00, activity on the cutoff)
    DORMANT_WITH_DATA = "DORMANT_WITH_DATA"  # dormant and no phone: dormancy wins
    # UNQUALIFIED_IDENTITY
    SEC_NAME_MISMATCH = "SEC_NAME_MISMATCH"
    SEC_ID_MISMATCH = "SEC_ID_MISMATCH"
    DUPLICATE_ID = "DUPLICATE_ID"  # two customers, one ID, different names
    IDENTITY_AND_DATA = "IDENTITY_AND_DATA"  # name mismatch and an invalid phone
    # UNQUALIFIED_DATA
    NAME_MISSING = "NAME_MISSING"
    ID_MISSING = "ID_MISSING"
    ID_INVALID = "ID_INVALID"
    ID_LEGACY_15 = "ID_LEGACY_15"
    PHONE_MISSING = "PHONE_MISSING"
    PHONE_INVALID = "PHONE_INVALID"
    ADDRESS_MISSING = "ADDRESS_MISSING"
    ADDRESS_INCOMPLETE = "ADDRESS_INCOMPLETE"
    FILE_MISSING = "FILE_MISSING"
    DATA_SEVERAL = "DATA_SEVERAL"  # no phone, no address, no paper file


_QUALIFIED = frozenset[Reason]()
# The reasons each scenario's rows are made to carry. Reason.DORMANT is the fact of
# dormancy, listed so that the class can be read off this table too.
SCENARIO_REASONS: dict[Scenario, frozenset[Reason]] = {
    Scenario.QUALIFIED_ACTIVE: _QUALIFIED,
    Scenario.QUALIFIED_NONE: _QUALIFIED,
    Scenario.QUALIFIED_SIGNED: _QUALIFIED,
    Scenario.QUALIFIED_PENDING_BANK: _QUALIFIED,
    Scenario.QUALIFIED_VARIANT: _QUALIFIED,
    Scenario.SAME_CUSTOMER_TWICE: _QUALIFIED,
    Scenario.INSTITUTION: _QUALIFIED,
    Scenario.FOREIGN_ID: _QUALIFIED,
    Scenario.NEAR_DORMANT: _QUALIFIED,
    Scenario.DORMANT_SMALL: frozenset({Reason.DORMANT}),
    Scenario.DORMANT_EDGE: frozenset({Reason.DORMANT}),
    Scenario.DORMANT_WITH_DATA: frozenset({Reason.DORMANT, Reason.PHONE_MISSING}),
    Scenario.SEC_NAME_MISMATCH: frozenset({Reason.SEC_NAME_MISMATCH}),
    Scenario.SEC_ID_MISMATCH: frozenset({Reason.SEC_ID_MISMATCH}),
    Scenario.DUPLICATE_ID: frozenset({Reason.DUPLICATE_ID}),
    Scenario.IDENTITY_AND_DATA: frozenset({Reason.SEC_NAME_MISMATCH, Reason.PHONE_INVALID}),
    Scenario.NAME_MISSING: frozenset({Reason.NAME_MISSING}),
    Scenario.ID_MISSING: frozenset({Reason.ID_MISSING}),
    Scenario.ID_INVALID: frozenset({Reason.ID_INVALID}),
    Scenario.ID_LEGACY_15: frozenset({Reason.ID_LEGACY_15}),
    Scenario.PHONE_MISSING: frozenset({Reason.PHONE_MISSING}),
    Scenario.PHONE_INVALID: frozenset({Reason.PHONE_INVALID}),
    Scenario.ADDRESS_MISSING: frozenset({Reason.ADDRESS_MISSING}),
    Scenario.ADDRESS_INCOMPLETE: frozenset({Reason.ADDRESS_INCOMPLETE}),
    Scenario.FILE_MISSING: frozenset({Reason.FILE_MISSING}),
    Scenario.DATA_SEVERAL: frozenset(
        {Reason.PHONE_MISSING, Reason.ADDRESS_MISSING, Reason.FILE_MISSING}
    ),
}

# Relative frequencies, per 1,000 scenario draws. Pair scenarios (SAME_CUSTOMER_TWICE,
# DUPLICATE_ID) give two rows per draw. Shares, roughly: 15 % dormant, 4 % identity,
# 12 % data, the rest qualified, most of it on depository.
_WEIGHTS: dict[Scenario, int] = {
    Scenario.QUALIFIED_ACTIVE: 560,
    Scenario.QUALIFIED_NONE: 50,
    Scenario.QUALIFIED_SIGNED: 20,
    Scenario.QUALIFIED_PENDING_BANK: 20,
    Scenario.QUALIFIED_VARIANT: 20,
    Scenario.SAME_CUSTOMER_TWICE: 4,
    Scenario.INSTITUTION: 10,
    Scenario.FOREIGN_ID: 10,
    Scenario.NEAR_DORMANT: 10,
    Scenario.DORMANT_SMALL: 125,
    Scenario.DORMANT_EDGE: 15,
    Scenario.DORMANT_WITH_DATA: 10,
    Scenario.SEC_NAME_MISMATCH: 14,
    Scenario.SEC_ID_MISMATCH: 10,
    Scenario.DUPLICATE_ID: 6,
    Scenario.IDENTITY_AND_DATA: 4,
    Scenario.NAME_MISSING: 10,
    Scenario.ID_MISSING: 10,
    Scenario.ID_INVALID: 16,
    Scenario.ID_LEGACY_15: 16,
    Scenario.PHONE_MISSING: 16,
    Scenario.PHONE_INVALID: 12,
    Scenario.ADDRESS_MISSING: 12,
    Scenario.ADDRESS_INCOMPLETE: 12,
    Scenario.FILE_MISSING: 12,
    Scenario.DATA_SEVERAL: 4,
}
_PAIRED = frozenset({Scenario.SAME_CUSTOMER_TWICE, Scenario.DUPLICATE_ID})
_MAX_TWIN_GAP = 2000  # rows between the two accounts of a pair, at most

# --- Chinese labels, as the counter system writes them ---------------------------------

_STATUS_ZH = {
    DepositoryStatus.NONE: "未签约",
    DepositoryStatus.SIGNED: "已签约",
    DepositoryStatus.PENDING_BANK: "待银行确认",
    DepositoryStatus.ACTIVE: "已确认",
}
_INDIVIDUAL, _INSTITUTION = "个人", "机构"
_RIC, _PASSPORT, _HKMO, _TW, _BIZ, _OTHER_ID = (
    "身份证",
    "护照",
    "港澳通行证",
    "台胞证",
    "营业执照",
    "其他",
)
# (short name, card BIN prefix, card length, weight)
_BANKS: tuple[tuple[str, str, int, int], ...] = (
    ("工商银行", "622202", 19, 30),
    ("建设银行", "621700", 19, 22),
    ("农业银行", "622848", 19, 15),
    ("中国银行", "621661", 19, 12),
    ("招商银行", "622588", 16, 11),
    ("交通银行", "622262", 19, 10),
)
_PLACEHOLDERS = ("", "无", "不详", "-", "未知")

# --- places: real prefecture/district names with their real 6-digit codes ---------------
# The branch is in Changsha, so most customers live there. (display, ID code, area code,
# weight). Codes are the current GB/T 2260 codes; ID numbers keep the code of the place
# where they were first issued, which is the customer's home here most of the time.
_PLACES: tuple[tuple[str, str, str, int], ...] = (
    ("长沙市芙蓉区", "430102", "0731", 120),
    ("长沙市天心区", "430103", "0731", 110),
    ("长沙市岳麓区", "430104", "0731", 120),
    ("长沙市开福区", "430105", "0731", 100),
    ("长沙市雨花区", "430111", "0731", 110),
    ("长沙市望城区", "430112", "0731", 30),
    ("长沙县星沙街道", "430121", "0731", 40),
    ("浏阳市淮川街道", "430181", "0731", 25),
    ("宁乡市玉潭街道", "430182", "0731", 20),
    ("株洲市天元区", "430211", "0731", 25),
    ("株洲市芦淞区", "430203", "0731", 15),
    ("湘潭市雨湖区", "430302", "0731", 20),
    ("湘潭市岳塘区", "430304", "0731", 15),
    ("衡阳市蒸湘区", "430408", "0734", 12),
    ("邵阳市大祥区", "430503", "0739", 10),
    ("岳阳市岳阳楼区", "430602", "0730", 15),
    ("常德市武陵区", "430702", "0736", 12),
    ("张家界市永定区", "430802", "0744", 5),
    ("益阳市赫山区", "430903", "0737", 10),
    ("郴州市北湖区", "431002", "0735", 8),
    ("永州市零陵区", "431102", "0746", 6),
    ("怀化市鹤城区", "431202", "0745", 6),
    ("娄底市娄星区", "431302", "0738", 8),
    ("吉首市乾州街道", "433101", "0743", 4),
    ("北京市朝阳区", "110105", "010", 10),
    ("北京市海淀区", "110108", "010", 8),
    ("上海市徐汇区", "310104", "021", 8),
    ("上海市浦东新区", "310115", "021", 8),
    ("天津市和平区", "120101", "022", 3),
    ("广州市天河区", "440106", "020", 8),
    ("深圳市福田区", "440304", "0755", 8),
    ("深圳市南山区", "440305", "0755", 6),
    ("南京市玄武区", "320102", "025", 4),
    ("杭州市西湖区", "330106", "0571", 4),
    ("武汉市武昌区", "420106", "027", 8),
    ("南昌市东湖区", "360102", "0791", 4),
    ("成都市武侯区", "510107", "028", 4),
    ("重庆市渝中区", "500103", "023", 4),
    ("大连市中山区", "210202", "0411", 3),
    ("郑州市金水区", "410105", "0371", 3),
    ("济南市历下区", "370102", "0531", 2),
    ("南宁市青秀区", "450103", "0771", 3),
    ("福州市鼓楼区", "350102", "0591", 2),
    ("厦门市思明区", "350203", "0592", 2),
    ("西安市雁塔区", "610113", "029", 3),
    ("乌鲁木齐市天山区", "650102", "0991", 2),
)
# Local numbers have 8 digits in the big cities, 7 elsewhere (what phonenumbers checks).
_EIGHT_DIGIT_AREAS = frozenset(
    {"010", "020", "021", "022", "023", "025", "027", "028", "029", "0371", "0411", "0531"}
    | {"0571", "0591", "0731", "0755", "0791"}
)
_PROVINCE_OF_CODE = {"43": "湖南省", "42": "湖北省", "44": "广东省", "32": "江苏省"}
_XINJIANG = len(_PLACES) - 1  # index of the Ürümqi place, home of the Uyghur names
_REAL_STREETS = (
    "五一大道",
    "芙蓉中路",
    "韶山北路",
    "解放西路",
    "人民东路",
    "中山路",
    "八一路",
    "建设路",
    "劳动西路",
    "湘江中路",
    "麓山南路",
    "东风路",
    "车站北路",
    "远大一路",
    "万家丽中路",
    "桐梓坡路",
    "金星北路",
    "书院路",
    "黄兴中路",
    "新民路",
)
_COMPANY_KINDS = (
    "科技有限公司",
    "投资有限公司",
    "实业有限公司",
    "贸易有限公司",
    "置业有限公司",
    "建设工程有限公司",
    "资产管理有限公司",
    "信息技术股份有限公司",
    "商贸有限责任公司",
)
_ESTATE_SUFFIXES = ("小区", "花园", "新村", "家园", "苑", "公寓", "雅苑")
_STREET_SUFFIXES = ("路", "街", "大道", "中路", "北路", "东路", "南路", "西路")
_INCOMPLETE_ADDRESSES = ("长沙", "长沙市", "湖南", "湖南省", "芙蓉区", " 长沙 ", "岳麓")

# --- names ---------------------------------------------------------------------------
_RARE_CHARS = "喆堃昇镕珺翀赟玥淼犇龑䶮𬌗𫖯"  # the last three are outside GB2312 / the BMP
_UYGHUR_GIVEN = (
    "阿依古丽",
    "买买提",
    "艾力",
    "古丽娜尔",
    "艾尔肯",
    "热依拉",
    "迪丽拜尔",
    "帕提古丽",
    "依明",
    "努尔",
    "吾买尔",
    "阿卜杜拉",
)
_UYGHUR_FAMILY = ("买买提", "吐尔逊", "阿不都拉", "艾力", "热合曼", "卡德尔", "司马义")
_MIDDLE_DOT_VARIANTS = ("•", "・", "‧")  # equal to "·" once normalized

# --- phones ----------------------------------------------------------------------------
_MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "173",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
)
# Not valid mainland numbers: too short, too long, a local number with no area code.
_INVALID_PHONES = ("12345", "123456", "8123456", "021-123", "110", "1380000")

_FEB_29 = (2, 29)


@dataclass(slots=True)
class _Person:
    """A customer as the branch knows them: the same person may own two accounts."""

    name: str
    customer_type: str
    id_type: str
    id_number: str
    birth_ordinal: int  # earliest opening date depends on it
    place: int  # index into _PLACES
    # Phone and address of the person's first account, reused on a second one.
    contact: tuple[str, str] | None = None


@dataclass(slots=True)
class _Finance:
    opened: int  # date ordinals
    last_trade: int | None
    balance_cents: int
    holdings_cents: int | None  # None: the column is left empty


def _shift_years(day: date, years: int) -> date:
    """``day`` moved by whole calendar years; 29 February falls back to 28 February."""
    if (day.month, day.day) == _FEB_29:
        day = day.replace(day=28)
    return day.replace(year=day.year + years)


def ric_check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of a GB 11643 number's first 17 digits."""
    return str(ric.calc_check_digit(first17 + "0"))


def _uscc_check_char(first17: str) -> str:
    return str(uscc.calc_check_digit(first17 + "0"))


def _org_code_check(first8: str) -> str:
    # GB 11714 organization code check character (the 9th character of the code).
    total = sum(int(c) * w for c, w in zip(first8, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


_LUHN_DOUBLED = {str(d): (d * 2 - 9 if d > 4 else d * 2) for d in range(10)}


def _luhn_complete(body: str) -> str:
    """``body`` with its Luhn check digit appended (bank card numbers carry one)."""
    digits = body[::-1]
    # Counting from the right, every other digit starting with the last one is doubled
    # (the check digit will sit to its right).
    total = sum(map(_LUHN_DOUBLED.__getitem__, digits[0::2])) + sum(map(int, digits[1::2]))
    return body + str(-total % 10)


class _Pools:
    """What Faker contributes, drawn once per seed (Faker is far too slow per row)."""

    def __init__(self, seed: int) -> None:
        fake = Faker("zh_CN")
        fake.seed_instance(seed)
        # Repeated draws keep Faker's surname frequencies (王, 李, 张 ... far ahead).
        self.surnames = [fake.last_name() for _ in range(4000)]
        self.given_male = [fake.first_name_male() for _ in range(1500)]
        self.given_female = [fake.first_name_female() for _ in range(1500)]
        # Characters to build two-character given names from, kept per sex so that
        # a second character does not turn a man's name into a woman's.
        self.chars_male = sorted({c for name in self.given_male for c in name})
        self.chars_female = sorted({c for name in self.given_female for c in name})
        self.single_chars = sorted(set(self.chars_male) | set(self.chars_female))
        cities = [fake.city_name() for _ in range(400)]
        self.streets = list(_REAL_STREETS) * 10 + [
            city + _STREET_SUFFIXES[i % len(_STREET_SUFFIXES)] for i, city in enumerate(cities)
        ]
        self.estates = [
            fake.city_name() + _ESTATE_SUFFIXES[i % len(_ESTATE_SUFFIXES)] for i in range(300)
        ]
        self.company_prefixes = [fake.company_prefix() for _ in range(600)]
        self.romanized = [fake.romanized_name().upper() for _ in range(200)]


class _Generator:
    def __init__(self, seed: int, base_date: date) -> None:
        self.rng = Random(seed)
        self.pools = _Pools(seed)
        self.base = base_date.toordinal()
        self.cutoff = dormancy_cutoff(base_date, DORMANT_YEARS).toordinal()
        self.first_open = min(date(1993, 1, 1), _shift_years(base_date, -10)).toordinal()
        self.latest_open = self.base - 1
        # Births 1935-2004, and at least 21 years before the base date so that an
        # account can have been opened (at 18) before the dormancy cutoff.
        self.birth_first = date(1935, 1, 1).toordinal()
        birth_last = min(date(2004, 12, 31), _shift_years(base_date, -21)).toordinal()
        self.birth_days = birth_last - self.birth_first + 1
        self.legacy_days = min(date(1984, 12, 31).toordinal(), birth_last) - self.birth_first + 1
        self.birth_text = [
            date.fromordinal(self.birth_first + i).strftime("%Y%m%d")
            for i in range(self.birth_days)
        ]
        # Resident ID numbers: for each birth day and sex, a counter walked through a
        # permutation of the 500 sequence numbers of that sex, so no two customers
        # get the same number (a collision would be a false DUPLICATE_ID).
        self.id_counters = (
            array("H", bytes(2 * self.birth_days)),
            array("H", bytes(2 * self.birth_days)),
        )
        self.id_step = self.rng.choice((3, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43))
        self.id_offset = self.rng.randrange(500)
        self.invalid_counter = self.rng.randrange(1000)
        self.other_id_counter = self.rng.randrange(10_000_000, 30_000_000)
        self.org_counter = self.rng.randrange(10_000_000, 60_000_000)
        # Account numbers: sequential-looking with gaps (closed and skipped numbers).
        self.capital_next = self.rng.randrange(10_000_000, 12_000_000)
        self.sh_next = self.rng.randrange(100_000_000, 300_000_000)
        self.sz_next = self.rng.randrange(10_000_000, 30_000_000)
        place_weights = list(itertools.accumulate(p[3] for p in _PLACES))
        self.place_cum = place_weights
        self.place_total = place_weights[-1]
        bank_weights = list(itertools.accumulate(b[3] for b in _BANKS))
        self.bank_cum = bank_weights
        self.bank_total = bank_weights[-1]

    # --- small draws -------------------------------------------------------------------

    def pick(self, seq: Sequence[str]) -> str:
        return seq[int(self.rng.random() * len(seq))]

    def num(self, low: int, high: int) -> int:
        """``randint`` at a third of its cost (its exactness is not needed here)."""
        return low + int(self.rng.random() * (high - low + 1))

    def place(self) -> int:
        return bisect_right(self.place_cum, self.rng.random() * self.place_total)

    def date_text(self, ordinal: int) -> str:
        text = date.fromordinal(ordinal).isoformat()
        r = self.rng.random()
        if r < 0.97:
            return text
        # A few rows come out of older counter modules that write other date formats.
        return text.replace("-", "/") if r < 0.99 else text.replace("-", "")

    def amount_text(self, cents: int) -> str:
        yuan, fen = divmod(cents, 100)
        r = self.rng.random()
        if yuan >= 1000 and r < 0.06:
            return f"{yuan:,}.{fen:02d}"
        if fen % 10 == 0 and r > 0.98:
            return f"{yuan}.{fen // 10}"  # "12.5": the export drops a trailing zero
        return f"{yuan}.{fen:02d}"

    def capital_account(self) -> str:
        r = self.rng.random()
        # mostly consecutive; closed accounts and skipped numbers leave gaps
        self.capital_next += (
            1 if r < 0.85 else 2 + int((r - 0.85) * 40) if r < 0.97 else 9 + int((r - 0.97) * 2000)
        )
        return str(self.capital_next)

    def sh_account(self) -> str:
        self.sh_next += self.num(1, 9)
        return f"A{self.sh_next:09d}"

    def sz_account(self) -> str:
        self.sz_next += self.num(1, 9)
        return f"00{self.sz_next:08d}"

    # --- names -------------------------------------------------------------------------

    def given_name(self, male: bool) -> str:
        pool = self.pools.given_male if male else self.pools.given_female
        given = self.pick(pool)
        if len(given) == 1 and self.rng.random() < 0.55:
            chars = self.pools.chars_male if male else self.pools.chars_female
            second = self.pick(chars)
            if second != given:
                given += second
        return given

    def han_name(self, male: bool) -> str:
        name = self.pick(self.pools.surnames) + self.given_name(male)
        if self.rng.random() < 0.01:
            name = name[:-1] + self.pick(_RARE_CHARS)
        return name

    def uyghur_name(self) -> str:
        given = self.pick(_UYGHUR_GIVEN)
        family = self.pick(tuple(f for f in _UYGHUR_FAMILY if f != given))
        return given + "·" + family

    def other_name(self, name: str, male: bool) -> str:
        """A name that differs from ``name`` even after normalization."""
        while True:
            if self.rng.random() < 0.5 and len(name) >= 2 and "·" not in name:
                # one character wrong, as when a clerk typed a homophone
                other = name[:-1] + self.pick(self.pools.single_chars)
            else:
                other = self.han_name(male)
            if other != name:
                return other

    # --- ID numbers --------------------------------------------------------------------

    def birth_slot(self, male: bool, days: int) -> tuple[int, int]:
        """A (birth day index, 3-digit sequence) no other customer has; odd = male."""
        counters = self.id_counters[male]
        while True:
            day = int(self.rng.random() * days)
            used = counters[day]
            if used < 500:
                counters[day] = used + 1
                slot = (used * self.id_step + self.id_offset + day) % 500
                return day, slot * 2 + (1 if male else 0)

    def ric18(self, code: str, male: bool) -> tuple[str, int]:
        day, seq = self.birth_slot(male, self.birth_days)
        body = f"{code}{self.birth_text[day]}{seq:03d}"
        return body + ric_check_char(body), self.birth_first + day

    def ric15(self, code: str, male: bool) -> tuple[str, str, int]:
        """A valid old 15-digit number, its 18-digit upgrade, and the birth ordinal."""
        day, seq = self.birth_slot(male, self.legacy_days)
        birth = self.birth_text[day]
        legacy = f"{code}{birth[2:]}{seq:03d}"
        body = f"{code}{birth}{seq:03d}"
        return legacy, body + ric_check_char(body), self.birth_first + day

    def invalid_ric(self, valid: str, code: str) -> str:
        kind = self.rng.randrange(5)
        if kind == 0:  # wrong check character
            wrong = "0123456789X".replace(valid[17], "")
            return valid[:17] + self.pick(wrong)
        if kind == 1:  # 30 February (the counter keeps it unique: no false duplicate)
            self.invalid_counter += 1
            year = 1940 + self.invalid_counter % 60
            seq = (self.invalid_counter // 60) % 1000
            body = f"{code}{year}0230{seq:03d}"
            return body + ric_check_char(body)
        if kind == 2:  # no such province (valid check character, so only the prefix fails)
            body = self.pick(("00", "20", "39", "99")) + valid[2:17]
            return body + ric_check_char(body)
        if kind == 3:  # a digit lost when it was typed in
            return valid[:-1]
        # born after the base date (the counter again keeps these apart)
        self.invalid_counter += 1
        born = date.fromordinal(self.base + 1 + self.invalid_counter % 3000)
        body = f"{code}{born.strftime('%Y%m%d')}{self.invalid_counter // 3000 % 1000:03d}"
        return body + ric_check_char(body)

    # --- people ------------------------------------------------------------------------

    def individual(self, *, uyghur: bool | None = None) -> _Person:
        male = self.rng.random() < 0.52
        if uyghur is None:
            uyghur = self.rng.random() < 0.005
        place = _XINJIANG if uyghur else self.place()
        home = place if self.rng.random() < 0.75 else self.place()
        name = self.uyghur_name() if uyghur else self.han_name(male)
        id_number, birth = self.ric18(_PLACES[home][1], male)
        return _Person(name, _INDIVIDUAL, _RIC, id_number, birth, place)

    def institution(self) -> _Person:
        place = self.place()
        city = _PLACES[place][0].split("市")[0]
        self.org_counter += self.num(1, 500)
        org = f"{self.org_counter:08d}"
        body = f"91{_PLACES[place][1]}{org}{_org_code_check(org)}"
        name = city + self.pick(self.pools.company_prefixes) + self.pick(_COMPANY_KINDS)
        # Institutions opened their accounts from the mid-1990s on: no birth date.
        founded = self.first_open - 18 * 366
        return _Person(name, _INSTITUTION, _BIZ, body + _uscc_check_char(body), founded, place)

    def foreign(self) -> _Person:
        person = self.individual(uyghur=False)
        self.other_id_counter += self.num(1, 900)
        number = self.other_id_counter
        kind = self.rng.randrange(4)
        if kind == 0:
            person.id_type, person.id_number = _PASSPORT, f"E{number:08d}"
            if self.rng.random() < 0.4:  # overseas Chinese with a romanized name
                person.name = self.pick(self.pools.romanized)
        elif kind == 1:
            prefix = "H" if self.rng.random() < 0.7 else "M"
            person.id_type, person.id_number = _HKMO, f"{prefix}{number:08d}"
        elif kind == 2:
            person.id_type, person.id_number = _TW, f"{number % 100_000_000:08d}"
        else:
            person.id_type = _OTHER_ID
            person.id_number = f"{self.pick(('南', '北', '沈', '京'))}字第{number:08d}号"
        return person

    # --- contact details ---------------------------------------------------------------

    def mobile(self) -> str:
        number = f"{self.pick(_MOBILE_PREFIXES)}{int(self.rng.random() * 100_000_000):08d}"
        r = self.rng.random()
        if r < 0.86:
            return number
        if r < 0.91:
            return f"{number[:3]}-{number[3:7]}-{number[7:]}"
        if r < 0.94:
            return f"{number[:3]} {number[3:7]} {number[7:]}"
        if r < 0.97:
            return f"+86 {number}"
        return f"+86-{number}"

    def fixed_line(self, place: int) -> str:
        area = _PLACES[place][2]
        lead = "6" if area in ("010", "021") else "8"
        if area in _EIGHT_DIGIT_AREAS:
            local = f"{lead}{int(self.rng.random() * 10_000_000):07d}"
        else:
            local = f"{lead}{int(self.rng.random() * 1_000_000):06d}"
        r = self.rng.random()
        if r < 0.7:
            return f"{area}-{local}"
        return f"({area}){local}" if r < 0.85 else f"{area}{local}"

    def phone(self, person: _Person) -> str:
        if person.customer_type == _INSTITUTION:
            return self.fixed_line(person.place) if self.rng.random() < 0.8 else self.mobile()
        return self.mobile() if self.rng.random() < 0.93 else self.fixed_line(person.place)

    def invalid_phone(self) -> str:
        if self.rng.random() < 0.5:
            return self.pick(_INVALID_PHONES)
        mobile = self.mobile().replace("+86", "").strip(" -")
        # one digit too few or too many
        return mobile[:-1] if self.rng.random() < 0.6 else mobile + str(self.rng.randrange(10))

    def address(self, place: int) -> str:
        display, code = _PLACES[place][0], _PLACES[place][1]
        street = self.pick(self.pools.streets)
        number = int(self.rng.random() * 600) + 1
        r = self.rng.random()
        if r < 0.45:
            tail = f"{number}号{self.num(1, 30)}栋{self.num(1, 33)}{self.num(1, 12):02d}室"
        elif r < 0.8:
            tail = (
                f"{number}号{self.pick(self.pools.estates)}{self.num(1, 20)}栋"
                f"{self.num(1, 4)}单元{self.num(1, 30)}{self.num(1, 6):02d}"
                "室"
            )
        elif r < 0.92:
            tail = f"{number}号"
        else:
            tail = f"{number}号院{self.num(1, 12)}号楼{self.num(101, 2808)}"
        province = _PROVINCE_OF_CODE.get(code[:2], "")
        prefix = province if province and self.rng.random() < 0.15 else ""
        return f"{prefix}{display}{street}{tail}"

    # --- money and dates ---------------------------------------------------------------

    def open_floor(self, person: _Person) -> int:
        return max(self.first_open, person.birth_ordinal + 18 * 365 + 5)

    def active_finance(self, person: _Person) -> _Finance:
        """Money and dates of an account that is not dormant."""
        rng = self.rng
        floor = self.open_floor(person)
        r = rng.random()
        balance = int(rng.lognormvariate(9.9, 1.7))  # cents: median about 200 yuan
        if rng.random() < 0.85:
            balance = int(rng.lognormvariate(14.5, 1.5))  # median about 20,000 yuan
        holdings: int | None = int(rng.lognormvariate(16.5, 1.4)) if rng.random() < 0.7 else 0
        if r < 0.78:  # traded in the last three years, most of them recently
            span = self.latest_open - self.cutoff
            last = self.latest_open - int(span * rng.random() ** 3)
            opened = floor + int(rng.random() * (last - floor + 1))
            return _Finance(opened, last, balance, holdings)
        if r < 0.92:  # long idle, but with money or shares: not dormant
            opened = floor + int(rng.random() * (self.cutoff - floor + 1))
            last = opened + int(rng.random() * (self.cutoff - opened + 1))
            if rng.random() < 0.5:
                balance = max(balance, 10001 + int(rng.random() * 5_000_000))
            else:
                holdings = max(holdings or 0, 100 + int(rng.random() * 30_000_000))
            return _Finance(opened, last, balance, holdings)
        # never traded; opened recently, or earlier with cash waiting
        recent_floor = max(floor, self.cutoff + 1)
        opened = recent_floor + int(rng.random() * (self.latest_open - recent_floor + 1))
        if rng.random() < 0.3:
            opened = floor + int(rng.random() * (self.cutoff - floor + 1))
            balance = max(balance, 10001 + int(rng.random() * 2_000_000))
        return _Finance(opened, None, balance, 0 if rng.random() < 0.5 else None)

    def dormant_finance(self, person: _Person) -> _Finance:
        rng = self.rng
        floor = self.open_floor(person)
        opened = floor + int(rng.random() * (self.cutoff - floor + 1))
        last = (
            None if rng.random() < 0.3 else opened + int(rng.random() * (self.cutoff - opened + 1))
        )
        balance = 0 if rng.random() < 0.45 else 1 + int(rng.random() * 9999)
        return _Finance(opened, last, balance, None if rng.random() < 0.3 else 0)

    def edge_finance(self, person: _Person, dormant: bool) -> _Finance:
        """On a dormancy limit (``dormant``) or one step outside it."""
        finance = self.dormant_finance(person)
        kind = self.rng.randrange(4 if not dormant else 3)
        step = 0 if dormant else 1
        if kind == 0:  # the balance limit: 100.00 is dormant, 100.01 is not
            finance.balance_cents = 10000 + step
        elif kind == 1:  # last traded on the cutoff, or the day after
            finance.last_trade = self.cutoff + step
            finance.opened = min(finance.opened, self.cutoff)
        elif kind == 2:  # never traded, opened on the cutoff or the day after
            finance.last_trade = None
            finance.opened = self.cutoff + step
        else:  # a few yuan of shares left
            finance.holdings_cents = 1 + int(self.rng.random() * 50000)
        return finance

    # --- rows ----------------------------------------------------------------------------

    def bank_fields(self, status: DepositoryStatus) -> tuple[str, str]:
        if status is DepositoryStatus.NONE:
            return "", ""
        name, bin_prefix, length, _ = _BANKS[
            bisect_right(self.bank_cum, self.rng.random() * self.bank_total)
        ]
        digits = length - len(bin_prefix) - 1
        body = f"{bin_prefix}{int(self.rng.random() * 10**digits):0{digits}d}"
        return name, _luhn_complete(body)

    def row(
        self,
        person: _Person,
        finance: _Finance,
        status: DepositoryStatus,
        *,
        phone: str | None = None,
        address: str | None = None,
        paper_file: str = "有",
        sec_name: str | None = None,
        sec_id: str | None = None,
    ) -> dict[str, str]:
        """One export row. ``sec_name``/``sec_id`` replace the holder name or ID on
        one of the securities accounts (which must then exist)."""
        rng = self.rng
        # Both markets for about half the customers, one for most others, none for a
        # few (accounts opened for funds or never used on an exchange).
        r = rng.random()
        if sec_name is not None or sec_id is not None:
            r *= 0.94  # the odd holder data needs a securities account to sit on
        has_sh = r < 0.77
        has_sz = r < 0.52 or 0.77 <= r < 0.94
        name, id_number = person.name, person.id_number
        sh = sz = ("", "", "")
        odd_on_sh = has_sh and (not has_sz or rng.random() < 0.6)
        if has_sh:
            sh = (
                self.sh_account(),
                sec_name if sec_name is not None and odd_on_sh else name,
                sec_id if sec_id is not None and odd_on_sh else id_number,
            )
        if has_sz:
            sz = (
                self.sz_account(),
                sec_name if sec_name is not None and not odd_on_sh else name,
                sec_id if sec_id is not None and not odd_on_sh else id_number,
            )
        bank, bank_account = self.bank_fields(status)
        contact = person.contact
        if contact is None:
            contact = person.contact = (self.phone(person), self.address(person.place))
        holdings = finance.holdings_cents
        if holdings is None:
            holdings_text = ""
        elif holdings == 0:
            holdings_text = "0" if rng.random() < 0.7 else "0.00"
        else:
            holdings_text = self.amount_text(holdings)
        return {
            "capital_account": self.capital_account(),
            "name": name,
            "customer_type": person.customer_type,
            "id_type": person.id_type,
            "id_number": id_number,
            "phone": contact[0] if phone is None else phone,
            "address": contact[1] if address is None else address,
            "opened_on": self.date_text(finance.opened),
            "balance": self.amount_text(finance.balance_cents),
            "holdings_value": holdings_text,
            "last_trade_on": ""
            if finance.last_trade is None
            else self.date_text(finance.last_trade),
            "sh_account": sh[0],
            "sh_name": sh[1],
            "sh_id_number": sh[2],
            "sz_account": sz[0],
            "sz_name": sz[1],
            "sz_id_number": sz[2],
            "bank": bank,
            "bank_account": bank_account,
            "depository_status": _STATUS_ZH[status],
            "paper_file": paper_file,
        }

    def unqualified_status(self) -> DepositoryStatus:
        # Most irregular accounts never got as far as signing; a few were signed
        # before the problem was found.
        return DepositoryStatus.NONE if self.rng.random() < 0.9 else DepositoryStatus.SIGNED

    def qualified_status(self) -> DepositoryStatus:
        r = self.rng.random()
        if r < 0.85:
            return DepositoryStatus.ACTIVE
        if r < 0.93:
            return DepositoryStatus.NONE
        return DepositoryStatus.SIGNED if r < 0.965 else DepositoryStatus.PENDING_BANK

    def make(self, scenario: Scenario) -> tuple[dict[str, str], _Person | None]:
        """A row of ``scenario``, and the person a paired scenario's twin reuses."""
        S = Scenario
        if scenario is S.QUALIFIED_ACTIVE:
            person = self.individual()
            return self.row(person, self.active_finance(person), DepositoryStatus.ACTIVE), None
        if scenario is S.QUALIFIED_NONE:
            person = self.individual()
            return self.row(person, self.active_finance(person), DepositoryStatus.NONE), None
        if scenario is S.QUALIFIED_SIGNED:
            person = self.individual()
            return self.row(person, self.active_finance(person), DepositoryStatus.SIGNED), None
        if scenario is S.QUALIFIED_PENDING_BANK:
            person = self.individual()
            status = DepositoryStatus.PENDING_BANK
            return self.row(person, self.active_finance(person), status), None
        if scenario is S.QUALIFIED_VARIANT:
            return self.variant_row(), None
        if scenario is S.SAME_CUSTOMER_TWICE or scenario is S.DUPLICATE_ID:
            person = self.individual()
            status = (
                self.qualified_status()
                if scenario is S.SAME_CUSTOMER_TWICE
                else self.unqualified_status()
            )
            return self.row(person, self.active_finance(person), status), person
        if scenario is S.INSTITUTION:
            person = self.institution()
            status = self.qualified_status()
            return self.row(person, self.active_finance(person), status), None
        if scenario is S.FOREIGN_ID:
            person = self.foreign()
            status = self.qualified_status()
            return self.row(person, self.active_finance(person), status), None
        if scenario is S.NEAR_DORMANT:
            person = self.individual()
            finance = self.edge_finance(person, dormant=False)
            return self.row(person, finance, DepositoryStatus.NONE), None
        if scenario is S.DORMANT_SMALL:
            person = self.individual()
            return self.row(person, self.dormant_finance(person), DepositoryStatus.NONE), None
        if scenario is S.DORMANT_EDGE:
            person = self.individual()
            finance = self.edge_finance(person, dormant=True)
            return self.row(person, finance, DepositoryStatus.NONE), None
        if scenario is S.DORMANT_WITH_DATA:
            person = self.individual()
            finance = self.dormant_finance(person)
            return self.row(person, finance, DepositoryStatus.NONE, phone=""), None
        return self.unqualified_row(scenario), None

    def variant_row(self) -> dict[str, str]:
        """Securities-account holder data that equals the customer's once normalized."""
        kind = self.rng.randrange(6)
        person = self.individual(uyghur=kind == 0)
        finance = self.active_finance(person)
        status = self.qualified_status()
        if kind == 0:  # another middle dot
            sec_name = person.name.replace("·", self.pick(_MIDDLE_DOT_VARIANTS))
            return self.row(person, finance, status, sec_name=sec_name)
        if kind == 1:  # spaces typed into the name (an ideographic space sometimes)
            space = " " if self.rng.random() < 0.6 else "\u3000"
            sec_name = person.name[0] + space + person.name[1:]
            return self.row(person, finance, status, sec_name=sec_name)
        if kind == 2:  # lower-case x on the capital account, X on the securities account
            while not person.id_number.endswith("X"):
                male = int(person.id_number[16]) % 2 == 1
                person.id_number, person.birth_ordinal = self.ric18(person.id_number[:6], male)
            upper = person.id_number
            person.id_number = upper[:-1] + "x"
            finance = self.active_finance(person)
            return self.row(person, finance, status, sec_id=upper)
        if kind == 3:  # the securities account still holds the old 15-digit number
            male = self.rng.random() < 0.5
            legacy, person.id_number, person.birth_ordinal = self.ric15(person.id_number[:6], male)
            finance = self.active_finance(person)
            return self.row(person, finance, status, sec_id=legacy)
        if kind == 4:  # a romanized name in another letter case
            person = self.foreign()
            person.id_type, person.id_number = _PASSPORT, f"E{self.other_id_counter:08d}"
            person.name = self.pick(self.pools.romanized)
            finance = self.active_finance(person)
            return self.row(person, finance, status, sec_name=person.name.title())
        # surrounding spaces the counter system kept
        return self.row(person, finance, status, sec_name=f" {person.name} ")

    def unqualified_row(self, scenario: Scenario) -> dict[str, str]:
        S = Scenario
        person = self.individual()
        finance = self.active_finance(person)
        status = self.unqualified_status()
        male = int(person.id_number[16]) % 2 == 1
        if scenario is S.SEC_NAME_MISMATCH:
            sec_name = self.other_name(person.name, male)
            return self.row(person, finance, status, sec_name=sec_name)
        if scenario is S.IDENTITY_AND_DATA:
            sec_name = self.other_name(person.name, male)
            phone = self.invalid_phone()
            return self.row(person, finance, status, sec_name=sec_name, phone=phone)
        if scenario is S.SEC_ID_MISMATCH:
            return self.row(person, finance, status, sec_id=self.other_id(person, male))
        if scenario is S.NAME_MISSING:
            person.name = self.pick(_PLACEHOLDERS)
            return self.row(person, finance, status)
        if scenario is S.ID_MISSING:
            person.id_number = ""
            return self.row(person, finance, status)
        if scenario is S.ID_INVALID:
            person.id_number = self.invalid_ric(person.id_number, _PLACES[person.place][1])
            return self.row(person, finance, status)
        if scenario is S.ID_LEGACY_15:
            legacy, upgraded, person.birth_ordinal = self.ric15(person.id_number[:6], male)
            person.id_number = legacy
            finance = self.active_finance(person)
            # the securities accounts hold the old number or were upgraded already
            sec_id = upgraded if self.rng.random() < 0.4 else None
            return self.row(person, finance, status, sec_id=sec_id)
        if scenario is S.PHONE_MISSING:
            return self.row(person, finance, status, phone="")
        if scenario is S.PHONE_INVALID:
            return self.row(person, finance, status, phone=self.invalid_phone())
        if scenario is S.ADDRESS_MISSING:
            return self.row(person, finance, status, address=self.pick(_PLACEHOLDERS))
        if scenario is S.ADDRESS_INCOMPLETE:
            return self.row(person, finance, status, address=self.pick(_INCOMPLETE_ADDRESSES))
        if scenario is S.FILE_MISSING:
            return self.row(person, finance, status, paper_file="无")
        if scenario is S.DATA_SEVERAL:
            address = self.pick(_PLACEHOLDERS)
            return self.row(person, finance, status, phone="", address=address, paper_file="无")
        raise AssertionError(f"unhandled scenario {scenario}")

    def other_id(self, person: _Person, male: bool) -> str:
        """An ID number that is not the customer's in any form."""
        valid = person.id_number
        kind = self.rng.randrange(3)
        if kind == 0:  # one digit mistyped when the account was opened
            pos = 14 + self.rng.randrange(3)
            digit = str((int(valid[pos]) + 1 + self.rng.randrange(9)) % 10)
            body = valid[:pos] + digit + valid[pos + 1 : 17]
            return body + ric_check_char(body)
        if kind == 1:  # someone else's number (a relative opened it)
            return self.ric18(valid[:6], not male)[0]
        return self.ric15(valid[:6], male)[0]  # another person's old number

    def twin(self, scenario: Scenario, person: _Person) -> dict[str, str]:
        """The second account of a pair: same customer again, or a stranger on the same ID."""
        if scenario is Scenario.SAME_CUSTOMER_TWICE:
            return self.row(person, self.active_finance(person), self.qualified_status())
        male = int(person.id_number[16]) % 2 == 1
        stranger = self.individual()
        stranger.id_number, stranger.birth_ordinal = person.id_number, person.birth_ordinal
        stranger.name = self.other_name(person.name, male)
        return self.row(stranger, self.active_finance(stranger), self.unqualified_status())


@overload
def generate_rows(
    accounts: int = ...,
    seed: int = ...,
    base_date: date = ...,
    *,
    with_scenario: Literal[False] = ...,
) -> Iterator[dict[str, str]]: ...


@overload
def generate_rows(
    accounts: int = ...,
    seed: int = ...,
    base_date: date = ...,
    *,
    with_scenario: Literal[True],
) -> Iterator[tuple[Scenario, dict[str, str]]]: ...


def generate_rows(
    accounts: int = DEFAULT_ACCOUNTS,
    seed: int = DEFAULT_SEED,
    base_date: date = DEFAULT_BASE_DATE,
    *,
    with_scenario: bool = False,
) -> Iterator[dict[str, str]] | Iterator[tuple[Scenario, dict[str, str]]]:
    """Yield ``accounts`` counter-export rows of a demo branch, the same ones for a seed.

    Rows are produced one at a time (a million cost no more memory than ten). With
    ``with_scenario`` each row comes as ``(scenario, row)``.
    """
    if not 0 <= accounts <= MAX_ACCOUNTS:
        raise ValueError(f"accounts must be between 0 and {MAX_ACCOUNTS:,}, not {accounts:,}")
    if base_date < EARLIEST_BASE_DATE:
        raise ValueError(f"base date {base_date} is before {EARLIEST_BASE_DATE}")
    rows = _generate(accounts, seed, base_date)
    if with_scenario:
        return rows
    return (row for _, row in rows)


def _generate(
    accounts: int, seed: int, base_date: date
) -> Iterator[tuple[Scenario, dict[str, str]]]:
    if accounts == 0:
        return
    gen = _Generator(seed, base_date)
    rng = gen.rng
    scenarios = list(_WEIGHTS)
    cumulative = list(itertools.accumulate(_WEIGHTS.values()))
    total = cumulative[-1]
    # The first draws cover every scenario once, in a seeded order, so that a small
    # demo still shows every class and reason.
    opening = list(Scenario)
    rng.shuffle(opening)
    opening.reverse()
    # Second accounts of pairs, emitted later: (due row index, tie-breaker, scenario, person)
    pending: list[tuple[int, int, Scenario, _Person]] = []
    tie = itertools.count()
    for index in range(accounts):
        left = accounts - index
        if pending and (pending[0][0] <= index or left <= len(pending)):
            _, _, scenario, person = heapq.heappop(pending)
            yield scenario, gen.twin(scenario, person)
            continue
        if opening:
            scenario = opening.pop()
        else:
            scenario = scenarios[bisect_right(cumulative, rng.random() * total)]
        if scenario in _PAIRED and left - 1 <= len(pending):
            scenario = Scenario.QUALIFIED_ACTIVE  # no room left for the second account
        row, person_ = gen.make(scenario)
        if person_ is not None:
            due = index + 1 + int(rng.random() * _MAX_TWIN_GAP)
            heapq.heappush(pending, (due, next(tie), scenario, person_))
        yield scenario, row


def _headers() -> list[str]:
    return [column.zh for column in COLUMNS]


def write_export(
    path: Path,
    rows: Iterable[dict[str, str]],
    encoding: str = "gb18030",
    delimiter: str = ",",
) -> int:
    """Write ``rows`` as a counter-export file with the Chinese headers; return the row count.

    A path ending in ``.xlsx`` gives a spreadsheet (every cell text, as the counter
    system writes it; ``encoding`` and ``delimiter`` are then unused). Anything else is
    delimited text in ``encoding`` (``gb18030`` like the counter system, or
    ``utf-8-sig``).
    """
    if path.suffix.lower() == ".xlsx":
        return _write_xlsx(path, rows)
    count = 0
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(_headers())
        for row in rows:
            writer.writerow([row.get(field, "") for field in FIELDS])
            count += 1
    return count


def _write_xlsx(path: Path, rows: Iterable[dict[str, str]]) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import Cell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("客户资料")

    def text_cell(value: str) -> Cell | None:
        if value == "":
            return None  # an empty cell, as a spreadsheet export leaves it
        cell = WriteOnlyCell(sheet, value=value)
        # "@": text format, so Excel shows 0010000078 and 430102199512274910 as typed
        cell.number_format = "@"
        return cell

    sheet.append([text_cell(header) for header in _headers()])
    count = 0
    for row in rows:
        if count == XLSX_MAX_ROWS:
            raise ValueError(f"an .xlsx sheet holds at most {XLSX_MAX_ROWS:,} rows")
        sheet.append([text_cell(row.get(field, "")) for field in FIELDS])
        count += 1
    workbook.save(path)
    return count

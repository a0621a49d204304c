"""The import's bit-mask screening agrees with the reference reasons and class.

``row_reasons`` now delegates to ``row_reason_mask``, so comparing the two alone proves
little: ``_reference_reasons`` below is the set-based screening as it stood before the
mask (built from the public rule functions), and the mask path must give exactly its
reasons, for the values the import hands it (``name_key``, ``id_key``, ``analyse_phone``).
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import phonenumbers
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from counter_app.domain.codes import (
    AccountClass,
    CustomerType,
    DepositoryStatus,
    IdType,
    Market,
    Reason,
)
from counter_app.domain.idcard import IdCheck, check_other_id, check_resident_id
from counter_app.domain.normalize import is_blank_or_placeholder, normalize_id, normalize_name
from counter_app.domain.phone import PhoneCheck, analyse_phone, check_phone, normalize_phone
from counter_app.domain.screening import (
    REASON_BITS,
    AccountFacts,
    MaskVerdicts,
    ScreeningPolicy,
    SecuritiesFacts,
    classify,
    dormancy_cutoff,
    reasons_of_mask,
    reasons_to_text,
    row_reason_mask,
    row_reasons,
)

BASE = date(2026, 3, 28)
LEAP_BASE = date(2024, 2, 29)
POLICY = ScreeningPolicy(base_date=BASE)
GOOD_ID = "43010219850401847X"
GOOD_ID_15 = "110105490101123"
GOOD_ID_15_UPGRADED = "110105194901011235"

# -- the reference: screening as a set of reasons, rule by rule (pre-mask code) ---------


def _ref_name_key(name: str) -> str:
    return "" if is_blank_or_placeholder(name) else normalize_name(name)


def _ref_id_reason(facts: AccountFacts, policy: ScreeningPolicy) -> Reason | None:
    if facts.id_type is IdType.RIC:
        check = check_resident_id(facts.id_number, policy.base_date).check
    else:
        check = check_other_id(facts.id_number).check
    return {
        IdCheck.VALID: None,
        IdCheck.MISSING: Reason.ID_MISSING,
        IdCheck.LEGACY_15: Reason.ID_LEGACY_15,
        IdCheck.INVALID: Reason.ID_INVALID,
    }[check]


def _ref_dormant(facts: AccountFacts, policy: ScreeningPolicy) -> bool:
    if facts.balance_cents > policy.dormant_balance_limit_cents or facts.holdings_cents != 0:
        return False
    activity = facts.last_trade_on if facts.last_trade_on is not None else facts.opened_on
    return activity <= dormancy_cutoff(policy.base_date, policy.dormant_years)


def _reference_reasons(facts: AccountFacts, policy: ScreeningPolicy) -> frozenset[Reason]:
    reasons: set[Reason] = set()
    if is_blank_or_placeholder(facts.name):
        reasons.add(Reason.NAME_MISSING)
    id_reason = _ref_id_reason(facts, policy)
    if id_reason is not None:
        reasons.add(id_reason)
    phone = check_phone(facts.phone)
    if phone is PhoneCheck.MISSING:
        reasons.add(Reason.PHONE_MISSING)
    elif phone is PhoneCheck.INVALID:
        reasons.add(Reason.PHONE_INVALID)
    if is_blank_or_placeholder(facts.address):
        reasons.add(Reason.ADDRESS_MISSING)
    elif len("".join(facts.address.split())) < policy.min_address_chars:
        reasons.add(Reason.ADDRESS_INCOMPLETE)
    if not facts.has_paper_file:
        reasons.add(Reason.FILE_MISSING)
    for sec in facts.securities:
        if _ref_name_key(sec.holder_name) != _ref_name_key(facts.name):
            reasons.add(Reason.SEC_NAME_MISMATCH)
        if normalize_id(sec.holder_id_number) != normalize_id(facts.id_number):
            reasons.add(Reason.SEC_ID_MISMATCH)
    if _ref_dormant(facts, policy):
        reasons.add(Reason.DORMANT)
    return frozenset(reasons)


def _import_mask(facts: AccountFacts, policy: ScreeningPolicy) -> int:
    """The mask as the import's preparer computes it (import_prepare.Preparer.prepare)."""
    name_norm = "" if is_blank_or_placeholder(facts.name) else normalize_name(facts.name)
    phone_check, _nsn = analyse_phone(facts.phone)
    return row_reason_mask(
        policy,
        facts.name,
        name_norm,
        facts.id_type,
        facts.id_number,
        normalize_id(facts.id_number),
        phone_check,
        facts.address,
        facts.has_paper_file,
        facts.opened_on,
        facts.balance_cents,
        facts.holdings_cents,
        facts.last_trade_on,
        [(s.market, s.account_no, s.holder_name, s.holder_id_number) for s in facts.securities],
    )


# -- strategies: hostile account facts ------------------------------------------------

_DOTS = ["·", "•", "‧", "・", "･", "∙", "⋅", "⸱", ".", "·"]
_SPACES = [" ", "\u3000", "\t", "\u00a0", ""]
_PLACEHOLDERS = [
    "",
    " ",
    "无",
    "不详",
    "未知",
    "-",
    "－",
    "unknown",
    "UNKNOWN",
    "N/A",
    "Ｎ／Ａ",
    "n/a ",
]
_NAMES = ["武文", "张伟", "阿沛·阿旺晋美", "买买提·艾力", "John Smith", "ＪＯＨＮ smith", "李 娜"]


@st.composite
def names(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return draw(st.sampled_from(_PLACEHOLDERS))
    if kind == 1:
        # a known name with dots swapped, spaces inserted, case changed
        base = draw(st.sampled_from(_NAMES))
        out = []
        for ch in base:
            if ch in "·.":
                ch = draw(st.sampled_from(_DOTS))
            out.append(ch)
            if draw(st.booleans()):
                out.append(draw(st.sampled_from(_SPACES)))
        text = "".join(out)
        return text.upper() if draw(st.booleans()) else text
    if kind == 2:
        return draw(st.text(alphabet=st.sampled_from("王李张伟文 ·•.aAbB\u3000-"), max_size=8))
    return draw(st.text(max_size=20))


def _ric18(body17: str) -> str:
    weights = [pow(2, 17 - i, 11) for i in range(17)]
    check = (12 - sum(int(d) * w for d, w in zip(body17, weights, strict=True)) % 11) % 11
    return body17 + ("X" if check == 10 else str(check))


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 6))
    province = draw(st.sampled_from(["11", "43", "65", "82", "00", "99", "16"]))
    area = province + draw(st.from_regex(r"\d{4}", fullmatch=True))
    birth = draw(st.dates(date(1890, 1, 1), date(2027, 12, 31)))
    seq = draw(st.from_regex(r"\d{3}", fullmatch=True))
    if kind == 0:  # 18 digits, check character right (valid unless province/birth bad)
        value = _ric18(area + birth.strftime("%Y%m%d") + seq)
        return value.lower() if draw(st.booleans()) else value
    if kind == 1:  # 18 digits, check character possibly wrong
        return area + birth.strftime("%Y%m%d") + seq + draw(st.sampled_from("0123456789Xx"))
    if kind == 2:  # 15 digits (valid only for a 19YY birth)
        return area + birth.strftime("%y%m%d") + seq
    if kind == 3:
        return draw(st.sampled_from([*_PLACEHOLDERS, GOOD_ID, GOOD_ID_15, GOOD_ID_15_UPGRADED]))
    if kind == 4:  # known IDs with spaces / full-width digits
        value = draw(st.sampled_from([GOOD_ID, GOOD_ID_15, GOOD_ID.lower()]))
        if draw(st.booleans()):
            value = value.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
        return " ".join(value) if draw(st.booleans()) else value
    if kind == 5:
        return draw(st.from_regex(r"[0-9Xx]{0,19}", fullmatch=True))
    return draw(st.text(max_size=20))


@st.composite
def phones(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 4))
    if kind == 0:
        return draw(st.from_regex(r"1[0-9]{10}", fullmatch=True))
    if kind == 1:
        return draw(
            st.sampled_from(
                [
                    "13817863466",
                    "138 1786 3466",
                    "+86 138-1786-3466",
                    "0086 13817863466",
                    "8613817863466",
                    "１３８１７８６３４６６",
                    "0731-88886666",
                    "(0731)88886666",
                    "010-12345678",
                    "+86 (0)731 88886666",
                    "400-800-8888",
                    "021-95555",
                    "88886666",
                    "12345",
                    "+1 415 555 0100",
                    "138178634xx",
                    "13817863466转123",
                    "0013817863466",
                    *_PLACEHOLDERS,
                ]
            )
        )
    if kind == 2:
        return draw(
            st.from_regex(r"(\+86|0086|86)?[ -]?0?[0-9]{2,3}[ -]?[0-9]{7,8}", fullmatch=True)
        )
    if kind == 3:
        return draw(st.text(alphabet=st.sampled_from("0123456789 +-()（）x"), max_size=16))
    return draw(st.text(max_size=16))


addresses = st.one_of(
    st.sampled_from(
        [
            *_PLACEHOLDERS,
            "长沙市",
            "长沙市天",
            "长 沙 市 天",
            "长沙市天心",
            "长沙市天心区中山路456号",
        ]
    ),
    st.text(max_size=12),
)

# Around the dormancy limits: 100.00 / 100.01 yuan, the cutoff day and its neighbours.
balances = st.one_of(
    st.sampled_from([0, 1, 9999, 10000, 10001, 10002, -1, -10001]),
    st.integers(-(10**12), 10**12),
)
holdings = st.one_of(st.sampled_from([0, 0, 0, 1, -1, 100]), st.integers(0, 10**10))


@st.composite
def activity_dates(draw: st.DrawFn, base: date) -> date:
    cutoff = dormancy_cutoff(base, 3)
    if draw(st.booleans()):
        return cutoff + timedelta(days=draw(st.integers(-3, 3)))
    return draw(st.dates(date(1990, 1, 1), base + timedelta(days=400)))


@st.composite
def account_facts(draw: st.DrawFn, base: date = BASE) -> AccountFacts:
    name = draw(names())
    id_number = draw(id_numbers())
    securities = []
    for market, number in draw(
        st.sampled_from(
            [
                (),
                ((Market.SH, "A100000093"),),
                ((Market.SZ, "0010000078"),),
                ((Market.SH, "A100000093"), (Market.SZ, "0010000078")),
            ]
        )
    ):
        # the holder's name / ID: the customer's own, a variant of it, or another
        holder_name = draw(st.one_of(st.just(name), names()))
        holder_id = draw(
            st.one_of(
                st.just(id_number),
                st.just(id_number.lower()),
                st.just(" " + id_number.upper() + " "),
                st.just(GOOD_ID_15_UPGRADED if id_number == GOOD_ID_15 else GOOD_ID_15),
                id_numbers(),
            )
        )
        securities.append(SecuritiesFacts(market, number, holder_name, holder_id))
    opened_on = draw(activity_dates(base))
    last_trade = draw(st.one_of(st.none(), activity_dates(base)))
    return AccountFacts(
        name=name,
        customer_type=draw(st.sampled_from(CustomerType)),
        id_type=draw(st.sampled_from([IdType.RIC, IdType.RIC, *IdType])),
        id_number=id_number,
        phone=draw(phones()),
        address=draw(addresses),
        has_paper_file=draw(st.booleans()),
        opened_on=opened_on,
        balance_cents=draw(balances),
        holdings_cents=draw(holdings),
        last_trade_on=last_trade,
        securities=tuple(securities),
    )


policies = st.builds(
    ScreeningPolicy,
    base_date=st.sampled_from([BASE, LEAP_BASE, date(2025, 12, 31), date(2026, 1, 1)]),
    dormant_balance_limit_cents=st.sampled_from([10000, 0, 10001, 500000]),
    dormant_years=st.sampled_from([3, 0, 1, 5]),
    min_address_chars=st.sampled_from([5, 0, 1, 8]),
)

_SETTINGS = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _assert_agrees(facts: AccountFacts, policy: ScreeningPolicy) -> None:
    expected = _reference_reasons(facts, policy)
    mask = _import_mask(facts, policy)
    assert reasons_of_mask(mask) == expected, facts
    assert row_reasons(facts, policy) == expected, facts
    verdicts = MaskVerdicts()
    for depository in DepositoryStatus:
        text, account_class = verdicts.get(mask, depository)
        assert text == reasons_to_text(expected)
        assert account_class == classify(expected, depository).value
        # the cached answer is the same, and not one of another depository status
        assert verdicts.get(mask, depository) == (text, account_class)


@_SETTINGS
@given(account_facts(), policies)
def test_mask_reasons_equal_reference_reasons(facts: AccountFacts, policy: ScreeningPolicy) -> None:
    _assert_agrees(facts, policy)


@_SETTINGS
@given(account_facts(base=LEAP_BASE))
def test_mask_reasons_equal_reference_on_a_29_february_base(facts: AccountFacts) -> None:
    _assert_agrees(facts, ScreeningPolicy(base_date=LEAP_BASE))


# -- explicit boundaries ---------------------------------------------------------------

CLEAN = AccountFacts(
    name="武文",
    customer_type=CustomerType.INDIVIDUAL,
    id_type=IdType.RIC,
    id_number=GOOD_ID,
    phone="13817863466",
    address="长沙市天心区中山路456号",
    has_paper_file=True,
    opened_on=date(2016, 3, 14),
    balance_cents=85361298,
    holdings_cents=0,
    last_trade_on=date(2025, 10, 2),
    securities=(SecuritiesFacts(Market.SH, "A100000093", "武文", GOOD_ID),),
)
CUTOFF = dormancy_cutoff(BASE, 3)  # 2023-03-28


def _facts(**changes: object) -> AccountFacts:
    return dataclasses.replace(CLEAN, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("facts", "reasons", "account_class"),
    [
        (CLEAN, set(), AccountClass.QUALIFIED_NOT_DEPOSITED),
        (_facts(balance_cents=10000, last_trade_on=CUTOFF), {Reason.DORMANT}, "DORMANT_SMALL"),
        (_facts(balance_cents=10001, last_trade_on=CUTOFF), set(), "QUALIFIED_NOT_DEPOSITED"),
        (
            _facts(balance_cents=10000, last_trade_on=CUTOFF + timedelta(days=1)),
            set(),
            "QUALIFIED_NOT_DEPOSITED",
        ),
        (
            _facts(balance_cents=0, holdings_cents=1, last_trade_on=CUTOFF),
            set(),
            "QUALIFIED_NOT_DEPOSITED",
        ),
        (
            _facts(balance_cents=0, last_trade_on=None, opened_on=CUTOFF),
            {Reason.DORMANT},
            "DORMANT_SMALL",
        ),
        (
            _facts(balance_cents=0, last_trade_on=CUTOFF, phone=""),
            {Reason.DORMANT, Reason.PHONE_MISSING},
            "DORMANT_SMALL",
        ),
        (
            _facts(name="不详", securities=()),
            {Reason.NAME_MISSING},
            "UNQUALIFIED_DATA",
        ),
        # placeholder on both sides: the customer's gap is NAME_MISSING, no mismatch
        (
            _facts(name="N/A", securities=(SecuritiesFacts(Market.SH, "A1", "无", GOOD_ID),)),
            {Reason.NAME_MISSING},
            "UNQUALIFIED_DATA",
        ),
        (
            _facts(
                name="阿沛·阿旺晋美",
                securities=(SecuritiesFacts(Market.SH, "A1", "阿沛 • 阿旺晋美", GOOD_ID.lower()),),
            ),
            set(),
            "QUALIFIED_NOT_DEPOSITED",
        ),
        (
            _facts(securities=(SecuritiesFacts(Market.SZ, "0010000078", "", GOOD_ID),)),
            {Reason.SEC_NAME_MISMATCH},
            "UNQUALIFIED_IDENTITY",
        ),
        (
            _facts(
                id_number=GOOD_ID_15,
                securities=(SecuritiesFacts(Market.SH, "A1", "武文", GOOD_ID_15_UPGRADED),),
            ),
            {Reason.ID_LEGACY_15},
            "UNQUALIFIED_DATA",
        ),
        (
            _facts(securities=(SecuritiesFacts(Market.SH, "A1", "武文", GOOD_ID_15_UPGRADED),)),
            {Reason.SEC_ID_MISMATCH},
            "UNQUALIFIED_IDENTITY",
        ),
        (_facts(id_number="430102198504018470"), {Reason.ID_INVALID, Reason.SEC_ID_MISMATCH}, None),
        (_facts(address="长沙市天"), {Reason.ADDRESS_INCOMPLETE}, "UNQUALIFIED_DATA"),
        (_facts(address="长 沙 市 天 心"), set(), "QUALIFIED_NOT_DEPOSITED"),
        (_facts(phone="0731-88886666"), set(), "QUALIFIED_NOT_DEPOSITED"),
        (_facts(phone="88886666"), {Reason.PHONE_INVALID}, "UNQUALIFIED_DATA"),
        (_facts(has_paper_file=False), {Reason.FILE_MISSING}, "UNQUALIFIED_DATA"),
    ],
)
def test_boundary_examples(
    facts: AccountFacts, reasons: set[Reason], account_class: str | None
) -> None:
    mask = _import_mask(facts, POLICY)
    assert reasons_of_mask(mask) == reasons == _reference_reasons(facts, POLICY)
    assert row_reasons(facts, POLICY) == reasons
    if account_class is not None:
        got = MaskVerdicts().get(mask, DepositoryStatus.NONE)
        assert got == (reasons_to_text(reasons), account_class)


def test_29_february_base_dormancy_cutoff_is_28_february() -> None:
    policy = ScreeningPolicy(base_date=LEAP_BASE)
    on = _facts(balance_cents=0, last_trade_on=date(2021, 2, 28))
    after = _facts(balance_cents=0, last_trade_on=date(2021, 3, 1))
    assert reasons_of_mask(_import_mask(on, policy)) == {Reason.DORMANT}
    assert reasons_of_mask(_import_mask(after, policy)) == set()


# -- the bits themselves --------------------------------------------------------------


def test_reason_bits_are_distinct_single_bits_for_every_reason() -> None:
    assert set(REASON_BITS) == set(Reason)
    bits = list(REASON_BITS.values())
    assert all(bit > 0 and bit & (bit - 1) == 0 for bit in bits)
    assert len(set(bits)) == len(bits)
    assert reasons_of_mask(0) == frozenset()


@given(st.sets(st.sampled_from(Reason)), st.sampled_from(DepositoryStatus))
def test_mask_verdicts_of_any_reason_set_including_duplicate_and_manual(
    reasons: set[Reason], depository: DepositoryStatus
) -> None:
    mask = 0
    for reason in reasons:
        mask |= REASON_BITS[reason]
    assert reasons_of_mask(mask) == reasons
    verdicts = MaskVerdicts()
    # ask for another depository status first: the cache must keep them apart
    other = DepositoryStatus.ACTIVE if depository is not DepositoryStatus.ACTIVE else "NONE"
    verdicts.get(mask, DepositoryStatus(other))
    assert verdicts.get(mask, depository) == (
        reasons_to_text(reasons),
        classify(reasons, depository).value,
    )


# -- analyse_phone ---------------------------------------------------------------------


@settings(max_examples=800, deadline=None)
@given(st.one_of(st.none(), phones()))
@example("13817863466")
@example("+86 (0)731 88886666")
@example("")
@example(None)
def test_analyse_phone_equals_check_and_normalize(raw: str | None) -> None:
    check, nsn = analyse_phone(raw)
    assert check is check_phone(raw)
    assert nsn == normalize_phone(raw)
    assert (nsn is not None) == (check is PhoneCheck.VALID)
    if check is PhoneCheck.VALID:
        assert nsn is not None and nsn.isascii() and nsn.isdigit() and not nsn.startswith("0")
        # the national number is the one phonenumbers reads from the digits
        parsed = phonenumbers.parse("+86" + nsn, None)
        assert phonenumbers.is_valid_number(parsed)
        assert str(parsed.national_number) == nsn

"""screening: every reason, every class boundary, the class order, reason text."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counter_app.domain.codes import (
    DATA_REASONS,
    IDENTITY_REASONS,
    MANUAL_REASONS,
    AccountClass,
    CustomerType,
    DepositoryStatus,
    IdType,
    Market,
    Reason,
)
from counter_app.domain.screening import (
    AccountFacts,
    ScreeningPolicy,
    SecuritiesFacts,
    classify,
    dormancy_cutoff,
    is_dormant,
    reasons_from_text,
    reasons_to_text,
    row_reasons,
    sort_reasons,
)

BASE = date(2026, 4, 1)
POLICY = ScreeningPolicy(base_date=BASE)
GOOD_ID = "43010219850401847X"
GOOD_ID_15 = "110105490101123"
GOOD_ID_15_UPGRADED = "110105194901011235"


def sh(name: str = "武文", id_number: str = GOOD_ID) -> SecuritiesFacts:
    return SecuritiesFacts(Market.SH, "A100000093", name, id_number)


def sz(name: str = "武文", id_number: str = GOOD_ID) -> SecuritiesFacts:
    return SecuritiesFacts(Market.SZ, "0010000078", name, id_number)


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
    securities=(sh(), sz()),
)


def facts(**changes: object) -> AccountFacts:
    return dataclasses.replace(CLEAN, **changes)  # type: ignore[arg-type]


def test_clean_account_has_no_reason() -> None:
    assert row_reasons(CLEAN, POLICY) == frozenset()
    assert classify(row_reasons(CLEAN, POLICY), DepositoryStatus.NONE) is (
        AccountClass.QUALIFIED_NOT_DEPOSITED
    )


# -- data reasons --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["", "  ", "无", "不详", "未知", "-", "unknown", "N/A", "Ｎ／Ａ"])
def test_name_missing(name: str) -> None:
    # The securities accounts carry the same placeholder, so only NAME_MISSING is found.
    reasons = row_reasons(facts(name=name, securities=(sh(name=name),)), POLICY)
    assert reasons == {Reason.NAME_MISSING}


@pytest.mark.parametrize("id_number", ["", "   ", "无", "N/A"])
def test_id_missing(id_number: str) -> None:
    reasons = row_reasons(facts(id_number=id_number, securities=()), POLICY)
    assert reasons == {Reason.ID_MISSING}


@pytest.mark.parametrize(
    "id_number",
    [
        "11010519990230776X",  # 30 February
        "430102198504018470",  # wrong check char
        "990102198504018477",  # province 99
        "4301021985040184",  # 16 characters
        "110105203001011234",  # born after the base date
        "110105990230123",  # 15 digits, 30 February
    ],
)
def test_id_invalid(id_number: str) -> None:
    reasons = row_reasons(facts(id_number=id_number, securities=()), POLICY)
    assert reasons == {Reason.ID_INVALID}


def test_id_legacy_15() -> None:
    reasons = row_reasons(facts(id_number=GOOD_ID_15, securities=()), POLICY)
    assert reasons == {Reason.ID_LEGACY_15}


def test_lower_case_x_is_valid_and_matches_upper_case_on_securities() -> None:
    reasons = row_reasons(facts(id_number=GOOD_ID.lower(), securities=(sh(),)), POLICY)
    assert reasons == frozenset()


@pytest.mark.parametrize("id_type", [t for t in IdType if t is not IdType.RIC])
def test_other_id_types(id_type: IdType) -> None:
    def reasons(number: str) -> frozenset[Reason]:
        return row_reasons(facts(id_type=id_type, id_number=number, securities=()), POLICY)

    assert reasons("E12345678") == frozenset()
    # An 18-character number that is no valid resident ID is fine for another type.
    assert reasons("430102198504018470") == frozenset()
    # A 15-digit number is not "legacy" for another type.
    assert reasons(GOOD_ID_15) == frozenset()
    assert reasons("///") == {Reason.ID_INVALID}
    assert reasons("") == {Reason.ID_MISSING}
    assert reasons("无") == {Reason.ID_MISSING}


def test_institution_with_business_licence() -> None:
    account = facts(
        name="长沙某某投资有限公司",
        customer_type=CustomerType.INSTITUTION,
        id_type=IdType.BIZ_LICENSE,
        id_number="91430100MA4L0ABC12",
        securities=(sh("长沙某某投资有限公司", "91430100ma4l0abc12"),),
    )
    assert row_reasons(account, POLICY) == frozenset()


@pytest.mark.parametrize("phone", ["", " ", "无", "-"])
def test_phone_missing(phone: str) -> None:
    assert row_reasons(facts(phone=phone), POLICY) == {Reason.PHONE_MISSING}


@pytest.mark.parametrize("phone", ["12345", "88886666", "1381786346a", "+85221234567"])
def test_phone_invalid(phone: str) -> None:
    assert row_reasons(facts(phone=phone), POLICY) == {Reason.PHONE_INVALID}


@pytest.mark.parametrize("phone", ["+86 138 1786 3466", "0086-13817863466", "0731-88886666"])
def test_phone_valid_spellings(phone: str) -> None:
    assert row_reasons(facts(phone=phone), POLICY) == frozenset()


@pytest.mark.parametrize("address", ["", "   ", "无", "不详", "未知", "-", "unknown", "N/A"])
def test_address_missing(address: str) -> None:
    assert row_reasons(facts(address=address), POLICY) == {Reason.ADDRESS_MISSING}


@pytest.mark.parametrize(
    ("address", "incomplete"),
    [
        ("长沙市芙", True),  # 4
        ("长沙市芙蓉", False),  # 5
        ("  长沙市芙  ", True),  # 4 once trimmed
        (" 长沙市芙蓉 ", False),
        ("长 沙 市 芙", True),  # inner spaces are not characters of an address
        ("长沙\u3000市芙", True),
        ("Room", True),
        ("Rm 12", True),  # "Rm12": four characters
        ("Rm 123", False),
        ("无地址信息", False),  # not a placeholder: five characters of text
    ],
)
def test_address_incomplete(address: str, incomplete: bool) -> None:
    expected = {Reason.ADDRESS_INCOMPLETE} if incomplete else set()
    assert row_reasons(facts(address=address), POLICY) == expected


def test_address_limit_is_a_setting() -> None:
    policy = ScreeningPolicy(base_date=BASE, min_address_chars=8)
    assert row_reasons(facts(address="长沙市芙蓉区"), policy) == {Reason.ADDRESS_INCOMPLETE}
    assert row_reasons(facts(address="长沙市芙蓉区五一路"), policy) == frozenset()


def test_file_missing() -> None:
    assert row_reasons(facts(has_paper_file=False), POLICY) == {Reason.FILE_MISSING}


def test_every_data_reason_at_once() -> None:
    account = facts(
        name="",
        id_number="",
        phone="",
        address="",
        has_paper_file=False,
        securities=(),
    )
    assert row_reasons(account, POLICY) == {
        Reason.NAME_MISSING,
        Reason.ID_MISSING,
        Reason.PHONE_MISSING,
        Reason.ADDRESS_MISSING,
        Reason.FILE_MISSING,
    }


# -- identity reasons ----------------------------------------------------------------


@pytest.mark.parametrize(
    "holder_name",
    [
        "武文",
        " 武 文 ",
        "武\u3000文",
        "武文\t",
    ],
)
def test_holder_name_equal_after_normalizing(holder_name: str) -> None:
    assert row_reasons(facts(securities=(sh(name=holder_name),)), POLICY) == frozenset()


@pytest.mark.parametrize("dot", ["·", "•", "‧", "・", "\uff65", "\u2219", "."])
def test_middle_dots_match(dot: str) -> None:
    account = facts(name="阿沛·阿旺晋美", securities=(sh(name=f"阿沛{dot}阿旺晋美"),))
    assert row_reasons(account, POLICY) == frozenset()


def test_latin_names_case_fold() -> None:
    account = facts(
        name="John Smith", securities=(sh(name="JOHN SMITH"), sz(name="ｊｏｈｎ smith"))
    )
    assert row_reasons(account, POLICY) == frozenset()


def test_sec_name_mismatch() -> None:
    account = facts(securities=(sh(), sz(name="武斌")))
    assert row_reasons(account, POLICY) == {Reason.SEC_NAME_MISMATCH}


def test_sec_name_mismatch_without_dot() -> None:
    account = facts(name="阿沛·阿旺晋美", securities=(sh(name="阿沛阿旺晋美"),))
    assert row_reasons(account, POLICY) == {Reason.SEC_NAME_MISMATCH}


def test_blank_holder_name_is_a_mismatch_when_the_customer_has_one() -> None:
    assert row_reasons(facts(securities=(sh(name=""),)), POLICY) == {Reason.SEC_NAME_MISMATCH}
    assert row_reasons(facts(securities=(sh(name="不详"),)), POLICY) == {Reason.SEC_NAME_MISMATCH}


def test_both_names_blank_is_no_mismatch() -> None:
    account = facts(name="无", securities=(sh(name=""),))
    assert row_reasons(account, POLICY) == {Reason.NAME_MISSING}


def test_customer_name_blank_holder_name_known_is_a_mismatch() -> None:
    account = facts(name="", securities=(sh(name="武文"),))
    assert row_reasons(account, POLICY) == {Reason.NAME_MISSING, Reason.SEC_NAME_MISMATCH}


def test_sec_id_mismatch() -> None:
    account = facts(securities=(sh(), sz(id_number="430102199512274910")))
    assert row_reasons(account, POLICY) == {Reason.SEC_ID_MISMATCH}


def test_sec_id_lower_x_and_spaces_match() -> None:
    account = facts(securities=(sh(id_number=" 430102 19850401847x"),))
    assert row_reasons(account, POLICY) == frozenset()


def test_15_digit_holder_id_matches_18_digit_customer_id() -> None:
    account = facts(id_number=GOOD_ID_15_UPGRADED, securities=(sh(id_number=GOOD_ID_15),))
    assert row_reasons(account, POLICY) == frozenset()


def test_18_digit_holder_id_matches_15_digit_customer_id() -> None:
    # The customer's own number still needs upgrading, but it is the same person.
    account = facts(id_number=GOOD_ID_15, securities=(sh(id_number=GOOD_ID_15_UPGRADED),))
    assert row_reasons(account, POLICY) == {Reason.ID_LEGACY_15}


def test_invalid_15_digit_is_not_upgraded_so_does_not_match() -> None:
    account = facts(id_number="110105990230123", securities=(sh(id_number="11010519990230123X"),))
    assert row_reasons(account, POLICY) == {Reason.ID_INVALID, Reason.SEC_ID_MISMATCH}


def test_same_invalid_id_on_both_sides_is_no_mismatch() -> None:
    account = facts(
        id_number="11010519990230776X", securities=(sh(id_number="11010519990230776x"),)
    )
    assert row_reasons(account, POLICY) == {Reason.ID_INVALID}


def test_blank_holder_id() -> None:
    assert row_reasons(facts(securities=(sh(id_number=""),)), POLICY) == {Reason.SEC_ID_MISMATCH}
    both_blank = facts(id_number="", securities=(sh(id_number=" "),))
    assert row_reasons(both_blank, POLICY) == {Reason.ID_MISSING}


def test_no_securities_accounts_no_identity_reason() -> None:
    assert row_reasons(facts(securities=()), POLICY) == frozenset()


def test_duplicate_id_and_manual_reasons_are_never_found_here() -> None:
    # Even a thoroughly wrong row yields none of them: the caller adds them.
    account = facts(name="", id_number="", phone="x", address="", securities=(sh("某", "1"),))
    found = row_reasons(account, POLICY)
    assert Reason.DUPLICATE_ID not in found
    assert not found & MANUAL_REASONS


# -- dormancy ------------------------------------------------------------------------


def dormant_candidate(**changes: object) -> AccountFacts:
    base = facts(balance_cents=3520, holdings_cents=0, last_trade_on=date(2023, 4, 1))
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_dormancy_cutoff() -> None:
    assert dormancy_cutoff(date(2026, 4, 1), 3) == date(2023, 4, 1)
    assert dormancy_cutoff(date(2024, 2, 29), 3) == date(2021, 2, 28)
    assert dormancy_cutoff(date(2024, 2, 29), 4) == date(2020, 2, 29)
    assert dormancy_cutoff(date(2026, 3, 1), 3) == date(2023, 3, 1)
    assert POLICY.dormant_cutoff == date(2023, 4, 1)


def test_dormant_on_the_cutoff_day_not_the_day_after() -> None:
    assert is_dormant(dormant_candidate(last_trade_on=date(2023, 4, 1)), POLICY)
    assert not is_dormant(dormant_candidate(last_trade_on=date(2023, 4, 2)), POLICY)
    assert is_dormant(dormant_candidate(last_trade_on=date(2010, 1, 1)), POLICY)


def test_dormancy_on_29_february_base_date() -> None:
    policy = ScreeningPolicy(base_date=date(2024, 2, 29))
    assert is_dormant(dormant_candidate(last_trade_on=date(2021, 2, 28)), policy)
    assert not is_dormant(dormant_candidate(last_trade_on=date(2021, 3, 1)), policy)


def test_never_traded_uses_opening_date() -> None:
    assert is_dormant(dormant_candidate(last_trade_on=None, opened_on=date(2023, 4, 1)), POLICY)
    assert not is_dormant(dormant_candidate(last_trade_on=None, opened_on=date(2023, 4, 2)), POLICY)


def test_last_trade_wins_over_old_opening_date() -> None:
    account = dormant_candidate(opened_on=date(2000, 1, 1), last_trade_on=date(2025, 1, 1))
    assert not is_dormant(account, POLICY)


@pytest.mark.parametrize(
    ("balance_cents", "dormant"),
    [(0, True), (10000, True), (10001, False), (-500, True), (9999, True)],
)
def test_balance_limit_100_yuan(balance_cents: int, dormant: bool) -> None:
    assert is_dormant(dormant_candidate(balance_cents=balance_cents), POLICY) is dormant


@pytest.mark.parametrize(("holdings_cents", "dormant"), [(0, True), (1, False), (500000, False)])
def test_any_holdings_prevent_dormancy(holdings_cents: int, dormant: bool) -> None:
    assert is_dormant(dormant_candidate(holdings_cents=holdings_cents), POLICY) is dormant


def test_dormancy_limits_are_settings() -> None:
    policy = ScreeningPolicy(base_date=BASE, dormant_balance_limit_cents=50000, dormant_years=1)
    assert is_dormant(
        dormant_candidate(balance_cents=50000, last_trade_on=date(2025, 4, 1)), policy
    )
    assert not is_dormant(
        dormant_candidate(balance_cents=50001, last_trade_on=date(2025, 4, 1)), policy
    )
    assert not is_dormant(
        dormant_candidate(balance_cents=100, last_trade_on=date(2025, 4, 2)), policy
    )


def test_policy_rejects_negative_settings() -> None:
    with pytest.raises(ValueError, match="dormant_years"):
        ScreeningPolicy(base_date=BASE, dormant_years=-1)
    with pytest.raises(ValueError, match="dormant_balance_limit_cents"):
        ScreeningPolicy(base_date=BASE, dormant_balance_limit_cents=-1)
    with pytest.raises(ValueError, match="min_address_chars"):
        ScreeningPolicy(base_date=BASE, min_address_chars=-1)


def test_row_reasons_adds_dormant_and_keeps_the_others() -> None:
    account = dormant_candidate(phone="", securities=(sh(name="别人"),))
    assert row_reasons(account, POLICY) == {
        Reason.DORMANT,
        Reason.PHONE_MISSING,
        Reason.SEC_NAME_MISMATCH,
    }
    assert classify(row_reasons(account, POLICY), DepositoryStatus.ACTIVE) is (
        AccountClass.DORMANT_SMALL
    )


# -- classification order -----------------------------------------------------------


@pytest.mark.parametrize(
    ("reasons", "depository", "expected"),
    [
        ({Reason.DORMANT}, DepositoryStatus.ACTIVE, AccountClass.DORMANT_SMALL),
        (
            {Reason.DORMANT, Reason.SEC_NAME_MISMATCH, Reason.NAME_MISSING, Reason.MANUAL_OTHER},
            DepositoryStatus.NONE,
            AccountClass.DORMANT_SMALL,
        ),
        (
            {Reason.DUPLICATE_ID, Reason.PHONE_INVALID, Reason.MANUAL_IDENTITY_FALSE},
            DepositoryStatus.ACTIVE,
            AccountClass.UNQUALIFIED_IDENTITY,
        ),
        ({Reason.SEC_ID_MISMATCH}, DepositoryStatus.NONE, AccountClass.UNQUALIFIED_IDENTITY),
        (
            {Reason.FILE_MISSING, Reason.MANUAL_AGENCY_IMPROPER},
            DepositoryStatus.ACTIVE,
            AccountClass.UNQUALIFIED_DATA,
        ),
        ({Reason.ID_LEGACY_15}, DepositoryStatus.ACTIVE, AccountClass.UNQUALIFIED_DATA),
        ({Reason.MANUAL_OTHER}, DepositoryStatus.ACTIVE, AccountClass.UNQUALIFIED_OTHER),
        ({Reason.MANUAL_AGENCY_IMPROPER}, DepositoryStatus.NONE, AccountClass.UNQUALIFIED_OTHER),
        (set(), DepositoryStatus.ACTIVE, AccountClass.QUALIFIED_DEPOSITED),
        (set(), DepositoryStatus.NONE, AccountClass.QUALIFIED_NOT_DEPOSITED),
        (set(), DepositoryStatus.SIGNED, AccountClass.QUALIFIED_NOT_DEPOSITED),
        (set(), DepositoryStatus.PENDING_BANK, AccountClass.QUALIFIED_NOT_DEPOSITED),
    ],
)
def test_classify(
    reasons: set[Reason], depository: DepositoryStatus, expected: AccountClass
) -> None:
    assert classify(reasons, depository) is expected
    assert classify(iter(reasons), depository) is expected  # any iterable


@pytest.mark.parametrize("reason", sorted(IDENTITY_REASONS))
def test_each_identity_reason_classifies_identity(reason: Reason) -> None:
    assert classify([reason], DepositoryStatus.ACTIVE) is AccountClass.UNQUALIFIED_IDENTITY


@pytest.mark.parametrize("reason", sorted(DATA_REASONS))
def test_each_data_reason_classifies_data(reason: Reason) -> None:
    assert classify([reason], DepositoryStatus.ACTIVE) is AccountClass.UNQUALIFIED_DATA


@pytest.mark.parametrize("reason", sorted(MANUAL_REASONS))
def test_each_manual_reason_classifies_other(reason: Reason) -> None:
    assert classify([reason], DepositoryStatus.ACTIVE) is AccountClass.UNQUALIFIED_OTHER


def test_every_reason_belongs_to_exactly_one_group() -> None:
    groups = [IDENTITY_REASONS, DATA_REASONS, MANUAL_REASONS, {Reason.DORMANT}]
    for reason in Reason:
        assert sum(reason in group for group in groups) == 1, reason


@given(st.frozensets(st.sampled_from(list(Reason))), st.sampled_from(list(DepositoryStatus)))
def test_classify_follows_the_first_matching_rule(
    reasons: frozenset[Reason], depository: DepositoryStatus
) -> None:
    result = classify(reasons, depository)
    if Reason.DORMANT in reasons:
        assert result is AccountClass.DORMANT_SMALL
    elif reasons & IDENTITY_REASONS:
        assert result is AccountClass.UNQUALIFIED_IDENTITY
    elif reasons & DATA_REASONS:
        assert result is AccountClass.UNQUALIFIED_DATA
    elif reasons & MANUAL_REASONS:
        assert result is AccountClass.UNQUALIFIED_OTHER
    else:
        assert result.is_qualified
        assert (result is AccountClass.QUALIFIED_DEPOSITED) is (
            depository is DepositoryStatus.ACTIVE
        )


# -- reason text ----------------------------------------------------------------------


def test_sort_reasons_follows_reason_order() -> None:
    assert sort_reasons(
        [Reason.DORMANT, Reason.FILE_MISSING, Reason.SEC_NAME_MISMATCH, Reason.FILE_MISSING]
    ) == [Reason.SEC_NAME_MISMATCH, Reason.FILE_MISSING, Reason.DORMANT]
    assert sort_reasons(reversed(list(Reason))) == list(Reason)


def test_reasons_to_text() -> None:
    assert reasons_to_text([]) == ""
    assert reasons_to_text({Reason.PHONE_MISSING, Reason.SEC_ID_MISMATCH}) == (
        "SEC_ID_MISMATCH;PHONE_MISSING"
    )


def test_reasons_from_text() -> None:
    assert reasons_from_text("") == frozenset()
    assert reasons_from_text(None) == frozenset()
    assert reasons_from_text("SEC_ID_MISMATCH;PHONE_MISSING") == {
        Reason.SEC_ID_MISMATCH,
        Reason.PHONE_MISSING,
    }
    assert reasons_from_text(" DORMANT ; ;FILE_MISSING;") == {Reason.DORMANT, Reason.FILE_MISSING}
    with pytest.raises(ValueError):
        reasons_from_text("NOT_A_REASON")


@given(st.frozensets(st.sampled_from(list(Reason))))
def test_reason_text_round_trip(reasons: frozenset[Reason]) -> None:
    assert reasons_from_text(reasons_to_text(reasons)) == reasons


# -- the sample export, screened by hand ------------------------------------------------

# Rows of shared/formats/sample-utf8.csv (name, id, phone, opened, balance, holdings,
# last trade, SH holder id), with the reasons worked out by hand for base date 2026-04-01.
SAMPLE = [
    ("苏红", "430102199512274910", "18695494971", "2023-04-17", 85361298, 178518815,
     "2025-10-02", None, set()),
    ("武文", "43010219850401847X", "13817863466", "2016-03-14", 3520, 0, "2016-03-14", None,
     {Reason.DORMANT}),
    ("秦明晓", "430102195108055400", "", "2004-09-11", 0, 0, "2023-02-08", None,
     {Reason.PHONE_MISSING, Reason.DORMANT}),
    ("吕杰磊", "110105194706121551", "15324473646", "2015-04-25", 3520, 0, None, None,
     {Reason.DORMANT}),
    ("龚雨兰", "11010519990230776X", "13977097845", "2007-06-13", 38666352, 326932383,
     "2025-11-20", None, {Reason.ID_INVALID}),
    ("赵秀杰", "11010519440306297X", "12345", "2012-10-20", 25235622, 199929408,
     "2026-01-13", None, {Reason.PHONE_INVALID}),
    ("彭子梓", "310104196005045314", "15063382988", "2016-02-08", 60045882, 434095427,
     "2025-09-26", "310104194703241057", {Reason.SEC_ID_MISMATCH}),
    ("杨芳秀", "310104196704180873", "15196727665", "2018-10-03", 10000, 0, "2018-10-03", None,
     {Reason.DORMANT}),
    ("吕晓", "320102195007030612", "18652472380", "2022-12-25", 3520, 0, None, None,
     {Reason.DORMANT}),
]  # fmt: skip


@pytest.mark.parametrize("row", SAMPLE, ids=[row[0] for row in SAMPLE])
def test_sample_rows(row: tuple[object, ...]) -> None:
    name, id_number, phone, opened, balance, holdings, last, sh_id, expected = row
    assert isinstance(name, str) and isinstance(id_number, str) and isinstance(phone, str)
    assert isinstance(opened, str) and isinstance(balance, int) and isinstance(holdings, int)
    account = facts(
        name=name,
        id_number=id_number,
        phone=phone,
        opened_on=date.fromisoformat(opened),
        balance_cents=balance,
        holdings_cents=holdings,
        last_trade_on=date.fromisoformat(last) if isinstance(last, str) else None,
        securities=(
            sh(name=name, id_number=sh_id if isinstance(sh_id, str) else id_number),
            sz(name=name, id_number=id_number),
        ),
    )
    assert row_reasons(account, POLICY) == expected

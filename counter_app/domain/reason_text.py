"""Plain words for the codes, as (Chinese, English): what a clerk reads on screen and paper.

Kept in the domain (not only in Qt .ts files) because the command line, the PDF
ledger, the services' refusal messages and the GUI all show them. Tests check that
every code has words. A message for a clerk names a code by these words, never by the
code itself (an English message may add the code in parentheses for the command line).
"""

from __future__ import annotations

from counter_app.domain.codes import (
    AccountClass,
    CaseState,
    DepositoryStatus,
    FlagReason,
    IdType,
    Market,
    Reason,
    RejectionReason,
    Role,
)

REASON_TEXT: dict[Reason, tuple[str, str]] = {
    Reason.SEC_NAME_MISMATCH: (
        "证券账户姓名与客户姓名不一致",
        "Securities account holder name differs from the customer's name",
    ),
    Reason.SEC_ID_MISMATCH: (
        "证券账户证件号码与客户证件号码不一致",
        "Securities account holder ID number differs from the customer's",
    ),
    Reason.DUPLICATE_ID: (
        "同一证件号码属于另一位不同姓名的客户",
        "The same ID number belongs to another customer with a different name",
    ),
    Reason.NAME_MISSING: ("客户姓名缺失", "Customer name missing"),
    Reason.ID_MISSING: ("证件号码缺失", "ID number missing"),
    Reason.ID_INVALID: ("证件号码无效", "ID number is not valid"),
    Reason.ID_LEGACY_15: (
        "身份证为15位旧号码，需升级为18位",
        "Old 15-digit ID card number; must be upgraded to 18 digits",
    ),
    Reason.PHONE_MISSING: ("联系电话缺失", "Phone number missing"),
    Reason.PHONE_INVALID: (
        "联系电话无效（应为手机号码或带区号的固定电话）",
        "Phone number not valid (must be a mobile, or a fixed line with area code)",
    ),
    Reason.ADDRESS_MISSING: ("联系地址缺失", "Address missing"),
    Reason.ADDRESS_INCOMPLETE: ("联系地址不完整", "Address incomplete"),
    Reason.FILE_MISSING: ("无纸质客户档案", "No paper customer file on record"),
    Reason.MANUAL_AGENCY_IMPROPER: ("代理关系不规范", "Agency relationship irregular"),
    Reason.MANUAL_IDENTITY_FALSE: ("身份虚假（疑似）", "Identity suspected false"),
    Reason.MANUAL_OTHER: ("其他不合格（人工标记）", "Other reason (flagged by staff)"),
    Reason.DORMANT: (
        "小额休眠账户，规范后需激活",
        "Small dormant account; must be activated after standardization",
    ),
}

CLASS_TEXT: dict[AccountClass, tuple[str, str]] = {
    AccountClass.QUALIFIED_DEPOSITED: ("合格已存管", "Qualified, on depository"),
    AccountClass.QUALIFIED_NOT_DEPOSITED: ("合格未存管", "Qualified, not on depository"),
    AccountClass.UNQUALIFIED_IDENTITY: ("身份不对应", "Unqualified: identity not matching"),
    AccountClass.UNQUALIFIED_DATA: ("资料不合格", "Unqualified: data incomplete or wrong"),
    AccountClass.UNQUALIFIED_OTHER: ("其他不合格", "Unqualified: other"),
    AccountClass.DORMANT_SMALL: ("小额休眠", "Small dormant"),
}

DEPOSITORY_TEXT: dict[DepositoryStatus, tuple[str, str]] = {
    DepositoryStatus.NONE: ("未签约", "Not signed"),
    DepositoryStatus.SIGNED: ("已签约", "Signed"),
    DepositoryStatus.PENDING_BANK: ("待银行确认", "Awaiting bank confirmation"),
    DepositoryStatus.ACTIVE: ("已确认", "Confirmed by the bank"),
}

ID_TYPE_TEXT: dict[IdType, tuple[str, str]] = {
    IdType.RIC: ("居民身份证", "Resident identity card"),
    IdType.PASSPORT: ("护照", "Passport"),
    IdType.HKMO: ("港澳居民来往内地通行证", "Mainland travel permit (HK/Macao)"),
    IdType.TW: ("台湾居民来往大陆通行证", "Mainland travel permit (Taiwan)"),
    IdType.BIZ_LICENSE: ("营业执照", "Business licence"),
    IdType.OTHER: ("其他证件", "Other document"),
}
MARKET_TEXT: dict[Market, tuple[str, str]] = {
    Market.SH: ("上海A股", "Shanghai A"),
    Market.SZ: ("深圳A股", "Shenzhen A"),
}

#: the case's stage: the post it waits at, or how it ended
CASE_STATE_TEXT: dict[CaseState, tuple[str, str]] = {
    CaseState.DIVERSION: ("分流", "Diversion"),
    CaseState.DATA_FILLING: ("资料补录", "Data filling"),
    CaseState.SIGNING: ("签约", "Signing"),
    CaseState.AUDIT: ("复核", "Audit"),
    CaseState.BANK_POSTING: ("银行登记", "Bank posting"),
    CaseState.DONE: ("已办结", "Done"),
    CaseState.CANCELLED: ("已撤销", "Cancelled"),
}

#: a user's roles: the five counter posts, supervision and administration
ROLE_TEXT: dict[Role, tuple[str, str]] = {
    Role.DIVERSION: ("分流", "Diversion"),
    Role.DATA_FILLING: ("资料补录", "Data filling"),
    Role.SIGNING: ("签约", "Signing"),
    Role.AUDIT: ("复核", "Audit"),
    Role.BANK_POSTING: ("银行登记", "Bank posting"),
    Role.SUPERVISOR: ("主管", "Supervisor"),
    Role.ADMINISTRATOR: ("管理员", "Administrator"),
}

#: a person's flag has the words of the account reason it sets (one table, not two)
FLAG_REASON_TEXT: dict[FlagReason, tuple[str, str]] = {
    flag: REASON_TEXT[flag.reason] for flag in FlagReason
}

#: what an auditor may reject a case for (the post it goes back to: services/cases.py)
REJECTION_TEXT: dict[RejectionReason, tuple[str, str]] = {
    RejectionReason.ID_COPY_UNCLEAR: ("身份证复印件不清晰", "ID copy unclear"),
    RejectionReason.DATA_MISMATCH: ("资料与证件不符", "Data do not match the documents"),
    RejectionReason.SIGNATURE_MISSING: (
        "协议缺少客户签名",
        "Customer's signature missing on the agreement",
    ),
    RejectionReason.AGREEMENT_WRONG: ("协议填写有误", "Agreement filled in wrongly"),
    RejectionReason.BANK_ACCOUNT_WRONG: ("银行账号有误", "Bank account wrong"),
    RejectionReason.OTHER: ("其他（见备注）", "Other (see the note)"),
}

Labelled = (
    CaseState | Role | FlagReason | RejectionReason | Reason | AccountClass | DepositoryStatus
)


def words(code: Labelled) -> tuple[str, str]:
    """The (Chinese, English) words of a code.

    Dispatched on the enum's type, not its value: ``CaseState.AUDIT`` and ``Role.AUDIT``
    (or ``FlagReason.OTHER`` and ``RejectionReason.OTHER``) are equal strings.
    """
    if isinstance(code, CaseState):
        return CASE_STATE_TEXT[code]
    if isinstance(code, Role):
        return ROLE_TEXT[code]
    if isinstance(code, FlagReason):
        return FLAG_REASON_TEXT[code]
    if isinstance(code, RejectionReason):
        return REJECTION_TEXT[code]
    if isinstance(code, Reason):
        return REASON_TEXT[code]
    if isinstance(code, AccountClass):
        return CLASS_TEXT[code]
    return DEPOSITORY_TEXT[code]


def zh_words(code: Labelled) -> str:
    """The Chinese words of a code, for a Chinese message."""
    return words(code)[0]


def en_words(code: Labelled) -> str:
    """The English words of a code followed by the code, e.g. ``Data filling (DATA_FILLING)``:
    the English message also serves the command line, where the code is what one types."""
    return f"{words(code)[1]} ({code.value})"

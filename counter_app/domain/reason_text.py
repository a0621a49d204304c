"""Plain words for the codes, as (Chinese, English): what a clerk reads on screen and paper.

Kept in the domain (not only in Qt .ts files) because the command line, the PDF
ledger and the GUI all show them. Tests check that every code has words.
"""

from __future__ import annotations

from counter_app.domain.codes import AccountClass, DepositoryStatus, Reason

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

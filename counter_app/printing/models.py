"""What the printed documents need, as plain values: the caller fills them from the database.

Every string is printed as given (already human text: labels, not enum codes), so the
printing layer needs no database and no translation tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Lang = Literal["zh", "en"]


@dataclass(frozen=True, slots=True)
class BranchInfo:
    """The securities branch (乙方): from the settings."""

    name: str
    address: str
    phone: str = ""
    company: str = ""  # the legal person, e.g. "某某证券股份有限公司"; empty: name only


@dataclass(frozen=True, slots=True)
class PartyCustomer:
    """The customer (甲方) as printed."""

    name: str
    id_type_label: str  # e.g. "居民身份证" / "Resident identity card"
    id_number: str
    phone: str = ""
    address: str = ""


@dataclass(frozen=True, slots=True)
class SecuritiesAccountLine:
    market_label: str  # e.g. "上海A股" / "Shanghai A"
    account_no: str


@dataclass(frozen=True, slots=True)
class AgreementData:
    """One tripartite depository agreement (客户交易结算资金第三方存管协议)."""

    agreement_no: str  # unique, from the database; the barcode carries exactly this
    branch: BranchInfo
    customer: PartyCustomer
    capital_account: str
    bank_name: str
    bank_account: str
    signed_on: date
    securities_accounts: tuple[SecuritiesAccountLine, ...] = ()
    bank_branch: str = ""  # the bank's outlet, if the branch prints it
    lang: Lang = "zh"


@dataclass(frozen=True, slots=True)
class FieldChange:
    label: str  # the field as people call it, e.g. "联系地址"
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class ChangeFormData:
    """A data change application form (客户资料变更申请表)."""

    form_no: str  # printed and carried by the barcode
    branch: BranchInfo
    customer: PartyCustomer  # the data after the change
    capital_account: str
    changes: tuple[FieldChange, ...]
    cleared_reasons: tuple[str, ...] = ()  # human text of the reasons the change clears
    filed_on: date = field(default_factory=date.today)
    lang: Lang = "zh"


@dataclass(frozen=True, slots=True)
class LabelData:
    """One file label: the barcode carries ``barcode`` or, if empty, the capital account."""

    capital_account: str
    masked_name: str  # already masked (counter_app.domain.masking.mask_name)
    barcode: str = ""
    caption: str = ""  # a small line at the top, e.g. the branch's short name

    @property
    def barcode_value(self) -> str:
        return self.barcode or self.capital_account

"""The data-filling form: its fields, live validation, and the changes a save makes.

Field keys (used by ``validate_form``, ``FieldChange`` and ``StaleField``):
``name``, ``id_type``, ``id_number``, ``phone``, ``address``, ``has_paper_file``, and per
linked securities account ``securities.<account no>.holder_name`` and
``securities.<account no>.holder_id_number``. Values in changes are text; the paper
file flag is ``"Y"``/``"N"`` as in the export.

``validate_form`` applies the screening rules field by field (domain/idcard, phone,
normalize), so a form without messages saves to an account without data or identity
reasons, DUPLICATE_ID aside (it depends on other customers; the save reports it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from counter_app.db.models import CapitalAccount, Customer
from counter_app.domain.codes import IdType, Reason
from counter_app.domain.idcard import LENGTH_PROBLEM, IdCheck, check_other_id, check_resident_id
from counter_app.domain.idcard import upgrade_15_to_18 as _upgrade
from counter_app.domain.normalize import (
    clean_id,
    is_blank_or_placeholder,
    normalize_id,
    normalize_name,
)
from counter_app.domain.phone import PhoneCheck, check_phone, normalize_phone
from counter_app.domain.screening import ScreeningPolicy
from counter_app.errors import UserError

#: A message for people: (Chinese, English). The GUI shows Chinese by default.
Message = tuple[str, str]

HOLDER_NAME = "holder_name"
HOLDER_ID = "holder_id_number"

FIELD_LABELS: dict[str, Message] = {
    "name": ("客户姓名", "Name"),
    "id_type": ("证件类型", "ID type"),
    "id_number": ("证件号码", "ID number"),
    "phone": ("联系电话", "Phone"),
    "address": ("联系地址", "Address"),
    "has_paper_file": ("纸质档案", "Paper file"),
    HOLDER_NAME: ("证券账户姓名", "Holder name"),
    HOLDER_ID: ("证券账户证件号码", "Holder ID number"),
}


#: The field each screening reason points at (``*``: every linked securities account),
#: so a screen can show the account's reasons next to the fields to fix.
REASON_FIELDS: dict[Reason, str] = {
    Reason.NAME_MISSING: "name",
    Reason.ID_MISSING: "id_number",
    Reason.ID_INVALID: "id_number",
    Reason.ID_LEGACY_15: "id_number",
    Reason.DUPLICATE_ID: "id_number",
    Reason.PHONE_MISSING: "phone",
    Reason.PHONE_INVALID: "phone",
    Reason.ADDRESS_MISSING: "address",
    Reason.ADDRESS_INCOMPLETE: "address",
    Reason.FILE_MISSING: "has_paper_file",
    Reason.SEC_NAME_MISMATCH: f"securities.*.{HOLDER_NAME}",
    Reason.SEC_ID_MISMATCH: f"securities.*.{HOLDER_ID}",
}


def holder_field(account_no: str, which: str) -> str:
    """The key of a securities account's holder field: ``securities.A100000034.holder_name``."""
    return f"securities.{account_no}.{which}"


@dataclass
class HolderForm:
    """A linked securities account's holder data (the account number is not editable)."""

    market: str
    account_no: str
    holder_name: str
    holder_id_number: str


@dataclass
class CustomerForm:
    """What data filling may change about a customer."""

    name: str
    id_type: IdType
    id_number: str
    phone: str
    address: str
    has_paper_file: bool
    securities: list[HolderForm] = field(default_factory=list)

    def values(self) -> dict[str, str]:
        """Field key -> the value as it would be stored (trimmed; RIC numbers cleaned)."""
        id_number = self.id_number.strip()
        if IdType(self.id_type) is IdType.RIC:
            id_number = clean_id(id_number)
        values = {
            "name": self.name.strip(),
            "id_type": IdType(self.id_type).value,
            "id_number": id_number,
            "phone": self.phone.strip(),
            "address": self.address.strip(),
            "has_paper_file": "Y" if self.has_paper_file else "N",
        }
        for sec in self.securities:
            values[holder_field(sec.account_no, HOLDER_NAME)] = sec.holder_name.strip()
            holder_id = clean_id(sec.holder_id_number)
            values[holder_field(sec.account_no, HOLDER_ID)] = holder_id
        return values


class FieldChange(NamedTuple):
    field: str
    old: str
    new: str


def form_of_account(account: CapitalAccount) -> CustomerForm:
    customer = account.customer
    return CustomerForm(
        name=customer.name,
        id_type=IdType(customer.id_type),
        id_number=customer.id_number,
        phone=customer.phone,
        address=customer.address,
        has_paper_file=customer.has_paper_file,
        securities=[
            HolderForm(s.market, s.account_no, s.holder_name, s.holder_id_number)
            for s in account.securities
        ],
    )


def stored_values(account: CapitalAccount) -> dict[str, str]:
    """The stored values, keyed like ``CustomerForm.values`` but exactly as stored."""
    customer = account.customer
    values = {
        "name": customer.name,
        "id_type": customer.id_type,
        "id_number": customer.id_number,
        "phone": customer.phone,
        "address": customer.address,
        "has_paper_file": "Y" if customer.has_paper_file else "N",
    }
    for sec in account.securities:
        values[holder_field(sec.account_no, HOLDER_NAME)] = sec.holder_name
        values[holder_field(sec.account_no, HOLDER_ID)] = sec.holder_id_number
    return values


def changes_between(stored: dict[str, str], wanted: dict[str, str]) -> list[FieldChange]:
    """The fields whose wanted value differs from the stored one, in form order."""
    unknown = sorted(set(wanted) - set(stored))
    if unknown:
        raise UserError(
            "the form names securities accounts not linked to this capital account: "
            + ", ".join(unknown),
            zh="表单中的证券账户未关联到该资金账户：" + "、".join(unknown),
        )
    return [FieldChange(k, stored[k], v) for k, v in wanted.items() if stored[k] != v]


def apply_changes(account: CapitalAccount, changes: list[FieldChange]) -> None:
    """Write the changes to the customer and its securities accounts (and the lookup keys)."""
    customer: Customer = account.customer
    by_no = {s.account_no: s for s in account.securities}
    for change in changes:
        if change.field.startswith("securities."):
            _, account_no, which = change.field.split(".", 2)
            setattr(by_no[account_no], which, change.new)
        elif change.field == "has_paper_file":
            customer.has_paper_file = change.new == "Y"
        else:
            setattr(customer, change.field, change.new)
    customer.name_norm = (
        "" if is_blank_or_placeholder(customer.name) else normalize_name(customer.name)
    )
    customer.id_norm = normalize_id(customer.id_number)
    customer.phone_norm = normalize_phone(customer.phone) or ""


# --- live validation -------------------------------------------------------------------

_PROVINCE = re.compile(r"province code (\d+) does not exist")
_BIRTH = re.compile(r"birth date (\S+) (is before \d+|is not a real date|is after the base date)")
_CHECK = re.compile(r"check character should be (\S)")


def _resident_id_message(number: str, base_date: date) -> Message | None:
    verdict = check_resident_id(number, base_date)
    if verdict.check is IdCheck.VALID:
        return None
    if verdict.check is IdCheck.MISSING:
        return ("请填写证件号码", "the ID number is required")
    if verdict.check is IdCheck.LEGACY_15:
        upgraded = _upgrade(number)
        return (
            f"15位旧身份证号码，应升级为18位：{upgraded}",
            f"old 15-digit number: upgrade it to the 18-digit {upgraded}",
        )
    problem = verdict.problem or ""
    if problem == LENGTH_PROBLEM:
        return ("身份证号码应为18位（17位数字加1位校验码）", "the ID number " + LENGTH_PROBLEM)
    if found := _CHECK.fullmatch(problem):
        char = found.group(1)
        return (
            f"该身份证号码的校验码应为 {char}",
            f"the check character of this ID number should be {char}",
        )
    if found := _PROVINCE.fullmatch(problem):
        code = found.group(1)
        return (f"省级行政区代码 {code} 不存在", f"the province code {code} does not exist")
    if found := _BIRTH.fullmatch(problem):
        shown, what = found.groups()
        zh = {
            "is not a real date": f"出生日期 {shown} 不是有效日期",
            "is after the base date": f"出生日期 {shown} 晚于基准日",
        }.get(what, f"出生日期 {shown} 过早，不是有效出生日期")
        return (zh, f"the birth date {shown} {what}")
    return ("身份证号码无效", f"the ID number is not valid: {problem}")


def _id_message(form: CustomerForm, base_date: date) -> Message | None:
    if IdType(form.id_type) is IdType.RIC:
        return _resident_id_message(form.id_number, base_date)
    verdict = check_other_id(form.id_number)
    if verdict.check is IdCheck.MISSING:
        return ("请填写证件号码", "the ID number is required")
    if verdict.check is IdCheck.INVALID:
        return ("证件号码应含有字母或数字", "the ID number must hold a letter or a digit")
    return None


def _name_key(name: str) -> str:
    return "" if is_blank_or_placeholder(name) else normalize_name(name)


def validate_form(form: CustomerForm, base_date: date) -> dict[str, Message]:
    """Live-validation messages per field key; an empty dict means the form is clean.

    ``base_date``: the branch's base date (``cases.screening_base_date``), which a
    birth date may not be after, as in screening.
    """
    policy = ScreeningPolicy(base_date=base_date)
    messages: dict[str, Message] = {}
    if is_blank_or_placeholder(form.name):
        messages["name"] = ("请填写客户姓名", "the name is required")
    id_message = _id_message(form, base_date)
    if id_message is not None:
        messages["id_number"] = id_message
    phone = check_phone(form.phone)
    if phone is PhoneCheck.MISSING:
        messages["phone"] = ("请填写联系电话", "the phone number is required")
    elif phone is PhoneCheck.INVALID:
        messages["phone"] = (
            "联系电话无效：应为手机号码或带区号的固定电话",
            "not a valid mainland number: a mobile, or a fixed line with its area code",
        )
    if is_blank_or_placeholder(form.address):
        messages["address"] = ("请填写联系地址", "the address is required")
    elif len(clean_id(form.address)) < policy.min_address_chars:
        messages["address"] = (
            f"联系地址不完整：至少{policy.min_address_chars}个字",
            f"the address is incomplete: at least {policy.min_address_chars} characters",
        )
    if not form.has_paper_file:
        messages["has_paper_file"] = (
            "无纸质客户档案：请收取客户资料并建档",
            "no paper customer file on record: collect the documents and file them",
        )
    name_key = _name_key(form.name)
    id_key = normalize_id(form.id_number)
    for sec in form.securities:
        if _name_key(sec.holder_name) != name_key:
            messages[holder_field(sec.account_no, HOLDER_NAME)] = (
                f"证券账户 {sec.account_no} 的姓名与客户姓名不一致",
                f"the holder name of securities account {sec.account_no} differs from "
                "the customer's name",
            )
        if normalize_id(sec.holder_id_number) != id_key:
            messages[holder_field(sec.account_no, HOLDER_ID)] = (
                f"证券账户 {sec.account_no} 的证件号码与客户证件号码不一致",
                f"the holder ID number of securities account {sec.account_no} differs from "
                "the customer's ID number",
            )
    return messages

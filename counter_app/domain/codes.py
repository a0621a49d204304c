"""The closed vocabularies of the domain (see shared/domain.md).

Every value is stored in the database as its ``.value`` string, so these names
are part of the schema: rename one only with a migration.
"""

from __future__ import annotations

from enum import StrEnum


class CustomerType(StrEnum):
    INDIVIDUAL = "INDIVIDUAL"
    INSTITUTION = "INSTITUTION"


class IdType(StrEnum):
    RIC = "RIC"  # resident identity card (居民身份证)
    PASSPORT = "PASSPORT"
    HKMO = "HKMO"
    TW = "TW"
    BIZ_LICENSE = "BIZ_LICENSE"
    OTHER = "OTHER"


class DepositoryStatus(StrEnum):
    NONE = "NONE"
    SIGNED = "SIGNED"
    PENDING_BANK = "PENDING_BANK"
    ACTIVE = "ACTIVE"


class Market(StrEnum):
    SH = "SH"  # Shanghai A: "A" + 9 digits
    SZ = "SZ"  # Shenzhen A: 10 digits starting with 0


class Reason(StrEnum):
    """Why an account is not qualified. Order here is the order shown to people."""

    # identity reasons
    SEC_NAME_MISMATCH = "SEC_NAME_MISMATCH"
    SEC_ID_MISMATCH = "SEC_ID_MISMATCH"
    DUPLICATE_ID = "DUPLICATE_ID"
    # data reasons
    NAME_MISSING = "NAME_MISSING"
    ID_MISSING = "ID_MISSING"
    ID_INVALID = "ID_INVALID"
    ID_LEGACY_15 = "ID_LEGACY_15"
    PHONE_MISSING = "PHONE_MISSING"
    PHONE_INVALID = "PHONE_INVALID"
    ADDRESS_MISSING = "ADDRESS_MISSING"
    ADDRESS_INCOMPLETE = "ADDRESS_INCOMPLETE"
    FILE_MISSING = "FILE_MISSING"
    # set by a person (UNQUALIFIED_OTHER)
    MANUAL_AGENCY_IMPROPER = "MANUAL_AGENCY_IMPROPER"
    MANUAL_IDENTITY_FALSE = "MANUAL_IDENTITY_FALSE"
    MANUAL_OTHER = "MANUAL_OTHER"
    # a fact, not a fault: kept so the ledger shows why an account is apart
    DORMANT = "DORMANT"


IDENTITY_REASONS = frozenset(
    {Reason.SEC_NAME_MISMATCH, Reason.SEC_ID_MISMATCH, Reason.DUPLICATE_ID}
)
DATA_REASONS = frozenset(
    {
        Reason.NAME_MISSING,
        Reason.ID_MISSING,
        Reason.ID_INVALID,
        Reason.ID_LEGACY_15,
        Reason.PHONE_MISSING,
        Reason.PHONE_INVALID,
        Reason.ADDRESS_MISSING,
        Reason.ADDRESS_INCOMPLETE,
        Reason.FILE_MISSING,
    }
)
MANUAL_REASONS = frozenset(
    {Reason.MANUAL_AGENCY_IMPROPER, Reason.MANUAL_IDENTITY_FALSE, Reason.MANUAL_OTHER}
)
REASON_ORDER = {reason: index for index, reason in enumerate(Reason)}


class FlagReason(StrEnum):
    """What a person may flag an account for (`counter-app flag --reason`)."""

    AGENCY_IMPROPER = "AGENCY_IMPROPER"
    IDENTITY_FALSE = "IDENTITY_FALSE"
    OTHER = "OTHER"

    @property
    def reason(self) -> Reason:
        return Reason("MANUAL_" + self.value)


class AccountClass(StrEnum):
    """The reporting class: the domain's five classes with QUALIFIED split by depository.

    Declared in the order of the statistics table.
    """

    QUALIFIED_DEPOSITED = "QUALIFIED_DEPOSITED"
    QUALIFIED_NOT_DEPOSITED = "QUALIFIED_NOT_DEPOSITED"
    UNQUALIFIED_IDENTITY = "UNQUALIFIED_IDENTITY"
    UNQUALIFIED_DATA = "UNQUALIFIED_DATA"
    UNQUALIFIED_OTHER = "UNQUALIFIED_OTHER"
    DORMANT_SMALL = "DORMANT_SMALL"

    @property
    def is_qualified(self) -> bool:
        return self in (AccountClass.QUALIFIED_DEPOSITED, AccountClass.QUALIFIED_NOT_DEPOSITED)


class Restriction(StrEnum):
    NO_WITHDRAW = "NO_WITHDRAW"
    NO_BUY = "NO_BUY"
    NO_CANCEL_DESIGNATION = "NO_CANCEL_DESIGNATION"
    NO_TRANSFER_CUSTODY = "NO_TRANSFER_CUSTODY"


class CsdcRequestKind(StrEnum):
    REPORT_UNQUALIFIED = "REPORT_UNQUALIFIED"
    LIFT_RESTRICTION = "LIFT_RESTRICTION"
    ACTIVATE_DORMANT = "ACTIVATE_DORMANT"


class CsdcRequestStatus(StrEnum):
    NOT_SENT = "NOT_SENT"
    SENT = "SENT"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class CaseState(StrEnum):
    DIVERSION = "DIVERSION"
    DATA_FILLING = "DATA_FILLING"
    SIGNING = "SIGNING"
    AUDIT = "AUDIT"
    BANK_POSTING = "BANK_POSTING"
    DONE = "DONE"
    CANCELLED = "CANCELLED"


class Role(StrEnum):
    """A role grants the post of the same name (or supervision / administration)."""

    DIVERSION = "DIVERSION"
    DATA_FILLING = "DATA_FILLING"
    SIGNING = "SIGNING"
    AUDIT = "AUDIT"
    BANK_POSTING = "BANK_POSTING"
    SUPERVISOR = "SUPERVISOR"
    ADMINISTRATOR = "ADMINISTRATOR"


class ContactChannel(StrEnum):
    SMS = "SMS"
    PHONE = "PHONE"
    LETTER = "LETTER"
    VISIT = "VISIT"


class ContactOutcome(StrEnum):
    REACHED = "REACHED"
    NO_ANSWER = "NO_ANSWER"
    WRONG_NUMBER = "WRONG_NUMBER"
    REFUSED = "REFUSED"
    PROMISED_VISIT = "PROMISED_VISIT"
    OTHER = "OTHER"


class StepKind(StrEnum):
    """What a case step records (``case_steps.kind``)."""

    OPEN = "open"  # diversion opened the case and sent it to its first post
    SAVE = "save"  # data filling saved customer data (the case stays at its post)
    FORWARD = "forward"  # the post's work is done: on to the next post
    RETURN = "return"  # signing sent the case back to data filling
    REJECT = "reject"  # the auditor rejected it back, with reasons
    BANK_EXPORT = "bank_export"  # sent to the bank in a batch file
    BANK_CONFIRM = "bank_confirm"  # the bank's response file confirmed it
    BANK_REJECT = "bank_reject"  # the bank's response file refused it
    MANUAL_CONFIRM = "manual_confirm"  # confirmed by hand, with a reason
    CANCEL = "cancel"


class RejectionReason(StrEnum):
    """Why an auditor rejects a case (words and target post: services/cases.py)."""

    ID_COPY_UNCLEAR = "ID_COPY_UNCLEAR"
    DATA_MISMATCH = "DATA_MISMATCH"
    SIGNATURE_MISSING = "SIGNATURE_MISSING"
    AGREEMENT_WRONG = "AGREEMENT_WRONG"
    BANK_ACCOUNT_WRONG = "BANK_ACCOUNT_WRONG"
    OTHER = "OTHER"

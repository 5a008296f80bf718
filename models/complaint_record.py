"""The complete complaint record as pure rules: money, attachments, root causes, the contact
log, what staff type, and when a complaint may be closed, reopened or merged.

The graph layer (``graph.complaints.actions``) asks these functions before it writes; each
refusal is a :class:`ComplaintRecordRefused` with a ``rule`` code a client can act on, and
nothing is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from urllib.parse import urlsplit

from models.complaints import BASE_DAYS, FINISHED_STATUSES, OPEN_STATUSES
from models.errors import InvalidInput
from models.records import ComplaintStatus
from models.text_scrub import scrub_personal_data


class ComplaintRecordRefused(InvalidInput):
    """A change to a complaint's record that the rules refuse; ``rule`` says which."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


# -- what staff type ---------------------------------------------------------------------------

MAX_NOTE = 5000


def staff_text(text: str | None, what: str, *, required: bool = True, limit: int = MAX_NOTE) -> str:
    """Text a member of staff typed, trimmed and with personal data masked
    (``models.text_scrub``): ID numbers, phones, plates and accounts are never stored raw."""
    value = (text or "").strip()
    if not value:
        if required:
            raise ComplaintRecordRefused("TEXT_REQUIRED", f"{what} cannot be empty")
        return ""
    if len(value) > limit:
        raise ComplaintRecordRefused("TEXT_TOO_LONG", f"{what} is at most {limit:,} characters")
    return scrub_personal_data(value)


# -- the regulator's referral -----------------------------------------------------------------

_REFERRAL_NO = re.compile(
    r"[A-Za-z0-9\u4e00-\u9fff][A-Za-z0-9\u4e00-\u9fff_\-/()（）〔〕\[\]]{0,63}"
)


def regulator_reference(value: str) -> str:
    """A regulator referral number (转办编号) as recorded: 1-64 letters, digits, Chinese
    characters and ``- _ / ( ) 〔 〕 [ ]``, as the regulator's letters write them."""
    number = value.strip()
    if not _REFERRAL_NO.fullmatch(number):
        raise ComplaintRecordRefused(
            "INVALID_REFERRAL_NO",
            "a referral number is 1-64 letters, digits, Chinese characters, '-', '_', '/' "
            "or brackets",
        )
    return number


# -- money -------------------------------------------------------------------------------------

CURRENCY = "CNY"
MAX_AMOUNT = Decimal("100000000000")  # 1e11 yuan: beyond any single complaint


def amount_in_fen(amount: Decimal | str | None, currency: str, what: str) -> int | None:
    """A money amount as whole fen (分), the exact form the graph stores.

    Only renminbi (CNY), not negative, at most two decimals, finite and below 1e11 yuan.
    None stays None (the amount is not known, or is being cleared).
    """
    if amount is None:
        return None
    if currency.strip().upper() != CURRENCY:
        raise ComplaintRecordRefused(
            "CURRENCY", f"{what}: amounts are in {CURRENCY} (renminbi), not {currency!r}"
        )
    try:
        value = Decimal(str(amount).replace(",", "").strip())
    except InvalidOperation:
        raise ComplaintRecordRefused(
            "INVALID_AMOUNT", f"{what}: {amount!r} is not a number"
        ) from None
    if not value.is_finite():
        raise ComplaintRecordRefused("INVALID_AMOUNT", f"{what} must be a finite number")
    if value < 0:
        raise ComplaintRecordRefused("NEGATIVE_AMOUNT", f"{what} cannot be negative")
    if value >= MAX_AMOUNT:
        raise ComplaintRecordRefused("INVALID_AMOUNT", f"{what} is implausibly large")
    if value != value.quantize(Decimal("0.01")):
        raise ComplaintRecordRefused("INVALID_AMOUNT", f"{what} has more than two decimals (fen)")
    return int(value * 100)


def fen_to_yuan(fen: int) -> Decimal:
    """Whole fen as a yuan amount with two decimals."""
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


# -- attachments -------------------------------------------------------------------------------

MAX_ATTACHMENT_BYTES = 10 * 1024**3  # 10 GiB: call recordings and videos included
MAX_URI = 2000
_SHA256 = re.compile(r"[0-9a-f]{64}")
# RFC 6838 type/subtype (parameters such as charset are not part of what we keep).
_MEDIA_TYPE = re.compile(
    r"(application|audio|font|image|message|model|multipart|text|video)/"
    r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+\-]{0,126}"
)


@dataclass(frozen=True)
class AttachmentRef:
    """A document kept outside the graph (a document store, object storage): the graph
    holds only its hash, size, media type and where to fetch it."""

    sha256: str
    size: int
    media_type: str
    uri: str
    name: str | None = None


def attachment_ref(
    sha256: str, size: int, media_type: str, uri: str, name: str | None = None
) -> AttachmentRef:
    """A validated attachment reference, or ComplaintRecordRefused saying what is wrong.

    The URI must be an absolute http(s) URL with a host and no user name or password in it
    (a credential in a link would be stored and shown to every reader).
    """
    digest = sha256.strip().lower()
    if not _SHA256.fullmatch(digest):
        raise ComplaintRecordRefused(
            "INVALID_HASH", "sha256 is the 64 hexadecimal characters of the file's SHA-256"
        )
    if isinstance(size, bool) or not 0 < size <= MAX_ATTACHMENT_BYTES:
        raise ComplaintRecordRefused(
            "INVALID_SIZE", f"size is the file's length in bytes, 1 to {MAX_ATTACHMENT_BYTES:,}"
        )
    media = media_type.strip().lower()
    if not _MEDIA_TYPE.fullmatch(media):
        raise ComplaintRecordRefused(
            "INVALID_MEDIA_TYPE", f"{media_type!r} is not a media type such as application/pdf"
        )
    link = uri.strip()
    if len(link) > MAX_URI:
        raise ComplaintRecordRefused("INVALID_URI", f"a URI is at most {MAX_URI} characters")
    try:
        parts = urlsplit(link)
        host = parts.hostname
    except ValueError:
        raise ComplaintRecordRefused("INVALID_URI", f"{link!r} is not a URI") from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise ComplaintRecordRefused(
            "URI_NOT_HTTP",
            "an attachment is referenced by an absolute http:// or https:// URI "
            f"(not {parts.scheme + ':' if parts.scheme else link!r}); the file itself stays "
            "in the document store",
        )
    if parts.username is not None or parts.password is not None:
        raise ComplaintRecordRefused(
            "URI_WITH_CREDENTIALS", "an attachment URI may not carry a user name or password"
        )
    if any(ch.isspace() for ch in link):
        raise ComplaintRecordRefused("INVALID_URI", "a URI cannot contain spaces")
    label = staff_text(name, "name", required=False, limit=200) or None
    return AttachmentRef(sha256=digest, size=size, media_type=media, uri=link, name=label)


# -- root causes -------------------------------------------------------------------------------


class RootCause(StrEnum):
    """Why the complaint arose (投诉根因), the controlled list management reports on."""

    PRODUCT_DESIGN = "PRODUCT_DESIGN"
    SALES_CONDUCT = "SALES_CONDUCT"
    UNDERWRITING_RULES = "UNDERWRITING_RULES"
    CLAIMS_DECISION = "CLAIMS_DECISION"
    CLAIMS_PROCESS = "CLAIMS_PROCESS"
    SERVICE_ATTITUDE = "SERVICE_ATTITUDE"
    COMMUNICATION = "COMMUNICATION"
    SYSTEM_FAILURE = "SYSTEM_FAILURE"
    PARTNER = "PARTNER"
    CUSTOMER_MISUNDERSTANDING = "CUSTOMER_MISUNDERSTANDING"
    UNREASONABLE_DEMAND = "UNREASONABLE_DEMAND"
    OTHER = "OTHER"


ROOT_CAUSE_NAMES_ZH: dict[RootCause, str] = {
    RootCause.PRODUCT_DESIGN: "产品设计",
    RootCause.SALES_CONDUCT: "销售行为",
    RootCause.UNDERWRITING_RULES: "承保规则",
    RootCause.CLAIMS_DECISION: "理赔决定",
    RootCause.CLAIMS_PROCESS: "理赔流程",
    RootCause.SERVICE_ATTITUDE: "服务态度",
    RootCause.COMMUNICATION: "沟通解释不到位",
    RootCause.SYSTEM_FAILURE: "系统故障",
    RootCause.PARTNER: "合作机构（修理厂、代理人等）",
    RootCause.CUSTOMER_MISUNDERSTANDING: "客户误解",
    RootCause.UNREASONABLE_DEMAND: "诉求不合理",
    RootCause.OTHER: "其他",
}


# -- the contact log and callbacks (回访) -------------------------------------------------------


class ContactKind(StrEnum):
    """How the desk and the complainant were in touch."""

    INBOUND_CALL = "INBOUND_CALL"
    OUTBOUND_CALL = "OUTBOUND_CALL"
    CALLBACK = "CALLBACK"  # 回访: after the answer, asking whether the complainant is satisfied
    SMS = "SMS"
    EMAIL = "EMAIL"
    LETTER = "LETTER"
    VISIT = "VISIT"
    ONLINE_MESSAGE = "ONLINE_MESSAGE"


class Satisfaction(StrEnum):
    """What a callback found."""

    SATISFIED = "SATISFIED"
    BASICALLY_SATISFIED = "BASICALLY_SATISFIED"
    DISSATISFIED = "DISSATISFIED"
    UNREACHABLE = "UNREACHABLE"  # nobody answered: no opinion recorded


SATISFIED_RESULTS = frozenset({Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED})


def check_contact(kind: ContactKind, satisfaction: Satisfaction | None) -> None:
    """A callback records its result; other contacts carry none."""
    if kind is ContactKind.CALLBACK and satisfaction is None:
        raise ComplaintRecordRefused(
            "SATISFACTION_REQUIRED", "a callback (回访) records the satisfaction result"
        )
    if kind is not ContactKind.CALLBACK and satisfaction is not None:
        raise ComplaintRecordRefused(
            "SATISFACTION_ONLY_ON_CALLBACK", "only a callback (回访) records satisfaction"
        )


# -- close, reopen, merge ----------------------------------------------------------------------


class ClosureReason(StrEnum):
    """Why a complaint was closed (办结/归档)."""

    ANSWERED = "ANSWERED"  # answered (RESOLVED) and filed away
    WITHDRAWN = "WITHDRAWN"  # the complainant withdrew it (撤诉)
    UNREACHABLE = "UNREACHABLE"  # the complainant cannot be reached after repeated attempts
    NOT_A_COMPLAINT = "NOT_A_COMPLAINT"  # an enquiry or a suggestion, not a complaint


def check_close(status: ComplaintStatus, reason: ClosureReason) -> None:
    """An answered complaint closes as ANSWERED; an open one closes only for another reason
    (it was withdrawn, the complainant is unreachable, it was no complaint)."""
    if status in (ComplaintStatus.CLOSED, ComplaintStatus.MERGED):
        raise ComplaintRecordRefused(
            "ALREADY_FINISHED", f"the complaint is already {status.value.lower()}"
        )
    if reason is ClosureReason.ANSWERED and status is not ComplaintStatus.RESOLVED:
        raise ComplaintRecordRefused(
            "NOT_ANSWERED",
            "only a resolved complaint closes as ANSWERED; record the resolution first, or "
            "give the reason it closes unanswered (WITHDRAWN, UNREACHABLE, NOT_A_COMPLAINT)",
        )
    if reason is not ClosureReason.ANSWERED and status is ComplaintStatus.RESOLVED:
        raise ComplaintRecordRefused("ALREADY_ANSWERED", "a resolved complaint closes as ANSWERED")


def check_reopen(status: ComplaintStatus) -> None:
    """Only an answered or closed complaint reopens (a merged one lives on in its target)."""
    if status in OPEN_STATUSES:
        raise ComplaintRecordRefused(
            "NOT_FINISHED", f"the complaint is still open ({status.value}); nothing to reopen"
        )
    if status is ComplaintStatus.MERGED:
        raise ComplaintRecordRefused(
            "MERGED", "a merged complaint cannot reopen; reopen the one it was merged into"
        )


def reopened_due(now: datetime) -> datetime:
    """A reopened complaint is answered like a new one: 15 days from the reopening."""
    return now + timedelta(days=BASE_DAYS)


def check_merge(
    source_id: str, source_status: ComplaintStatus, target_id: str, target_status: ComplaintStatus
) -> None:
    """A duplicate merges into another open complaint: never into itself, never twice, and
    never into a finished or merged one."""
    if source_id == target_id:
        raise ComplaintRecordRefused("SELF_MERGE", "a complaint cannot be merged into itself")
    if source_status is ComplaintStatus.MERGED:
        raise ComplaintRecordRefused("ALREADY_MERGED", "the complaint was already merged")
    if source_status in FINISHED_STATUSES:
        raise ComplaintRecordRefused(
            "SOURCE_FINISHED",
            f"the complaint is {source_status.value.lower()}; only open complaints merge",
        )
    if target_status in FINISHED_STATUSES:
        raise ComplaintRecordRefused(
            "TARGET_FINISHED",
            f"the complaint to merge into is {target_status.value.lower()}; reopen it first",
        )


@dataclass(frozen=True)
class Clock:
    """A complaint's deadline clock: when it started, when it is due, how often extended."""

    received_at: datetime
    started_at: datetime  # received_at, or the last reopening
    due_at: datetime
    extensions: int


def merged_clock(source: Clock, target: Clock) -> Clock:
    """The clock of a complaint after a duplicate merged into it: the earlier receipt, and
    the deadline of whichever clock started first (the complainant has waited since then)."""
    earliest = source if source.started_at < target.started_at else target
    return Clock(
        received_at=min(source.received_at, target.received_at),
        started_at=earliest.started_at,
        due_at=earliest.due_at,
        extensions=earliest.extensions,
    )


def open_status(clock: Clock) -> ComplaintStatus:
    """The open status a clock implies (a deadline already past is for the overdue sweep to
    mark and announce, as for any complaint)."""
    return ComplaintStatus.EXTENDED if clock.extensions else ComplaintStatus.OPEN

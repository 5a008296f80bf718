"""The regulator's consumer-complaint categories and how they map to the desk's five.

The desk files complaints in five coarse categories (``ComplaintCategory``). The National
Financial Regulatory Administration (国家金融监督管理总局, NFRA) counts insurance consumer
complaints in finer ones: first whether the complaint is a contract dispute (保险合同纠纷)
or alleges a breach of law or regulation (涉嫌违法违规), then what the dispute is about
(理赔纠纷, 销售纠纷, 退保纠纷, 承保纠纷...). This module is the documented mapping:

* every NFRA category belongs to exactly one coarse category (``NFRA_CATEGORIES``), so a
  complaint filed with a fine category gets its coarse one for free, and the two never
  disagree;
* every coarse category has a fallback NFRA category (``FALLBACK``, the "other" line of that
  group), used for complaints filed with a coarse category only, so that the regulator report
  always accounts for every complaint.

The categories follow the groupings of the regulator's published complaint bulletins
(理赔金额争议, 保险责任认定争议, 理赔时效, 销售误导, 营销扰民, 退保纠纷, 保全纠纷...). An
installation whose reporting template differs changes this table; nothing else depends on
the individual codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from models.errors import InvalidInput
from models.records import ComplaintCategory


class NfraKind(StrEnum):
    """The regulator's first split of complaints."""

    CONTRACT_DISPUTE = "CONTRACT_DISPUTE"  # 保险合同纠纷
    SUSPECTED_VIOLATION = "SUSPECTED_VIOLATION"  # 涉嫌违法违规


class NfraCategory(StrEnum):
    """What a complaint is about, in the regulator's scheme."""

    CLAIM_AMOUNT = "CLAIM_AMOUNT"
    CLAIM_LIABILITY = "CLAIM_LIABILITY"
    CLAIM_TIMELINESS = "CLAIM_TIMELINESS"
    CLAIM_PROCEDURE = "CLAIM_PROCEDURE"
    CLAIM_OTHER = "CLAIM_OTHER"
    SALES_MISREPRESENTATION = "SALES_MISREPRESENTATION"
    SALES_HARASSMENT = "SALES_HARASSMENT"
    SALES_UNAUTHORISED = "SALES_UNAUTHORISED"
    SALES_OTHER = "SALES_OTHER"
    UNDERWRITING_PREMIUM = "UNDERWRITING_PREMIUM"
    UNDERWRITING_POLICY_ISSUE = "UNDERWRITING_POLICY_ISSUE"
    SURRENDER = "SURRENDER"
    UNDERWRITING_OTHER = "UNDERWRITING_OTHER"
    POLICY_SERVICE = "POLICY_SERVICE"
    SERVICE_QUALITY = "SERVICE_QUALITY"
    SERVICE_OTHER = "SERVICE_OTHER"
    VIOLATION_SALES = "VIOLATION_SALES"
    VIOLATION_CLAIMS = "VIOLATION_CLAIMS"
    VIOLATION_PERSONAL_INFORMATION = "VIOLATION_PERSONAL_INFORMATION"
    VIOLATION_OTHER = "VIOLATION_OTHER"
    OTHER = "OTHER"


@dataclass(frozen=True)
class NfraCategoryInfo:
    """One NFRA category: its kind, the coarse category it maps to, and its names."""

    kind: NfraKind
    coarse: ComplaintCategory
    name_zh: str
    name_en: str


_C = NfraKind.CONTRACT_DISPUTE
_V = NfraKind.SUSPECTED_VIOLATION
_CLAIMS = ComplaintCategory.CLAIMS
_SALES = ComplaintCategory.SALES
_UW = ComplaintCategory.UNDERWRITING
_SERVICE = ComplaintCategory.SERVICE
_OTHER = ComplaintCategory.OTHER

# In report order: contract disputes by group, then suspected violations, then the rest.
NFRA_CATEGORIES: dict[NfraCategory, NfraCategoryInfo] = {
    NfraCategory.CLAIM_AMOUNT: NfraCategoryInfo(_C, _CLAIMS, "理赔金额争议", "claim amount"),
    NfraCategory.CLAIM_LIABILITY: NfraCategoryInfo(
        _C, _CLAIMS, "保险责任认定争议", "liability decision"
    ),
    NfraCategory.CLAIM_TIMELINESS: NfraCategoryInfo(_C, _CLAIMS, "理赔时效", "claim delay"),
    NfraCategory.CLAIM_PROCEDURE: NfraCategoryInfo(_C, _CLAIMS, "理赔手续繁琐", "claim procedure"),
    NfraCategory.CLAIM_OTHER: NfraCategoryInfo(_C, _CLAIMS, "其他理赔纠纷", "other claims"),
    NfraCategory.SALES_MISREPRESENTATION: NfraCategoryInfo(
        _C, _SALES, "销售误导", "misrepresentation"
    ),
    NfraCategory.SALES_HARASSMENT: NfraCategoryInfo(_C, _SALES, "营销扰民", "marketing harassment"),
    NfraCategory.SALES_UNAUTHORISED: NfraCategoryInfo(
        _C, _SALES, "未经同意投保或续保", "cover without consent"
    ),
    NfraCategory.SALES_OTHER: NfraCategoryInfo(_C, _SALES, "其他销售纠纷", "other sales"),
    NfraCategory.UNDERWRITING_PREMIUM: NfraCategoryInfo(
        _C, _UW, "保费计算争议", "premium calculation"
    ),
    NfraCategory.UNDERWRITING_POLICY_ISSUE: NfraCategoryInfo(
        _C, _UW, "保单出具与送达", "policy issue"
    ),
    NfraCategory.SURRENDER: NfraCategoryInfo(_C, _UW, "退保纠纷", "surrender"),
    NfraCategory.UNDERWRITING_OTHER: NfraCategoryInfo(
        _C, _UW, "其他承保纠纷", "other underwriting"
    ),
    NfraCategory.POLICY_SERVICE: NfraCategoryInfo(_C, _SERVICE, "保全批改纠纷", "policy changes"),
    NfraCategory.SERVICE_QUALITY: NfraCategoryInfo(_C, _SERVICE, "服务质量", "service quality"),
    NfraCategory.SERVICE_OTHER: NfraCategoryInfo(_C, _SERVICE, "其他服务纠纷", "other service"),
    NfraCategory.VIOLATION_SALES: NfraCategoryInfo(
        _V, _SALES, "涉嫌销售违法违规", "suspected sales violation"
    ),
    NfraCategory.VIOLATION_CLAIMS: NfraCategoryInfo(
        _V, _CLAIMS, "涉嫌理赔违法违规", "suspected claims violation"
    ),
    NfraCategory.VIOLATION_PERSONAL_INFORMATION: NfraCategoryInfo(
        _V, _SERVICE, "涉嫌侵害个人信息", "suspected personal-information breach"
    ),
    NfraCategory.VIOLATION_OTHER: NfraCategoryInfo(
        _V, _OTHER, "其他涉嫌违法违规", "other suspected violation"
    ),
    NfraCategory.OTHER: NfraCategoryInfo(_C, _OTHER, "其他", "other"),
}

# The NFRA category of a complaint filed with a coarse category only.
FALLBACK: dict[ComplaintCategory, NfraCategory] = {
    ComplaintCategory.CLAIMS: NfraCategory.CLAIM_OTHER,
    ComplaintCategory.SALES: NfraCategory.SALES_OTHER,
    ComplaintCategory.UNDERWRITING: NfraCategory.UNDERWRITING_OTHER,
    ComplaintCategory.SERVICE: NfraCategory.SERVICE_OTHER,
    ComplaintCategory.OTHER: NfraCategory.OTHER,
}

KIND_NAMES_ZH: dict[NfraKind, str] = {
    NfraKind.CONTRACT_DISPUTE: "保险合同纠纷",
    NfraKind.SUSPECTED_VIOLATION: "涉嫌违法违规",
}


class CategoryMismatch(InvalidInput):
    """A fine category given together with a coarse one it does not belong to."""


def coarse_category(fine: NfraCategory) -> ComplaintCategory:
    """The desk's category of an NFRA category."""
    return NFRA_CATEGORIES[fine].coarse


def nfra_category(coarse: ComplaintCategory, stored: str | None) -> NfraCategory:
    """A complaint's NFRA category: the stored one, else the fallback of its coarse category
    (complaints filed before fine categories existed, or with a coarse one only)."""
    if stored:
        try:
            return NfraCategory(stored)
        except ValueError:
            pass
    return FALLBACK[coarse]


def categories_for_filing(
    coarse: ComplaintCategory | None, fine: NfraCategory | None
) -> tuple[ComplaintCategory, NfraCategory | None]:
    """The coarse and fine category a filing records: either may be given; together they
    must agree (CategoryMismatch), and at least one is needed (InvalidInput)."""
    if fine is None:
        if coarse is None:
            raise InvalidInput("a complaint needs a category or an NFRA category")
        return coarse, None
    mapped = coarse_category(fine)
    if coarse is not None and coarse is not mapped:
        raise CategoryMismatch(
            f"NFRA category {fine.value} ({NFRA_CATEGORIES[fine].name_zh}) belongs to "
            f"{mapped.value}, not {coarse.value}"
        )
    return mapped, fine

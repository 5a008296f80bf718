"""Every reason text people read, in Chinese and English: one table, chosen per caller.

Watchlist reasons (what frontline staff see in an attention flag, what a renewal decision
cites), renewal actions, the legal limit a line of business puts on a renewal decision, and
why a handling guide was suggested.
Resolvers look texts up here by code and language; no reason wording lives anywhere else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from models.renewal import RenewalAction
from models.renewal_disclosure import NAME_ONLY_CODE
from models.watchlist import WatchlistReason


class Language(StrEnum):
    """The languages reason texts are written in."""

    ZH = "zh"
    EN = "en"


@dataclass(frozen=True)
class ReasonText:
    """One reason in both languages; ``{name}`` fields are filled by :meth:`render`."""

    zh: str
    en: str

    def render(self, language: Language, **values: str) -> str:
        """The text in ``language`` with its fields filled."""
        template = self.zh if language is Language.ZH else self.en
        return template.format(**values) if values else template


# The code of the note a renewal decision carries when a line's legal limit changed it.
LEGAL_LIMIT = "LEGAL_LIMIT"
# Why a handling guide was suggested for what a customer said.
GUIDE_KEYWORDS = "GUIDE_KEYWORDS"
GUIDE_FALLBACK = "GUIDE_FALLBACK"

REASON_TEXTS: dict[str, ReasonText] = {
    WatchlistReason.REPEAT_COMPLAINANT.value: ReasonText(
        zh="近期多次投诉：请格外用心，力争首次接触即解决问题。",
        en="Has complained many times recently: take extra care to resolve issues at first "
        "contact.",
    ),
    WatchlistReason.REGULATOR_ESCALATION_AFTER_CLEAR_DENIAL.value: ReasonText(
        zh="曾将依据明确的理赔决定投诉至监管部门：请保留书面记录，尽早请主管介入。",
        en="Escalated a clearly justified claim decision to the regulator: keep written records "
        "and involve a supervisor early.",
    ),
    WatchlistReason.FRAUD_LINKED.value: ReasonText(
        zh="与正在调查的涉嫌欺诈案件有关联：请严格按流程办理，不要对理赔作任何承诺。",
        en="Connected to a case under fraud investigation: follow procedures strictly and make "
        "no commitments on claims.",
    ),
    WatchlistReason.SHARED_IDENTIFIER_RING.value: ReasonText(
        zh="与其他受审查的投保人共用联系方式或支付信息：请仔细核实身份。",
        en="Shares contact or payment details with other policyholders under review: verify "
        "identity carefully.",
    ),
    WatchlistReason.REPAIR_SHOP_COMPLAINT_CLUSTER.value: ReasonText(
        zh="该修理厂近期客户投诉集中：请仔细核查维修质量和单据。",
        en="Repair shop with a recent cluster of customer complaints: check repair quality and "
        "paperwork closely.",
    ),
    WatchlistReason.MANUAL.value: ReasonText(
        zh="风险管理部门标记为需特别关注。",
        en="Flagged by the risk team for special attention.",
    ),
    NAME_ONLY_CODE: ReasonText(
        zh="有同名或姓名相近的人需要人工核实；请提供身份证号、手机号、车牌或客户号以自动判断。",
        en="Someone with a similar name needs a manual check; send an ID number, phone, plate or "
        "customer number to decide without one.",
    ),
    LEGAL_LIMIT: ReasonText(
        zh="依照法律规定，{product}的续保决定最严格只能为「{allowed}」，不得拒绝或拖延承保："
        "原应为「{wanted}」，已调整为「{allowed}」。",
        en="The law allows at most {allowed} for a {product} renewal (it may not be refused or "
        "delayed): {wanted} became {allowed}.",
    ),
    GUIDE_KEYWORDS: ReasonText(
        zh="客户所说的话命中了该指引的关键词：{keywords}。",
        en="What the customer said contains this guide's keywords: {keywords}.",
    ),
    GUIDE_FALLBACK: ReasonText(
        zh="没有指引的关键词被命中；这是「{category}」类的通用指引。",
        en="No guide's keywords matched; this is the general guide for {category}.",
    ),
}

ACTION_TEXTS: dict[RenewalAction, ReasonText] = {
    RenewalAction.RENEW: ReasonText(zh="续保", en="RENEW"),
    RenewalAction.RENEW_WITH_CONDITIONS: ReasonText(zh="附条件续保", en="RENEW_WITH_CONDITIONS"),
    RenewalAction.REVIEW: ReasonText(zh="人工审核", en="REVIEW"),
    RenewalAction.DECLINE: ReasonText(zh="拒绝续保", en="DECLINE"),
}


def reason_text(code: str, language: Language) -> str:
    """The plain words for a watchlist reason code; an unknown code is returned as it is."""
    text = REASON_TEXTS.get(code)
    return text.render(language) if text is not None else code


def guide_reason_text(keywords: Sequence[str], category: str, language: Language) -> str:
    """Why a guide was suggested: the keywords found, or that it is its category's fallback."""
    if keywords:
        joiner = "、" if language is Language.ZH else ", "
        return REASON_TEXTS[GUIDE_KEYWORDS].render(language, keywords=joiner.join(keywords))
    return REASON_TEXTS[GUIDE_FALLBACK].render(language, category=category)


def legal_limit_text(
    product: str, wanted: RenewalAction, allowed: RenewalAction, language: Language
) -> str:
    """Why a line's legal limit changed a renewal decision, in ``language``."""
    return REASON_TEXTS[LEGAL_LIMIT].render(
        language,
        product=product,
        wanted=ACTION_TEXTS[wanted].render(language),
        allowed=ACTION_TEXTS[allowed].render(language),
    )

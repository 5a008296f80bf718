"""Lines of business in a renewal check: the strongest action the law allows per line.

Compulsory motor insurance (交强险) may not be refused or delayed (机动车交通事故责任强制保险条例,
art. 10: 被选择的保险公司不得拒绝或者拖延承保), so a renewal check for that line never answers
DECLINE, nor REVIEW (a person deciding later is a delay): the decision is capped at
RENEW_WITH_CONDITIONS, the strongest action the law allows, and says so. Commercial lines
have no such limit (DECLINE). The table is ``RISKWATCH_RENEWAL_LEGAL_LIMITS`` (JSON, line ->
strongest action), merged over :data:`DEFAULT_LEGAL_LIMITS` line by line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from models.errors import InvalidInput
from models.identity import fold_width
from models.renewal import SEVERITY, RenewalAction

T = TypeVar("T")

COMPULSORY_MOTOR = "交强险"

DEFAULT_LEGAL_LIMITS: dict[str, str] = {
    COMPULSORY_MOTOR: RenewalAction.RENEW_WITH_CONDITIONS.value,
    "机动车交通事故责任强制保险": RenewalAction.RENEW_WITH_CONDITIONS.value,
    "机动车商业险": RenewalAction.DECLINE.value,
    "车损险": RenewalAction.DECLINE.value,
    "第三者责任险": RenewalAction.DECLINE.value,
    "车上人员责任险": RenewalAction.DECLINE.value,
    "企业财产险": RenewalAction.DECLINE.value,
    "家庭财产险": RenewalAction.DECLINE.value,
    "责任险": RenewalAction.DECLINE.value,
    "意外伤害险": RenewalAction.DECLINE.value,
    "健康险": RenewalAction.DECLINE.value,
}

_SPACE = re.compile(r"\s+")


class UnknownProductLine(InvalidInput):
    """A product that is not a configured line of business."""


def line_key(product: str) -> str:
    """The form lines are compared in: widths folded, whitespace removed, lower case."""
    return _SPACE.sub("", fold_width(product)).lower()


def legal_limits(configured: Mapping[str, RenewalAction | str]) -> dict[str, RenewalAction]:
    """The defaults with the configured lines over them, keyed by :func:`line_key`."""
    merged: dict[str, RenewalAction] = {}
    for table in (DEFAULT_LEGAL_LIMITS, configured):
        for product, action in table.items():
            merged[line_key(product)] = RenewalAction(action)
    return merged


@dataclass(frozen=True)
class LineOfBusiness:
    """A product line as a renewal check sees it: its name and the strongest action allowed."""

    product: str
    strongest_allowed: RenewalAction


def line_of_business(product: str, limits: Mapping[str, RenewalAction]) -> LineOfBusiness:
    """The line ``product`` names; UnknownProductLine (listing the known lines) otherwise."""
    key = line_key(product)
    if not key:
        raise UnknownProductLine("product: empty; leave it out or name a line of business")
    if key not in limits:
        known = "、".join(sorted(limits))
        raise UnknownProductLine(
            f"product: {product.strip()!r} is not a known line of business (known: {known}); "
            "configure it in RISKWATCH_RENEWAL_LEGAL_LIMITS"
        )
    return LineOfBusiness(product=product.strip(), strongest_allowed=limits[key])


def cap_action(action: RenewalAction, line: LineOfBusiness) -> RenewalAction:
    """``action``, or the line's strongest allowed action when ``action`` goes beyond it."""
    if SEVERITY[action] > SEVERITY[line.strongest_allowed]:
        return line.strongest_allowed
    return action


@dataclass(frozen=True)
class LimitedDecision(Generic[T]):
    """A decision after the line's limit: the action, per reason its action and the action it
    would have been (None when unchanged), and the action the decision would have been."""

    action: RenewalAction
    reasons: list[tuple[T, RenewalAction, RenewalAction | None]]
    wanted: RenewalAction

    @property
    def limited(self) -> bool:
        """Whether the line's legal limit changed the decision."""
        return self.action is not self.wanted


def apply_legal_limit(
    action: RenewalAction,
    reasons: Sequence[tuple[T, RenewalAction]],
    line: LineOfBusiness | None,
) -> LimitedDecision[T]:
    """The decision with every action capped at what ``line`` allows (unchanged without one)."""
    if line is None:
        return LimitedDecision(action, [(entry, act, None) for entry, act in reasons], action)
    capped: list[tuple[T, RenewalAction, RenewalAction | None]] = []
    for entry, act in reasons:
        allowed = cap_action(act, line)
        capped.append((entry, allowed, act if allowed is not act else None))
    return LimitedDecision(cap_action(action, line), capped, action)

"""Renewal checks: the contract renewal systems code against (the ``renewal`` role).

A decision carries its action, the reasons behind it (reason code, plain words in English or
Chinese, entry id) and the parties matched, masked, revealing only what concerns identifiers
the caller sent; keys that probe are refused (``models.renewal_disclosure``,
``api.probing_guard``). Invalid identities are a result in the schema, not an error. An
optional ``product`` (line of business) caps the action at what the law allows for that line
(``models.renewal_lines``: 交强险 may not be refused).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.auth import allow
from api.context import Context
from api.probing_guard import ProbingGuard
from api.schema.language import Language
from graph.network.renewal import Decision, RenewalRepository
from models.errors import InvalidInput
from models.identity import InvalidIdentifier
from models.reason_texts import legal_limit_text, reason_text
from models.renewal import DEFAULT_ACTIONS, IdentityKeys, RenewalAction, identity_keys
from models.renewal_disclosure import disclose_match, disclose_reasons
from models.renewal_lines import LineOfBusiness, apply_legal_limit, legal_limits, line_of_business
from models.roles import Role

# Registered under their GraphQL names: strawberry marks the Enum class itself, so fields
# are annotated with the Enum (no alias, nothing for mypy to ignore).
strawberry.enum(RenewalAction, name="RenewalAction")


@strawberry.input
class IdentityInput:
    name: str | None = None
    id_number: str | None = None
    phone: str | None = None
    plate: str | None = None
    customer_no: str | None = None


@strawberry.type
class RenewalReason:
    code: str
    entry_id: strawberry.ID | None = strawberry.field(
        description="The watchlist entry; null for a party matched on its name alone."
    )
    entry_status: str
    action: RenewalAction
    limited_from: RenewalAction | None = strawberry.field(
        default=None,
        description="The action this entry asked for when the line's legal limit lowered it.",
    )

    @strawberry.field(description="The reason in plain words (English unless asked for ZH).")
    def text(self, language: Language = Language.EN) -> str:
        return reason_text(self.code, Language(language))


@strawberry.type(description="The legal limit of the line of business lowered the decision.")
class LegalLimit:
    product: str
    strongest_allowed: RenewalAction
    wanted: RenewalAction = strawberry.field(
        description="What the decision would have been without the limit."
    )

    @strawberry.field(description="Why, in plain words (English unless asked for ZH).")
    def text(self, language: Language = Language.EN) -> str:
        return legal_limit_text(
            self.product,
            RenewalAction(self.wanted),
            RenewalAction(self.strongest_allowed),
            Language(language),
        )


@strawberry.type
class PartyMatch:
    party_id: strawberry.ID
    masked_name: str | None = strawberry.field(description="Only when a name was sent.")
    masked_id_number: str | None = strawberry.field(
        description="Only when the ID number sent matched this party."
    )
    masked_phone: str | None = strawberry.field(
        description="Only when the phone sent matched this party."
    )
    score: float = strawberry.field(description="0..1 confidence that this is the party meant.")
    matched_on: list[str]


@strawberry.type
class RenewalDecision:
    action: RenewalAction
    reasons: list[RenewalReason]
    matches: list[PartyMatch]
    checked_at: datetime
    product: str | None = strawberry.field(
        default=None, description="The line of business checked for, when one was given."
    )
    legal_limit: LegalLimit | None = strawberry.field(
        default=None, description="Set when the line's legal limit lowered the action."
    )


@strawberry.type
class InvalidIdentity:
    message: str
    field: str | None


RenewalCheckResult = Annotated[
    RenewalDecision | InvalidIdentity, strawberry.union("RenewalCheckResult")
]


def _fields(identity: IdentityInput) -> dict[str, str | None]:
    return {
        "name": identity.name,
        "idNumber": identity.id_number,
        "phone": identity.phone,
        "plate": identity.plate,
        "customerNo": identity.customer_no,
    }


def _matched_fields(decision: Decision) -> set[str]:
    return {field for match in decision.matches for field in match.matched_on}


def _invalid(error: InvalidIdentifier) -> InvalidIdentity:
    field, sep, _ = error.message.partition(":")
    known = {"name", "idNumber", "phone", "plate", "customerNo"}
    return InvalidIdentity(message=error.message, field=field if sep and field in known else None)


def _decision(
    decision: Decision, line: LineOfBusiness | None, sent: dict[str, str | None]
) -> RenewalDecision:
    sent_fields = [field for field, value in sent.items() if value and value.strip()]
    shown = [disclose_match(match, sent_fields) for match in decision.matches]
    disclosed = disclose_reasons(decision.matches, decision.reasons)
    limited = apply_legal_limit(decision.action, [(r, r.action) for r in disclosed], line)
    return RenewalDecision(
        action=limited.action,
        reasons=[
            RenewalReason(
                code=reason.code,
                entry_id=strawberry.ID(reason.entry_id) if reason.entry_id else None,
                entry_status=reason.entry_status,
                action=action,
                limited_from=wanted,
            )
            for reason, action, wanted in limited.reasons
        ],
        matches=[
            PartyMatch(
                party_id=strawberry.ID(match.party_id),
                masked_name=match.masked_name,
                masked_id_number=match.masked_id_number,
                masked_phone=match.masked_phone,
                score=match.score,
                matched_on=list(match.matched_on),
            )
            for match in shown
            if match is not None
        ],
        checked_at=decision.checked_at,
        product=line.product if line else None,
        legal_limit=(
            LegalLimit(
                product=line.product, strongest_allowed=limited.action, wanted=limited.wanted
            )
            if line and limited.limited
            else None
        ),
    )


async def _check(
    info: Info[Context, None], identities: list[IdentityInput], product: str | None = None
) -> list[RenewalDecision | InvalidIdentity]:
    settings = info.context.services.settings
    line = (
        line_of_business(product, legal_limits(settings.renewal.legal_limits))
        if product is not None
        else None
    )
    guard = ProbingGuard(info.context)
    results: list[RenewalDecision | InvalidIdentity | None] = []
    valid: list[tuple[int, IdentityKeys]] = []
    for i, identity in enumerate(identities):
        try:
            valid.append((i, identity_keys(settings.identity_key, _fields(identity))))
            results.append(None)
        except InvalidIdentifier as error:
            results.append(_invalid(error))
    # The configured mapping overrides the defaults reason by reason.
    actions = {**DEFAULT_ACTIONS}
    actions.update({reason: action.value for reason, action in settings.renewal.actions.items()})
    # Whether the key is blocked is read beside the lookup (one round trip, not two); nothing
    # is answered before both have ended, and a blocked key's answers are never shown.
    decisions, admitted = await asyncio.gather(
        info.context.repo(RenewalRepository).check(
            [keys for _, keys in valid], actions, datetime.now(UTC)
        ),
        guard.admit(),
        return_exceptions=True,
    )
    for outcome in (admitted, decisions):
        if isinstance(outcome, BaseException):
            raise outcome
    assert isinstance(decisions, list)
    checked = [(_fields(identities[i]), d) for (i, _), d in zip(valid, decisions, strict=True)]
    # Refuses every answer when the key is probing.
    await guard.account((fields, _matched_fields(d)) for fields, d in checked)
    for (i, _), (fields, decision) in zip(valid, checked, strict=True):
        results[i] = _decision(decision, line, fields)
    return [result for result in results if result is not None]


RENEWAL = allow(Role.RENEWAL)
Product = Annotated[
    str | None,
    strawberry.argument(
        description="The line of business renewed (e.g. 交强险): the action is capped at what "
        "the law allows for it (RISKWATCH_RENEWAL_LEGAL_LIMITS); unknown lines are refused."
    ),
]


@strawberry.type
class RenewalQuery:
    @strawberry.field(
        permission_classes=RENEWAL,
        description="Whether to renew a policy for this holder, with reasons and matches.",
    )
    async def renewal_check(
        self, info: Info[Context, None], identity: IdentityInput, product: Product = None
    ) -> RenewalCheckResult:
        return (await _check(info, [identity], product))[0]

    @strawberry.field(
        permission_classes=RENEWAL,
        description="Up to 1,000 renewal checks, answered in the order asked.",
    )
    async def renewal_check_batch(
        self, info: Info[Context, None], identities: list[IdentityInput], product: Product = None
    ) -> list[RenewalCheckResult]:
        limit = info.context.services.settings.renewal.batch_max
        if len(identities) > limit:
            raise InvalidInput(f"at most {limit:,} identities per batch")
        return await _check(info, identities, product)

"""Renewal checks: the contract renewal systems code against (the ``renewal`` role).

A decision carries its action, the reasons behind it (reason code, plain words, entry id) and
the parties matched, masked. Invalid identities are a result in the schema, not an error.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.auth import allow
from api.context import Context
from graph.renewal import Decision, RenewalRepository
from models.errors import InvalidInput
from models.identity import InvalidIdentifier
from models.renewal import DEFAULT_ACTIONS, IdentityKeys, RenewalAction, identity_keys
from models.roles import Role
from models.watchlist import PLAIN_WORDS, WatchlistReason, mask_name

RenewalActionType = strawberry.enum(RenewalAction, name="RenewalAction")


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
    text: str
    entry_id: strawberry.ID
    entry_status: str
    action: RenewalActionType  # type: ignore[valid-type]


@strawberry.type
class PartyMatch:
    party_id: strawberry.ID
    masked_name: str
    masked_id_number: str | None
    masked_phone: str | None
    score: float = strawberry.field(description="0..1 confidence that this is the party meant.")
    matched_on: list[str]


@strawberry.type
class RenewalDecision:
    action: RenewalActionType  # type: ignore[valid-type]
    reasons: list[RenewalReason]
    matches: list[PartyMatch]
    checked_at: datetime


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


def _invalid(error: InvalidIdentifier) -> InvalidIdentity:
    field, sep, _ = error.message.partition(":")
    known = {"name", "idNumber", "phone", "plate", "customerNo"}
    return InvalidIdentity(message=error.message, field=field if sep and field in known else None)


def _reason_text(code: str) -> str:
    try:
        return PLAIN_WORDS[WatchlistReason(code)]
    except ValueError:
        return code


def _decision(decision: Decision) -> RenewalDecision:
    return RenewalDecision(
        action=decision.action,
        reasons=[
            RenewalReason(
                code=entry.reason,
                text=_reason_text(entry.reason),
                entry_id=strawberry.ID(entry.id),
                entry_status=entry.status,
                action=action,
            )
            for entry, action in decision.reasons
        ],
        matches=[
            PartyMatch(
                party_id=strawberry.ID(match.party_id),
                masked_name=mask_name(match.name),
                masked_id_number=match.id_masked,
                masked_phone=match.phone_masked,
                score=match.score,
                matched_on=sorted(match.matched_on),
            )
            for match in decision.matches
        ],
        checked_at=decision.checked_at,
    )


async def _check(
    info: Info[Context, None], identities: list[IdentityInput]
) -> list[RenewalDecision | InvalidIdentity]:
    settings = info.context.services.settings
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
    actions.update({reason: action.value for reason, action in settings.renewal_actions.items()})
    decisions = await info.context.repo(RenewalRepository).check(
        [keys for _, keys in valid], actions, datetime.now(UTC)
    )
    for (i, _), decision in zip(valid, decisions, strict=True):
        results[i] = _decision(decision)
    return [result for result in results if result is not None]


RENEWAL = allow(Role.RENEWAL)


@strawberry.type
class RenewalQuery:
    @strawberry.field(
        permission_classes=RENEWAL,
        description="Whether to renew a policy for this holder, with reasons and matches.",
    )
    async def renewal_check(
        self, info: Info[Context, None], identity: IdentityInput
    ) -> RenewalCheckResult:
        return (await _check(info, [identity]))[0]

    @strawberry.field(
        permission_classes=RENEWAL,
        description="Up to 1,000 renewal checks, answered in the order asked.",
    )
    async def renewal_check_batch(
        self, info: Info[Context, None], identities: list[IdentityInput]
    ) -> list[RenewalCheckResult]:
        limit = info.context.services.settings.renewal_batch_max
        if len(identities) > limit:
            raise InvalidInput(f"at most {limit:,} identities per batch")
        return await _check(info, identities)

"""What a crisis case's closing review shows each role (issue 19).

The review gathers the case's timeline, mentions, related complaints and the graph
neighbourhood of its subjects, two hops out. Those hops cross into other teams' domains: a
case about a repair shop reaches the shop's watchlist entries, its claims and their
policies, the rings it belongs to, the customers who complained and the joint reviews of
their complaints. The crisis roles differ:

- **admin and risk** see the whole neighbourhood: it is their domain;
- **every other role** (PR, and any role added later) sees the business parties (repair
  shops, agents, brokers, dealers, loss adjusters), the media subjects and complaints by
  number only, and only through paths that stay within those: no watchlist entries, rings,
  claims, policies, customers (personal data), joint reviews or complaint wording. The
  related complaints list shows numbers, channels, statuses and categories, never wording.
"""

from __future__ import annotations

from graph.access.apikeys import Principal
from graph.labels import Label
from models.roles import Role

FULL_REVIEW_ROLES = frozenset({Role.ADMIN, Role.RISK})

PUBLIC_FACING_LABELS = frozenset(
    label.value
    for label in (
        Label.PARTY,
        Label.REPAIR_SHOP,
        Label.AGENT,
        Label.BROKER,
        Label.DEALER,
        Label.ADJUSTER,
        Label.SUBJECT,
        Label.COMPLAINT,
    )
)


def neighbourhood_labels(principal: Principal | None) -> frozenset[str] | None:
    """The node labels the review may show and walk through; None: all of them."""
    if principal is not None and principal.role in FULL_REVIEW_ROLES:
        return None
    return PUBLIC_FACING_LABELS

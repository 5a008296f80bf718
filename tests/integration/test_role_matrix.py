"""End to end: each operation refuses exactly the roles its declaration leaves out.

For every root field a minimal operation is built from the schema (dummy values for required
arguments, ``__typename`` as the selection) and sent with a key of every role, over HTTP and
over a websocket. A role outside the declaration must get FORBIDDEN; a role inside it must
never get FORBIDDEN (it may get another error, e.g. NOT_FOUND for a dummy id). New operations
are covered automatically.

Nested fields are how one domain leads into another: no role may reach the object types of a
domain it may not read, through any field (checked on the schema), and the crisis review's
graph neighbourhood, whose nodes are data rather than types, shows each role only its scope
(checked on a case about a repair shop with everything around it).
"""

from __future__ import annotations

import json
from typing import Any

import anyio
import httpx
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
    Undefined,
    get_named_type,
)
from websockets.asyncio.client import ClientConnection

from api.review_scope import FULL_REVIEW_ROLES, PUBLIC_FACING_LABELS
from api.schema import build_schema
from api.schema.role_matrix import role_matrix
from graph.client import Graph
from graph.complaints.lifecycle import ComplaintRepository, NewComplaint
from graph.watchlist.entries import WatchlistRepository
from models.records import ComplaintCategory, ComplaintChannel, PartyKind, party_id
from models.roles import Role
from models.watchlist import WatchlistReason
from tests.integration.complaint_fixtures import write_small_book
from tests.integration.conftest import KeyFactory, LiveServer, gql
from tests.integration.crisis_fixtures import EPOCH, MovableClock, make_detector
from tests.integration.media_graph import StoryRow, standard_media
from tests.integration.ws_client import open_socket, subscribe_message

SCALAR_DUMMIES = {
    "String": '"x"',
    "ID": '"x"',
    "Int": "1",
    "Float": "1.0",
    "Boolean": "false",
    "DateTime": '"2026-01-01T00:00:00+00:00"',
    "Date": '"2026-01-01"',
    "JSON": "{}",
    "Decimal": '"1"',
}


def _dummy(type_: GraphQLInputType) -> str:
    if isinstance(type_, GraphQLNonNull):
        return _dummy(type_.of_type)
    if isinstance(type_, GraphQLList):
        return f"[{_dummy(type_.of_type)}]"
    if isinstance(type_, GraphQLEnumType):
        return str(next(iter(type_.values)))
    if isinstance(type_, GraphQLInputObjectType):
        required = [
            f"{name}: {_dummy(field.type)}"
            for name, field in type_.fields.items()
            # An input field without a default has ``Undefined`` (not None) as its default.
            if isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined
        ]
        return "{" + ", ".join(required) + "}"
    assert isinstance(type_, GraphQLScalarType)
    return SCALAR_DUMMIES.get(type_.name, '"x"')


def _operations() -> list[tuple[str, str, frozenset[Role]]]:
    schema = build_schema()
    graphql_schema = schema._schema
    found = []
    for op in role_matrix(schema):
        if op.root == "Subscription":
            continue  # websocket auth is tested with the subscriptions themselves
        root_type = (
            graphql_schema.query_type if op.root == "Query" else graphql_schema.mutation_type
        )
        assert root_type is not None
        field = root_type.fields[op.graphql_name]
        args = [
            f"{name}: {_dummy(arg.type)}"
            for name, arg in field.args.items()
            if isinstance(arg.type, GraphQLNonNull)
        ]
        call = op.graphql_name + (f"({', '.join(args)})" if args else "")
        returned = get_named_type(field.type)
        selection = (
            "" if isinstance(returned, GraphQLScalarType | GraphQLEnumType) else " { __typename }"
        )
        keyword = "query" if op.root == "Query" else "mutation"
        found.append((op.graphql_name, f"{keyword} {{ {call}{selection} }}", op.roles))
    return found


async def test_every_operation_refuses_exactly_the_undeclared_roles(
    client: httpx.AsyncClient, make_key: KeyFactory
) -> None:
    keys = {role: await make_key(role) for role in Role}
    wrong: list[str] = []
    for name, document, allowed in _operations():
        for role, key in keys.items():
            body = (await gql(client, key, document)).json()
            codes = {e.get("extensions", {}).get("code") for e in body.get("errors") or []}
            forbidden = "FORBIDDEN" in codes
            if forbidden == (role in allowed):
                wrong.append(f"{name} as {role.value}: forbidden={forbidden} {body.get('errors')}")
    assert wrong == []


# -- the same matrix over websockets ------------------------------------------------------------


async def test_every_operation_over_websockets_refuses_exactly_the_undeclared_roles(
    live_server: LiveServer, make_key: KeyFactory
) -> None:
    operations = _operations() + _subscriptions()
    wrong: list[str] = []
    for role in Role:
        socket = await open_socket(live_server.ws_url, await make_key(role))
        try:
            answers = await _run_all(socket, operations)
        finally:
            await socket.close()
        for name, _document, allowed in operations:
            forbidden = any(
                (e.get("extensions") or {}).get("code") == "FORBIDDEN"
                or "may not" in e.get("message", "")
                for e in answers.get(name, [])
            )
            if forbidden == (role in allowed):
                wrong.append(f"{name} over a websocket as {role.value}: forbidden={forbidden}")
    assert wrong == []


def _subscriptions() -> list[tuple[str, str, frozenset[Role]]]:
    schema = build_schema()
    subscription = schema._schema.subscription_type
    assert subscription is not None
    return [
        (op.graphql_name, f"subscription {{ {op.graphql_name} {{ __typename }} }}", op.roles)
        for op in role_matrix(schema)
        if op.root == "Subscription"
    ]


async def _run_all(
    socket: ClientConnection, operations: list[tuple[str, str, frozenset[Role]]]
) -> dict[str, list[dict[str, Any]]]:
    """Every operation on one socket, subscriptions first; the errors each one got. A
    subscription the role may open answers nothing until an event: its refusal, if any,
    has arrived long before the last query's answer."""
    errors: dict[str, list[dict[str, Any]]] = {}
    ordered = sorted(operations, key=lambda op: not op[1].startswith("subscription"))
    for name, document, _roles in ordered:
        await socket.send(json.dumps(subscribe_message(name, document)))
        if document.startswith("subscription"):
            continue
        with anyio.fail_after(30):
            while True:
                message = json.loads(await socket.recv())
                op = message.get("id")
                if message["type"] == "error":
                    errors.setdefault(op, []).extend(message["payload"])
                elif message["type"] == "next":
                    errors.setdefault(op, []).extend(message["payload"].get("errors") or [])
                if op == name and message["type"] in ("next", "error"):
                    break
    return errors


# -- nested fields: what each role can reach, and the crisis review's neighbourhood --------------

# Object types a role must never reach, through any root field it may call and any nested
# field below it (a nested field is how one domain leads into another).
ADMIN_ONLY = frozenset({"ApiKey", "CreatedApiKey", "AuditEntry", "WebhookTarget"})
NEVER_REACHED: dict[Role, frozenset[str]] = {
    Role.PR: ADMIN_ONLY
    | {
        "Party", "PartyPath", "PartyMatch", "Network", "NetworkNode", "MaskedIdentifier",
        "WatchlistEntry", "Evidence", "Ring", "Complaint", "ComplaintSubject", "JointReview",
        "ComplaintRisk", "FrontlineFeedback", "AttentionFlag", "RenewalDecision",
    },
    Role.COMPLAINTS: ADMIN_ONLY
    | {
        "Party", "PartyPath", "Network", "NetworkNode", "MaskedIdentifier", "WatchlistEntry",
        "Evidence", "Ring", "Alert", "CrisisCase", "Mention", "Story", "RenewalDecision",
    },
}  # fmt: skip
# The renewal role reaches its decision and nothing else.
RENEWAL_REACHES = frozenset(
    {"Viewer", "RenewalCheckResult", "RenewalDecision", "RenewalReason", "PartyMatch", "LegalLimit"}
    | {"InvalidIdentity"}
)


def _reachable(role: Role) -> set[str]:
    schema = build_schema()
    graphql_schema = schema._schema
    roots = {
        "Query": graphql_schema.query_type,
        "Mutation": graphql_schema.mutation_type,
        "Subscription": graphql_schema.subscription_type,
    }
    pending: list[GraphQLNamedType] = []
    for op in role_matrix(schema):
        root = roots[op.root]
        if role in op.roles and root is not None:
            pending.append(get_named_type(root.fields[op.graphql_name].type))
    seen: set[str] = set()
    while pending:
        named = pending.pop()
        if named.name in seen:
            continue
        if isinstance(named, GraphQLUnionType):
            seen.add(named.name)
            pending.extend(named.types)
        elif isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            seen.add(named.name)
            pending.extend(get_named_type(f.type) for f in named.fields.values())
    return seen


def test_nested_fields_lead_no_role_into_a_domain_it_may_not_read() -> None:
    wrong = {}
    for role in Role:
        reached = _reachable(role)
        if role is Role.RENEWAL:
            beyond = reached - RENEWAL_REACHES
        elif role is Role.ADMIN:
            beyond = set()
        else:
            beyond = reached & NEVER_REACHED.get(role, ADMIN_ONLY)
        if beyond:
            wrong[role.value] = sorted(beyond)
    assert wrong == {}


REVIEW = """
query($id: ID!) {
  crisisCase(id: $id) {
    review { complaints { complaintNo } neighbourhood { id labels name via } }
  }
}
"""


async def test_the_crisis_review_shows_each_role_only_its_domains(
    client: httpx.AsyncClient, graph: Graph, make_key: KeyFactory
) -> None:
    case_id = await _case_about_a_shop_with_everything_around_it(graph)
    seen: dict[Role, list[dict[str, Any]]] = {}
    allowed = next(
        op.roles for op in role_matrix(build_schema()) if op.graphql_name == "crisisCase"
    )
    for role in sorted(allowed):
        body = (await gql(client, await make_key(role), REVIEW, {"id": case_id})).json()
        assert "errors" not in body, (role, body)
        seen[role] = body["data"]["crisisCase"]["review"]["neighbourhood"]
    labels = {role: {label for n in found for label in n["labels"]} for role, found in seen.items()}
    # The data is there: the risk team sees the shop's whole neighbourhood.
    other_domains = {"WatchlistEntry", "Ring", "Claim", "Policy", "JointReview", "Customer"}
    assert other_domains <= labels[Role.RISK]
    for role in allowed - FULL_REVIEW_ROLES:
        assert labels[role] <= PUBLIC_FACING_LABELS, (role, labels[role])
        names = {n["name"] for n in seen[role]}
        assert not names & {"L1", "P1", "张三", "ring:shop"}, (role, names)
        assert {"RepairShop", "Complaint"} & labels[role], (role, labels[role])


async def _case_about_a_shop_with_everything_around_it(graph: Graph) -> str:
    """Repair shop S1 (claim L1 of policy P1), on the watchlist, in a ring, and the subject
    of a complaint by customer C1 under joint review; a crisis case about the shop."""
    await write_small_book(graph)
    shop = party_id(PartyKind.REPAIR_SHOP, "S1")
    await WatchlistRepository(graph).propose(
        shop, WatchlistReason.MANUAL, "tip-off", "analyst", "key-a", EPOCH, 90
    )
    await graph.write(
        "MATCH (p:Party {id: $shop}) MERGE (r:Ring {id: 'ring:shop'}) MERGE (p)-[:IN_RING]->(r)",
        shop=shop,
    )
    await ComplaintRepository(graph).file(
        NewComplaint(
            customer_no="C1",
            channel=ComplaintChannel.HOTLINE,
            category=ComplaintCategory.CLAIMS,
            summary="修理厂以次充好",
            received_at=EPOCH,
            complaint_no="QSHOP1",
            party_ids=(shop,),
        ),
        actor="desk",
    )
    await graph.write(
        "MATCH (q:Complaint {complaint_no: 'QSHOP1'}) "
        "CREATE (:JointReview {id: 'joint-review:shop', status: 'OPEN'})-[:REVIEWS]->(q)"
    )
    clock = MovableClock(EPOCH)
    media = await standard_media(graph)
    await media.add_stories([StoryRow("cctv:shop", clock.now, [shop], ["feed:cctv"])])
    [raised] = await make_detector(graph, clock).on_new_stories(["cctv:shop"])
    assert raised.case_id is not None
    return raised.case_id

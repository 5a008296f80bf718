"""The model enums keep their GraphQL names: they are registered on the Enum classes
themselves (``strawberry.enum(X, name=...)``), and fields are annotated with ``X``."""

from __future__ import annotations

from enum import Enum

from graphql import GraphQLEnumType

from api.schema import build_schema
from models.complaint_risk import RiskSignalCode
from models.crisis import AlertKind, AlertStatus, CaseStatus, Severity, StepStatus
from models.feedback import FeedbackKind, SuggestionStatus
from models.identity import IdentifierKind
from models.import_format import RecordType
from models.reason_texts import Language
from models.records import ComplaintCategory, ComplaintChannel, ComplaintStatus, PartyKind
from models.renewal import RenewalAction
from models.roles import Role
from models.watchlist import WatchlistReason, WatchlistStatus
from monitors.delivery.formats import TargetKind

GRAPHQL_NAMES: dict[type[Enum], str] = {
    AlertKind: "AlertKind",
    AlertStatus: "AlertStatus",
    CaseStatus: "CrisisCaseStatus",
    ComplaintCategory: "ComplaintCategory",
    ComplaintChannel: "ComplaintChannel",
    ComplaintStatus: "ComplaintStatus",
    FeedbackKind: "FrontlineFeedbackKind",
    IdentifierKind: "IdentifierKind",
    Language: "Language",
    PartyKind: "PartyKind",
    RecordType: "ImportRecordType",
    RenewalAction: "RenewalAction",
    RiskSignalCode: "ComplaintRiskSignalCode",
    Role: "Role",
    Severity: "Severity",
    StepStatus: "CrisisStepStatus",
    SuggestionStatus: "SuggestionStatus",
    TargetKind: "WebhookTargetKind",
    WatchlistReason: "WatchlistReason",
    WatchlistStatus: "WatchlistStatus",
}


def test_model_enums_keep_their_graphql_names_and_values() -> None:
    schema = build_schema()._schema
    for enum, name in GRAPHQL_NAMES.items():
        graphql_type = schema.get_type(name)
        assert isinstance(graphql_type, GraphQLEnumType), name
        assert set(graphql_type.values) == {member.name for member in enum}, name
    # No model enum leaks in under its Python name instead.
    renamed = {enum.__name__ for enum, name in GRAPHQL_NAMES.items() if enum.__name__ != name}
    assert not renamed & set(schema.type_map)

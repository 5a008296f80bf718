"""The frontline, claims and management roles get exactly the operations a consumer-protection
department (消费者权益保护部) would give them, and nothing else.

Adding an operation for one of these roles means adding it here too, on purpose.
"""

from __future__ import annotations

from api.schema import build_schema
from api.schema.role_matrix import role_matrix
from models.roles import Role

EXPECTED: dict[Role, set[str]] = {
    # Counter and service staff: who needs special care, what to say, what to record.
    Role.FRONTLINE: {
        "Query.viewer",
        "Query.attentionFlag",
        "Query.handlingGuides",
        "Query.suggestHandlingGuides",
        "Query.frontlineFeedback",  # their own notes only
        "Mutation.submitFrontlineFeedback",
        "Mutation.convertGrievance",  # their own grievances only
        "Mutation.fileComplaint",
        "Query.callerLookup",  # masked, counts only
        "Query.branches",
    },
    # Claims staff: the same at the claims counter, plus the claims queue and who may complain.
    Role.CLAIMS: {
        "Query.viewer",
        "Query.attentionFlag",
        "Query.handlingGuides",
        "Query.suggestHandlingGuides",
        "Query.frontlineFeedback",  # their own notes only
        "Query.complaintRisk",
        "Query.pendingClaims",
        "Query.pendingClaimsByHandler",
        "Mutation.submitFrontlineFeedback",
        "Mutation.convertGrievance",  # their own grievances only
        "Mutation.fileComplaint",
        "Query.callerLookup",  # masked, counts only
        "Query.branches",
    },
    # Management: figures, crisis cases and the plan, suggestions to decide; no records.
    Role.MANAGEMENT: {
        "Query.viewer",
        "Query.complaintStats",
        "Query.complaintHotTopics",
        "Query.riskRanking",
        "Query.crisisCases",
        "Query.crisisCase",
        "Query.crisisPlan",
        "Query.sentimentTrend",
        "Query.frontlineFeedback",
        "Query.pendingClaimsByHandler",
        "Mutation.submitFrontlineFeedback",
        "Mutation.reviewSuggestion",
        "Query.complaintReport",
        "Query.regulatorComplaintReport",
        "Query.branches",
    },
}

# Operations that only these roles (and admins) were given at the same time: no other role
# should lose or gain them by accident.
RECORDS = {
    "Query.complaints",
    "Query.complaint",
    "Query.complaintQueue",
    "Query.watchlist",
    "Query.party",
}


def _granted(role: Role) -> set[str]:
    return {
        f"{op.root}.{op.graphql_name}" for op in role_matrix(build_schema()) if role in op.roles
    }


def test_each_new_role_gets_exactly_its_operations() -> None:
    for role, expected in EXPECTED.items():
        assert _granted(role) == expected, role


def test_no_new_role_reads_complaint_or_risk_records() -> None:
    for role in EXPECTED:
        assert not _granted(role) & RECORDS, role

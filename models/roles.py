"""Who may do what: the roles an API key carries."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """One role per API key; resolvers declare which roles they allow."""

    ADMIN = "admin"
    RISK = "risk"
    PR = "pr"
    RENEWAL = "renewal"
    COMPLAINTS = "complaints"
    # Issue 20: front-line underwriting/service staff, claims staff, and management.
    FRONTLINE = "frontline"
    CLAIMS = "claims"
    MANAGEMENT = "management"

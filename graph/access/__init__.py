"""Who may do what, and what they did: API keys, the audit trail, and the probing guard of
lookups by identifier.
"""

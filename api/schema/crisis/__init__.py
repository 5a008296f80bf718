"""The PR team's part of the schema: alerts, crisis cases and steps, webhook targets and
deliveries, and the alert subscription.
"""

"""The complaint department's part of the schema: the lifecycle, the complete record, intake,
reports, insights, frontline feedback and the claims queue.
"""

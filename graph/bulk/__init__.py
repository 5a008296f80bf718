"""Whole books in and out: the graph writer's idempotent batches, file import with its
reports, export in the import format, and the demo book.
"""

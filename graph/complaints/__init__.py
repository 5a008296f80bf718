"""The complaint department in the graph: filing, the lifecycle and its deadlines, the desk's
work on a record, intake, reports and insights, frontline feedback, handling guides, joint
reviews and the claims queue.
"""

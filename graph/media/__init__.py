"""Media monitoring in the graph: the feed registry, stories and the subjects they name, and
the queue of stories waiting for a sentiment score.
"""

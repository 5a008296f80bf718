"""Every Cypher statement the project runs, one module per concept.

Statements are named constants with a comment. Values always go in as parameters; labels and
relationship types, which cannot be parameters, come from the enums in ``graph.labels``.
"""

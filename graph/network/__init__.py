"""The relationship graph the risk team reads: neighbourhoods and paths, rings of shared
identifiers, risk figures, renewal checks and finding parties by name or identifier.
"""

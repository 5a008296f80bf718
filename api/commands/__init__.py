"""Subcommands of the ``riskwatch`` CLI, one module each."""

"""riskwatch graph layer."""

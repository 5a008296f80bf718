"""riskwatch models layer."""

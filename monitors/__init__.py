"""riskwatch monitors layer."""

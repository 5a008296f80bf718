"""riskwatch api layer."""

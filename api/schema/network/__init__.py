"""The risk team's part of the schema: relations and paths, risk figures and renewal checks."""

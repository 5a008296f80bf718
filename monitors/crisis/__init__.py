"""Public-opinion crisis detection, crisis plans and step escalation."""

"""Alert and event delivery: the outbox worker and the webhook/e-mail formats."""

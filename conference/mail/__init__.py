"""Mail: the outbox (queue), delivery (SMTP), the policy (essential or news), QR and PDF helpers."""

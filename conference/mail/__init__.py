"""Mail: the outbox and its delivery, the policy (essential or news)."""

"""Partner contingents: places set aside for partners, taken with a code at registration."""

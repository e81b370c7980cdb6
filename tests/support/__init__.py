"""Test tools that are not fixtures: app builders, an SMTP inbox, a browser, property strategies."""

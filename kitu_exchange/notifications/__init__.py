"""Follows, in-app notifications and mentions (issue 9, items 1-3)."""

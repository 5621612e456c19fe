"""moderation area: review queue, flags, revisions, duplicates, audit log."""

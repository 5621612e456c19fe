"""Atom feeds of new posts, read with a personal feed token instead of a session."""

"""A person's own settings: password, signed-in devices, second factor, personal data."""

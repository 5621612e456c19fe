"""topics area: views, forms, services."""

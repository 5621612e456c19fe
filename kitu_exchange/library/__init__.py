"""library area: views, forms, services."""

"""admin area: views, forms, services."""

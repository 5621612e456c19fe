"""auth area: views, forms, services."""

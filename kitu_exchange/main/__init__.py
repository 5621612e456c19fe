"""main area: views, forms, services."""

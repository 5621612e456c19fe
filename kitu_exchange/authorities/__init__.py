"""authorities area: views, forms, services."""

"""forum area: views, forms, services."""

"""Entry point for gunicorn: `gunicorn wsgi:app`."""
from kitu_exchange import create_app

app = create_app()

"""The schema comes only from migrations/: they must match the models exactly."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from kitu_exchange.extensions import db
from kitu_exchange.models import Base
from tests.conftest import REPO


def test_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_migrations_go_down_and_up_again(app):
    with app.app_context():
        downgrade(directory=str(REPO / "migrations"), revision="base")
        upgrade(directory=str(REPO / "migrations"))
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection)
            assert context.get_current_revision() == "0009"

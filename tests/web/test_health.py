"""GET /health: what a load balancer and monitoring read, without signing in."""
import shutil

from kitu_exchange import create_app
from tests.conftest import base_config


def test_health_is_public_json(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "index": "ok",
                                   "pending_changes": 0}
    assert response.headers["Cache-Control"] == "no-store"


def test_health_is_503_while_the_index_is_missing(app, client):
    shutil.rmtree(app.config["INDEX_DIR"])
    app.config["SEARCH_SYNC_AFTER_COMMIT"] = False  # keep the check from rebuilding
    response = client.get("/health")
    assert response.status_code == 503
    assert response.get_json()["index"] == "rebuilding"


def test_health_is_503_when_changes_pile_up(app, client, make_user, make_question):
    app.config.update(SEARCH_SYNC_AFTER_COMMIT=False, HEALTH_MAX_PENDING=0)
    make_question(make_user())
    response = client.get("/health")
    assert response.status_code == 503
    assert response.get_json()["pending_changes"] >= 1


def test_health_is_503_without_a_database(tmp_path):
    app = create_app(base_config(f"sqlite:///{tmp_path}/missing/none.sqlite3",
                                 tmp_path / "index"))
    response = app.test_client().get("/health")
    assert response.status_code == 503
    assert response.get_json()["database"] == "error"

"""Several writers at the same moment wait for each other instead of failing: content
imports in separate processes, and two people sending the same form at once."""
import os
import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import event, func, select

from kitu_exchange.extensions import db
from kitu_exchange.models import Authority, Question, Reply, Tag, Topic
from tests.conftest import REPO, Auth

SHARED_TOPIC = "- slug: gemeinsam\n  name: Gemeinsames Themenfeld\n"
SHARED_AUTHORITY = "- slug: musterstadt\n  name: Stadt Musterstadt\n  kind: Stadt\n"


def content_folder(root: Path, name: str, questions: int) -> Path:
    """A folder sharing a topic, an authority and a tag with its siblings."""
    folder = root / name
    (folder / "questions").mkdir(parents=True)
    (folder / "authorities.yaml").write_text(
        SHARED_AUTHORITY + f"- slug: amt-{name}\n  name: Amt {name}\n  kind: Gemeinde\n",
        encoding="utf-8")
    (folder / "topics.yaml").write_text(
        SHARED_TOPIC + f"- slug: thema-{name}\n  name: Thema {name}\n", encoding="utf-8")
    for number in range(questions):
        (folder / "questions" / f"{name}-frage-{number}.md").write_text(
            f"---\ntitle: Frage {name} {number}\nauthority: amt-{name}\n"
            f"topics: [gemeinsam, thema-{name}]\ntags: [gemeinsam, {name}-{number}]\n"
            "created: 2024-01-01\nreplies:\n  - authority: musterstadt\n"
            f"    body: Antwort auf {name} {number}\n---\nText {name} {number}.\n",
            encoding="utf-8")
    return folder


def cli_env(app_config) -> dict:
    return {**os.environ, "DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"],
            "KITU_INDEX_DIR": app_config["INDEX_DIR"], "KITU_SECRET_KEY": "test-secret",
            "KITU_TESTING": "true"}


def test_concurrent_content_imports_all_succeed(app, app_config, tmp_path):
    names = ("nord", "sued", "west")
    folders = [content_folder(tmp_path, name, 15) for name in names]
    processes = [subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "content", "import", str(folder)],
        cwd=REPO, env=cli_env(app_config), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True) for folder in folders]
    outputs = [process.communicate(timeout=240)[0] for process in processes]
    for process, output in zip(processes, outputs):
        assert process.returncode == 0, output
        assert "0 errors" in output, output
    with app.app_context():
        count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa
        assert count(Question) == 45 and count(Reply) == 45
        assert count(Topic) == 4 and count(Authority) == 4
        assert count(Tag) == 46
        shared = db.session.scalar(select(Topic).filter_by(slug="gemeinsam"))
        assert db.session.scalar(select(func.count()).select_from(Question).where(
            Question.topics.contains(shared))) == 45

"""`flask content import|export` and `flask setup` through the CLI runner."""
import filecmp
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kitu_exchange import create_app
from kitu_exchange.extensions import db
from kitu_exchange.models import Question, Reply, Reuse, Solution, SynonymSet, Topic
from tests.conftest import REPO

STARTER = REPO / "content"


def counts(app) -> dict:
    with app.app_context():
        return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
                for model in (Question, Reply, Solution, Reuse, Topic, SynonymSet)}


def test_starter_content_imports_cleanly_and_idempotently(app, runner):
    result = runner.invoke(args=["content", "import", str(STARTER)])
    assert result.exit_code == 0, result.output
    assert "0 errors" in result.output
    first = counts(app)
    assert first["Solution"] >= 10 and first["Question"] >= 10 and first["Topic"] >= 6
    result = runner.invoke(args=["content", "import", str(STARTER)])
    assert "0 created, 0 updated" in result.output
    assert counts(app) == first


def test_starter_content_has_quedlinburg_with_public_figures(app, runner):
    runner.invoke(args=["content", "import", str(STARTER)])
    from kitu_exchange.models import Authority
    with app.app_context():
        town = db.session.scalar(select(Authority).filter_by(slug="quedlinburg"))
        assert (town.kind, town.population, town.staff, town.area_km2) == (
            "Stadt", 24555, 317, 120)
        assert str(town.member_since) == "2017-01-01"


def test_export_import_export_round_trip(app_config, app, runner, tmp_path, migrated_database):
    runner.invoke(args=["content", "import", str(STARTER)])
    first = tmp_path / "first"
    result = runner.invoke(args=["content", "export", str(first)])
    assert result.exit_code == 0, result.output

    from kitu_exchange import create_app
    from tests.conftest import base_config, fresh_database_url
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    other = create_app(base_config(fresh_database_url(migrated_database, other_dir),
                                   other_dir / "index"))
    other_runner = other.test_cli_runner()
    result = other_runner.invoke(args=["content", "import", str(first)])
    assert result.exit_code == 0, result.output
    second = tmp_path / "second"
    other_runner.invoke(args=["content", "export", str(second)])
    with other.app_context():
        db.engine.dispose()
    comparison = filecmp.dircmp(first, second)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for relative in files:
        assert (first / relative).read_bytes() == (second / relative).read_bytes(), relative
    assert comparison.left_only == []


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


GOOD_QUESTION = """---
title: Eine gute Frage zum Testen
authority: musterstadt
topics: [drucker-kopierer]
created: 2024-02-01
replies:
  - authority: musterstadt
    created: 2024-02-02
    accepted: true
    body: |
      Eine Antwort.
---
Der Text der Frage.
"""


@pytest.mark.parametrize(("name", "text", "reason"), [
    ("questions/ohne-front-matter.md", "Nur Text", "no YAML front matter"),
    ("questions/unbekannte-kommune.md",
     GOOD_QUESTION.replace("authority: musterstadt\ntopics", "authority: atlantis\ntopics"),
     "unknown authority 'atlantis'"),
    ("questions/zwei-akzeptiert.md",
     GOOD_QUESTION.replace("replies:\n", "replies:\n  - authority: musterstadt\n"
                                         "    accepted: true\n    body: zwei\n"),
     "more than one reply is accepted"),
    ("solutions/falscher-status.md",
     "---\ntitle: T\nauthority: musterstadt\nstatus: geheim\n---\nText", "unknown status"),
    ("questions/Gross Geschrieben.md", GOOD_QUESTION, "not a slug"),
    ("questions/kaputtes-yaml.md", "---\ntitle: [unclosed\n---\nText", "not valid YAML"),
])
def test_bad_files_are_reported_and_the_rest_imported(app, runner, tmp_path, name, text,
                                                       reason):
    folder = tmp_path / "folder"
    write(folder / "authorities.yaml",
          "- slug: musterstadt\n  name: Stadt Musterstadt\n  kind: Stadt\n  population: 1000\n")
    write(folder / "topics.yaml", "- slug: drucker-kopierer\n  name: Drucker\n")
    write(folder / "questions" / "gute-frage.md", GOOD_QUESTION)
    write(folder / name, text)
    result = runner.invoke(args=["content", "import", str(folder)])
    assert result.exit_code == 1
    assert str(folder / name) in result.output and reason in result.output
    assert counts(app)["Question"] == 1


def test_invalid_utf8_and_nul_are_reported(app, runner, tmp_path):
    folder = tmp_path / "folder"
    (folder / "questions").mkdir(parents=True)
    (folder / "questions" / "latin1.md").write_bytes("---\ntitle: Gebühr\n---\nx".encode("latin-1"))
    (folder / "questions" / "nul.md").write_bytes(b"---\ntitle: a\n---\nx\x00y")
    result = runner.invoke(args=["content", "import", str(folder)])
    assert "latin1.md: not UTF-8" in result.output and "nul.md: contains a NUL" in result.output


def test_setup_imports_once_and_creates_admin_with_random_password(app, runner, auth):
    result = runner.invoke(args=["setup", "--content", str(STARTER)])
    assert result.exit_code == 0, result.output
    password = result.output.split("Passwort:")[1].split()[0]
    assert len(password) >= 16
    assert auth.login("admin@kitu.example", password).status_code == 302
    again = runner.invoke(args=["setup", "--content", str(STARTER)])
    assert "Passwort" not in again.output and "exists already" in again.output
    other = runner.invoke(args=["setup"])
    assert "Passwort" not in other.output


def test_db_upgrade_on_a_fresh_clone_creates_the_instance_folder(tmp_path):
    """No instance/ yet, no DATABASE_URL: `flask db upgrade` makes the folder itself."""
    instance = tmp_path / "fresh-clone" / "instance"
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                      "INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": None,
                      "INDEX_DIR": str(tmp_path / "index")})
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert (instance / "kitu.sqlite3").is_file()
    with app.app_context():
        db.engine.dispose()


def one_question_folder(root: Path, question: str = GOOD_QUESTION) -> Path:
    folder = root / "folder"
    write(folder / "authorities.yaml",
          "- slug: musterstadt\n  name: Stadt Musterstadt\n  kind: Stadt\n  population: 1000\n")
    write(folder / "topics.yaml", "- slug: drucker-kopierer\n  name: Drucker\n")
    write(folder / "questions" / "gute-frage.md", question)
    return folder


def test_reimport_keeps_replies_written_in_the_app(app, runner, tmp_path, auth, make_user):
    from kitu_exchange.forum import services as forum
    from kitu_exchange.models import Flag, Revision, User, Vote
    from kitu_exchange.moderation import services as moderation
    folder = one_question_folder(tmp_path)
    assert runner.invoke(args=["content", "import", str(folder)]).exit_code == 0
    member = make_user("b@nachbarort.example", authority="nachbarort")
    make_user("c@nachbarort.example", authority="nachbarort")
    moderator = make_user("mod@kitu.example", role="moderator", authority="kitu")
    with app.app_context():
        question = db.session.scalar(select(Question).filter_by(slug="gute-frage"))
        imported_id = question.replies[0].id
        user = lambda email: db.session.scalar(select(User).filter_by(email=email))  # noqa
        reply = forum.add_reply(user(member), question.id, "Geschrieben in der Anwendung.")
        reply_id = reply.id
        forum.edit_reply(user(member), reply, "Geschrieben und überarbeitet.", "Tippfehler")
        moderation.toggle_vote(user("c@nachbarort.example"), reply)
        moderation.flag_post(user("c@nachbarort.example"), reply, "other", "Bitte prüfen")

    # The folder's own reply changes: it is updated in place, the app's reply stays.
    write(folder / "questions" / "gute-frage.md",
          GOOD_QUESTION.replace("Eine Antwort.", "Eine bessere Antwort."))
    result = runner.invoke(args=["content", "import", str(folder)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        question = db.session.scalar(select(Question).filter_by(slug="gute-frage"))
        assert [(r.id, r.body) for r in question.replies] == [
            (imported_id, "Eine bessere Antwort."), (reply_id, "Geschrieben und überarbeitet.")]
        assert question.accepted_reply_id == imported_id and question.reply_count == 2
        for model in (Vote, Flag, Revision):
            assert db.session.scalar(select(model.target_id).filter_by(
                target_type="reply")) == reply_id
    again = runner.invoke(args=["content", "import", str(folder)])
    assert "0 created, 0 updated" in again.output
    auth.login(moderator)
    page = auth.client.get("/moderation")
    assert page.status_code == 200 and "Antwort auf „Eine gute Frage zum Testen“" in page.text


def test_open_flag_of_a_vanished_post_keeps_the_moderation_page(app, auth, make_user):
    from kitu_exchange.models import Flag, User
    moderator = make_user("mod@kitu.example", role="moderator", authority="kitu")
    with app.app_context():
        reporter = db.session.scalar(select(User).filter_by(email=moderator))
        # A flag left behind by an older version that deleted replies on import.
        db.session.add(Flag(target_type="reply", target_id=4711, reason="spam",
                            reporter=reporter))
        db.session.commit()
        flag_id = db.session.scalar(select(Flag.id))
    auth.login(moderator)
    page = auth.client.get("/moderation")
    assert page.status_code == 200 and "Beitrag nicht mehr vorhanden" in page.text
    response = auth.post(f"/moderation/meldungen/{flag_id}", {"action": "dismiss", "note": ""},
                         token_from="/moderation")
    assert response.status_code == 302
    assert "Keine offenen Meldungen." in auth.client.get("/moderation").text


def test_export_and_import_keep_hidden_and_draft_posts(app, runner, tmp_path, migrated_database,
                                                        make_user, make_question, make_reply,
                                                        make_solution):
    from kitu_exchange import create_app
    from kitu_exchange.models import User
    from kitu_exchange.moderation import services as moderation
    from tests.conftest import base_config, fresh_database_url
    make_user("a@musterstadt.example")
    make_user("b@nachbarort.example", authority="nachbarort")
    moderator = make_user("mod@kitu.example", role="moderator", authority="kitu")
    question_id = make_question("a@musterstadt.example")
    make_reply("b@nachbarort.example", question_id, "Eine verborgene Antwort.")
    make_solution("a@musterstadt.example", title="Ein Entwurf", status="draft")
    make_solution("a@musterstadt.example", title="Eine verborgene Lösung")
    with app.app_context():
        mod = db.session.scalar(select(User).filter_by(email=moderator))
        question = db.session.get(Question, question_id)
        moderation.hide_post(mod, question, "Personenbezogene Daten")
        moderation.hide_post(mod, question.replies[0], "Werbung")
        solution = db.session.scalar(select(Solution).filter_by(title="Eine verborgene Lösung"))
        moderation.hide_post(mod, solution, "Veraltet")
    folder = tmp_path / "export"
    assert runner.invoke(args=["content", "export", str(folder)]).exit_code == 0

    other_dir = tmp_path / "other"
    other_dir.mkdir()
    other = create_app(base_config(fresh_database_url(migrated_database, other_dir),
                                   other_dir / "index"))
    result = other.test_cli_runner().invoke(args=["content", "import", str(folder)])
    assert result.exit_code == 0, result.output
    with other.app_context():
        question = db.session.scalar(select(Question))
        assert (question.hidden, question.hidden_reason) == (True, "Personenbezogene Daten")
        assert (question.replies[0].hidden, question.replies[0].hidden_reason) == (
            True, "Werbung")
        states = {s.title: (s.status, s.hidden, s.hidden_reason)
                  for s in db.session.scalars(select(Solution))}
        assert states == {"Ein Entwurf": ("draft", False, ""),
                          "Eine verborgene Lösung": ("published", True, "Veraltet")}
    with other.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("link", ["questions/passwort.md", "topics.yaml", "questions"])
def test_import_refuses_symlinks_and_imports_nothing(app, runner, tmp_path, link):
    folder = one_question_folder(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    target = {"questions/passwort.md": Path("/etc/passwd"), "topics.yaml": Path("/etc/hosts"),
              "questions": outside}[link]
    if link == "questions":
        (folder / "questions" / "gute-frage.md").rename(outside / "gute-frage.md")
        (folder / "questions").rmdir()
    (folder / link).unlink(missing_ok=True)
    (folder / link).symlink_to(target)
    result = runner.invoke(args=["content", "import", str(folder)])
    assert result.exit_code == 1
    assert f"{folder / link}: is a symbolic link" in result.output
    assert counts(app)["Question"] == 0 and counts(app)["Topic"] == 0

"""The permission table, walked through HTTP: every action, each role, own vs. other.

For each case the test builds a small world, signs in as the acting role, performs the
action as a user would (a form POST or a page GET) and checks the answer against the
table in kitu_exchange/permissions.py. A forbidden action must answer 403 (404 where the
target itself is invisible to the actor) and leave the database exactly as it was.
"""
import hashlib
import re
from dataclasses import dataclass
from typing import Callable

import pytest
from sqlalchemy import select

from kitu_exchange.extensions import db
from kitu_exchange.models import Base, Flag, Question, Reuse, Revision, Solution, User
from kitu_exchange.moderation import services as moderation
from kitu_exchange.permissions import PERMISSIONS, Scope
from tests.conftest import factory_moderator

ACTOR = "actor@musterstadt.example"
OTHER = "other@nachbarort.example"
THIRD = "third@drittort.example"
ROLES = ("member", "moderator", "admin")


class World:
    """Builds targets owned by the actor (own=True) or by a member of another town."""

    def __init__(self, app, make_question, make_reply, make_solution):
        self.app = app
        self.make_question = make_question
        self.make_reply = make_reply
        self.make_solution = make_solution

    def owner(self, own: bool) -> str:
        return ACTOR if own else OTHER

    def question(self, own: bool, solved: bool = False) -> int:
        question = self.make_question(self.owner(own))
        if solved:
            reply = self.make_reply(THIRD, question)
            with self.app.app_context():
                db.session.get(Question, question).accepted_reply_id = reply
                db.session.commit()
        return question

    def reply(self, own: bool) -> int:
        return self.make_reply(self.owner(own), self.make_question(THIRD))

    def solution(self, own: bool, status: str = "published") -> tuple[int, str]:
        slug = self.make_solution(self.owner(own), status=status)
        with self.app.app_context():
            return db.session.scalar(select(Solution.id).filter_by(slug=slug)), slug

    def user_id(self, email: str) -> int:
        with self.app.app_context():
            return db.session.scalar(select(User.id).filter_by(email=email))

    def moderate(self, action: Callable) -> None:
        with self.app.app_context():
            action(factory_moderator())


QUESTION_FORM = {"title": "Geänderter Titel der Frage", "body": "Neuer Text",
                 "topics": ["drucker-kopierer"]}
SOLUTION_FORM = {"title": "Geänderte Lösung", "approach": "Neuer Ansatz",
                 "topics": ["drucker-kopierer"], "status": "published"}


def q_url(question: int) -> str:
    return f"/fragen/{question}"


@dataclass
class Case:
    run: Callable  # (world, auth, client, own) -> response
    both: bool = True  # own and other variants
    hidden_target: bool = False  # forbidden means the target is invisible: 404


def _edited_question(world, own) -> tuple[int, int]:
    """A question edited once by its owner: (question id, revision id)."""
    question = world.question(own)
    with world.app.app_context():
        editor = db.session.scalar(select(User).filter_by(email=world.owner(own)))
        from kitu_exchange.forum.services import edit_question
        edit_question(editor, db.session.get(Question, question), "Zweiter Titel der Frage",
                      "Zweiter Text", ["drucker-kopierer"], "")
        return question, db.session.scalar(select(Revision.id))


def _restore(world, auth, client, own):
    question, revision = _edited_question(world, own)
    return auth.post(f"/verlauf/question/{question}/wiederherstellen/{revision}")


def _redact(world, auth, client, own):
    question, revision = _edited_question(world, own)
    return auth.post(f"/verlauf/question/{question}/schwaerzen/{revision}",
                     {"reason": "Personenbezogene Daten"})


def _resolve_flag(world, auth, client, own):
    question = world.question(False)
    with world.app.app_context():
        third = db.session.scalar(select(User).filter_by(email=THIRD))
        moderation.flag_post(third, db.session.get(Question, question), "spam", "")
        flag = db.session.scalar(select(Flag.id))
    return auth.post(f"/moderation/meldungen/{flag}", {"action": "dismiss", "note": "ok"})


def _remove_reuse(world, auth, client, own):
    # own: the actor's town re-uses another town's solution; other: a third town does.
    _, slug = world.solution(False)
    reuser = ACTOR if own else THIRD
    with world.app.app_context():
        from kitu_exchange.library.services import record_reuse
        user = db.session.scalar(select(User).filter_by(email=reuser))
        record_reuse(user, db.session.scalar(select(Solution).filter_by(slug=slug)),
                     "in_use", "")
        reuse = db.session.scalar(select(Reuse.id))
    return auth.post(f"/loesungen/nachnutzung/{reuse}/entfernen")


def _restore_deleted(world, auth, client, own):
    question = world.question(own)
    with world.app.app_context():
        from kitu_exchange.forum.services import delete_question
        owner = db.session.scalar(select(User).filter_by(email=world.owner(own)))
        delete_question(owner, db.session.get(Question, question))
    return auth.post(f"/moderation/geloescht/{question}", {"note": ""})


def _edit_locked_question(world, auth, client, own):
    question = world.question(own)
    world.moderate(lambda moderator: moderation.set_locked(
        moderator, db.session.get(Question, question), True))
    return auth.post(f"{q_url(question)}/bearbeiten", QUESTION_FORM)


def _hidden_question(world, auth, client, own):
    question = world.question(own)
    world.moderate(lambda moderator: moderation.hide_post(
        moderator, db.session.get(Question, question), "Test"))
    return client.get(f"/fragen/{question}", follow_redirects=True)


def _edit_authority(auth, own, **changes):
    slug = "musterstadt" if own else "nachbarort"
    return auth.post(f"/kommunen/{slug}/bearbeiten", {
        "slug": slug, "name": f"Stadt {slug.title()}", "kind": "Stadt", "population": "20000",
        "state": "Sachsen-Anhalt", **changes})


CASES: dict[str, Case] = {
    "question.create": Case(lambda w, a, c, own: a.post("/fragen/neu", {
        **QUESTION_FORM, "title": "Eine neue Frage"}, token_from="/fragen/neu"), both=False),
    "question.edit": Case(lambda w, a, c, own: a.post(
        f"{q_url(w.question(own))}/bearbeiten", QUESTION_FORM)),
    "question.delete": Case(lambda w, a, c, own: a.post(
        f"{q_url(w.question(own))}/loeschen")),
    "question.restore": Case(_restore_deleted),
    "question.accept": Case(lambda w, a, c, own: a.post(
        f"/fragen/antworten/{w.make_reply(THIRD, w.question(own))}/akzeptieren")),
    "reply.create": Case(lambda w, a, c, own: a.post(
        f"{q_url(w.question(False))}/antworten", {"body": "Antwort"}), both=False),
    "reply.edit": Case(lambda w, a, c, own: a.post(
        f"/fragen/antworten/{w.reply(own)}/bearbeiten", {"body": "Geändert"})),
    "solution.create": Case(lambda w, a, c, own: a.post("/loesungen/neu", {
        **SOLUTION_FORM, "status": "draft"}, token_from="/loesungen/neu"), both=False),
    "solution.edit": Case(lambda w, a, c, own: a.post(
        f"/loesungen/{w.solution(own)[1]}/bearbeiten", SOLUTION_FORM)),
    "solution.view_draft": Case(lambda w, a, c, own: c.get(
        f"/loesungen/{w.solution(own, 'draft')[1]}"), hidden_target=True),
    "solution.curate": Case(lambda w, a, c, own: a.post(
        f"/loesungen/{w.solution(own)[1]}/bearbeiten", {**SOLUTION_FORM,
                                                        "status": "archived"})),
    "solution.submit": Case(lambda w, a, c, own: a.post(
        f"/loesungen/{w.solution(own, 'draft')[1]}/einreichen"), hidden_target=True),
    "solution.review": Case(lambda w, a, c, own: a.post(
        f"/loesungen/{w.solution(own, 'submitted')[1]}/pruefen",
        {"decision": "publish", "comment": ""}), hidden_target=True),
    "question.to_solution": Case(lambda w, a, c, own: a.post(
        f"{q_url(w.question(own, solved=True))}/in-loesung")),
    "question.close": Case(lambda w, a, c, own: a.post(
        f"{q_url(w.question(own))}/duplikat", {"original": str(w.question(not own))})),
    "question.lock": Case(lambda w, a, c, own: a.post(
        f"{q_url(w.question(own))}/sperren", {"note": ""})),
    "question.bypass_lock": Case(_edit_locked_question, both=False),
    "question.move": Case(lambda w, a, c, own: a.post(
        f"{q_url(w.question(own))}/verschieben", {"topics": ["e-rechnung"]})),
    "post.vote": Case(lambda w, a, c, own: a.post(f"/hilfreich/reply/{w.reply(own)}")),
    "post.flag": Case(lambda w, a, c, own: a.post(
        f"/melden/question/{w.question(own)}", {"reason": "spam", "text": ""})),
    "post.hide": Case(lambda w, a, c, own: a.post(
        f"/moderation/ausblenden/reply/{w.reply(own)}", {"note": "Grund"})),
    "post.view_hidden": Case(_hidden_question, hidden_target=True),
    "revision.view": Case(lambda w, a, c, own: c.get(f"/verlauf/question/{w.question(own)}")),
    "revision.restore": Case(_restore),
    "revision.redact": Case(_redact),
    "moderation.view": Case(lambda w, a, c, own: c.get("/moderation"), both=False),
    "flag.resolve": Case(_resolve_flag, both=False),
    "audit.view": Case(lambda w, a, c, own: c.get("/moderation/protokoll"), both=False),
    "reuse.record": Case(lambda w, a, c, own: a.post(
        f"/loesungen/{w.solution(False)[1]}/nachnutzung", {"status": "planned", "note": ""}),
        both=False),
    "reuse.remove": Case(_remove_reuse),
    "authority.create": Case(lambda w, a, c, own: a.post("/kommunen/neu", {
        "slug": "neuort", "name": "Gemeinde Neuort", "kind": "Gemeinde",
        "state": "Sachsen-Anhalt"}, token_from="/kommunen"), both=False),
    "authority.edit": Case(lambda w, a, c, own: _edit_authority(a, own, population="12345")),
    "authority.rename": Case(lambda w, a, c, own: _edit_authority(a, own, name="Neuer Name")),
    "topic.manage": Case(lambda w, a, c, own: a.post("/themen/neu", {
        "slug": "neues-thema", "name": "Neues Thema"}, token_from="/themen"), both=False),
    "synonym.manage": Case(lambda w, a, c, own: a.post("/moderation/synonyme", {
        "terms": "Teamviewer, Fernwartung"}), both=False),
    "user.manage": Case(lambda w, a, c, own: a.post(
        f"/verwaltung/konten/{w.user_id(ACTOR if own else OTHER)}",
        {"role": "admin" if own else "member", "authority": "nachbarort", "active": "y",
         "reason": ""})),
    "legal.edit": Case(lambda w, a, c, own: a.post(
        "/verwaltung/rechtstexte/impressum", {"body": "Neues Impressum"}), both=False),
}

PARAMS = [pytest.param(action, role, own, id=f"{action}-{role}-{'own' if own else 'other'}")
          for action, case in CASES.items() for role in ROLES
          for own in ((True, False) if case.both else (True,))]


def test_every_action_of_the_table_is_walked():
    assert set(CASES) == set(PERMISSIONS)
    assert len(PARAMS) >= 60


def allowed(action: str, role: str, own: bool) -> bool:
    scope = PERMISSIONS[action][ROLES.index(role)]
    return (scope is Scope.ANY or (scope is Scope.OWN and own)
            or (scope is Scope.OTHER and not own))


def fingerprint(app) -> str:
    """A digest of every row that an action could change."""
    digest = hashlib.sha256()
    with app.app_context():
        for table in Base.metadata.sorted_tables:
            if table.name == "login_attempt":
                continue
            order = list(table.primary_key.columns)
            for row in db.session.execute(select(table).order_by(*order)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


@pytest.mark.parametrize(("action", "role", "own"), PARAMS)
def test_permission(action, role, own, app, client, auth, make_user, make_topic,
                    make_question, make_reply, make_solution):
    make_topic("drucker-kopierer", "Drucker und Kopierer")
    make_topic("e-rechnung", "E-Rechnung")
    make_user(ACTOR, role=role, authority="musterstadt", name="Akteurin")
    make_user(OTHER, authority="nachbarort", name="Andere Person")
    make_user(THIRD, authority="drittort", name="Dritte Person")
    make_user("admin2@kitu.example", role="admin", authority="kitu")  # never the last admin
    world = World(app, make_question, make_reply, make_solution)
    case = CASES[action]
    assert auth.login(ACTOR).status_code == 302
    before = {}

    # Record the state right before the request (set-up runs inside `run`).
    original_post = auth.client.post

    def post_with_snapshot(url, *args, **kwargs):
        if url not in ("/anmelden", "/abmelden") and "state" not in before:
            before["state"] = fingerprint(app)
        return original_post(url, *args, **kwargs)

    auth.client.post = post_with_snapshot
    try:
        response = case.run(world, auth, client, own)
    finally:
        auth.client.post = original_post

    if allowed(action, role, own):
        assert response.status_code in (200, 302), (response.status_code,
                                                    re.sub(r"\s+", " ", response.get_data(
                                                        as_text=True))[-400:])
    else:
        expected = 404 if case.hidden_target and response.status_code == 404 else 403
        assert response.status_code == expected
        if "state" in before:
            assert fingerprint(app) == before["state"], "a forbidden action changed data"

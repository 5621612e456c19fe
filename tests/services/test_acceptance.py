"""Changing and taking back the accepted reply (issue 11, item 5): the services, with
what search shows about "gelöst"."""
import pytest
from sqlalchemy import select

from kitu_exchange.errors import Conflict, NotAllowed
from kitu_exchange.extensions import db
from kitu_exchange.forum import services as forum
from kitu_exchange.models import Question, Reply, User
from kitu_exchange.search.index import sync
from kitu_exchange.search.service import SearchFilters, search_cases

ASKER = "a@musterstadt.example"
HELPER = "b@nachbarort.example"


@pytest.fixture
def case(app, make_user, make_question, make_reply):
    make_user(ASKER)
    make_user(HELPER, authority="nachbarort")
    question = make_question(ASKER, title="Druckerflotte im Bauamt erneuern")
    return question, make_reply(HELPER, question, "Erste"), make_reply(HELPER, question, "Zweite")


def user(email) -> User:
    return db.session.scalar(select(User).filter_by(email=email))


def solved_hits(asker: User) -> int:
    sync(wait=True)
    return search_cases(asker, "Druckerflotte", SearchFilters(solved=True)).total


def test_change_and_withdraw(app, case):
    question_id, first_id, second_id = case
    with app.app_context():
        asker = user(ASKER)
        first, second = db.session.get(Reply, first_id), db.session.get(Reply, second_id)
        forum.accept_reply(asker, first)
        assert solved_hits(asker) == 1
        with pytest.raises(Conflict):  # no change asked for
            forum.accept_reply(asker, second)
        with pytest.raises(Conflict):  # the page showed another accepted reply
            forum.accept_reply(asker, second, replacing=second_id)
        forum.accept_reply(asker, second, replacing=first_id)
        assert db.session.get(Question, question_id).accepted_reply_id == second_id
        forum.accept_reply(asker, second)  # accepting the accepted one changes nothing
        with pytest.raises(Conflict):
            forum.withdraw_acceptance(asker, first)
        with pytest.raises(NotAllowed):
            forum.withdraw_acceptance(user(HELPER), second)
        forum.withdraw_acceptance(asker, second)
        db.session.expire_all()
        assert db.session.get(Question, question_id).accepted_reply_id is None
        assert solved_hits(asker) == 0

"""The log never holds passwords, tokens, TOTP secrets or post bodies. tests/conftest.py
captures the log of the whole run and fails it at the end if any of them shows up; these
tests check the check and one known way in."""
import logging

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from kitu_exchange.extensions import db
from tests.conftest import PASSWORD, QUESTION_BODY
from tests.log_hygiene import CAPTURED_LOG, log_leaks


def test_the_check_finds_each_kind_of_secret():
    lines = [f"login failed for {PASSWORD}", f"body: {QUESTION_BODY}",
             "GET /einladung/eyJpZCI6MSwicHciOiIifQ.aW5fO.abcdefghijklmnopqrst",
             "csrf_token=IjRhZGM4ZjE2ZDY5YTY0YjA1.aW5fOQ.abcdefghijklmnopqrstuv",
             "otpauth://totp/KITU?secret=JBSWY3DPEHPK3PXPJBSWY3DP"]
    assert all(log_leaks([line]) for line in lines)
    assert log_leaks(["Search index rebuilt: 12 documents in 0.3 s"]) == []


def test_the_app_log_is_captured(app):
    start = len(CAPTURED_LOG)
    app.logger.debug("a debug line of the app")
    assert CAPTURED_LOG[start:] == ["kitu_exchange DEBUG a debug line of the app"]


def test_database_errors_are_logged_without_their_parameters(app):
    """An unhandled database error is logged with its traceback; SQLAlchemy would put
    the statement's parameters (post bodies, password hashes) into the message."""
    start = len(CAPTURED_LOG)
    with app.app_context():
        try:
            db.session.execute(text("SELECT * FROM no_such_table WHERE body = :body"),
                               {"body": QUESTION_BODY})
        except DBAPIError:
            logging.getLogger("kitu_exchange").exception("Unhandled error")
        db.session.rollback()
    logged = CAPTURED_LOG[start:]
    assert "no_such_table" in logged[0] and "Traceback" in logged[0]
    assert log_leaks(logged) == []

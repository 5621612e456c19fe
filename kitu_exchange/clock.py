"""The current time for the mail outbox and time-limited tokens.

One function, looked up at every call (`clock.now()`), so that tests move time forward
(retry backoff, a reset link after an hour) instead of sleeping.
"""
from datetime import datetime

from flask import current_app
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from .models.base import utcnow


def now() -> datetime:
    return utcnow()


class _ClockSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(now().timestamp())


def timed_serializer(salt: str) -> URLSafeTimedSerializer:
    """A serializer for signed link tokens that reads the time from `now()`; one salt
    per purpose, so a token of one kind is worthless as another."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt,
                                  signer=_ClockSigner)

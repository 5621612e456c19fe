"""Mapped classes; import from here."""
from .account import LoginAttempt, RecoveryCode, Role, User, UserSession
from .authority import (POPULATION_BANDS, SOFTWARE_FIELDS, Authority, AuthorityContact,
                        AuthorityKind, AuthoritySoftware, population_band)
from .base import Base, utcnow
from .feeds import FeedToken
from .forum import Question, Reply
from .legal import LegalPage
from .mail import DigestPeriod, MailPreference, MailState, OutgoingMail, RateEvent
from .library import PUBLIC_STATUSES, Reuse, ReuseStatus, Solution, SolutionStatus
from .notification import Follow, FollowKind, Notification
from .moderation import (AuditEntry, Flag, FlagReason, FlagStatus, Revision, TargetType,
                         Vote)
from .search import SearchChange, SearchCursor, SearchVector, SynonymSet
from .submission import Submission
from .taxonomy import Tag, Topic

__all__ = [
    "AuditEntry", "Flag", "FlagReason", "FlagStatus", "Revision", "TargetType", "Vote",
    "Authority", "AuthorityContact", "AuthorityKind", "AuthoritySoftware", "DigestPeriod",
    "FeedToken", "Follow", "FollowKind", "MailPreference", "MailState", "Notification",
    "OutgoingMail", "RateEvent", "SOFTWARE_FIELDS", "Base", "LegalPage", "LoginAttempt",
    "POPULATION_BANDS",
    "PUBLIC_STATUSES", "Question", "RecoveryCode", "Reply", "Reuse", "ReuseStatus", "Role",
    "SearchChange", "SearchCursor", "SearchVector", "Solution", "SolutionStatus", "Submission", "SynonymSet",
    "Tag", "Topic", "User", "UserSession", "population_band", "utcnow",
]

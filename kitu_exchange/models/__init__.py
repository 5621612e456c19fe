"""Mapped classes; import from here."""
from .account import LoginAttempt, Role, User
from .authority import POPULATION_BANDS, Authority, AuthorityKind, population_band
from .base import Base, utcnow
from .forum import Question, Reply
from .library import PUBLIC_STATUSES, Reuse, ReuseStatus, Solution, SolutionStatus
from .moderation import (AuditEntry, Flag, FlagReason, FlagStatus, Revision, TargetType,
                         Vote)
from .search import SearchChange, SearchCursor, SynonymSet
from .taxonomy import Tag, Topic

__all__ = [
    "AuditEntry", "Flag", "FlagReason", "FlagStatus", "Revision", "TargetType", "Vote",
    "Authority", "AuthorityKind", "Base", "LoginAttempt", "POPULATION_BANDS", "PUBLIC_STATUSES",
    "Question", "Reply", "Reuse", "ReuseStatus", "Role", "SearchChange", "Solution",
    "SolutionStatus", "SearchCursor", "SynonymSet", "Tag",
    "Topic", "User", "population_band", "utcnow",
]

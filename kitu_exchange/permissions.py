"""Who may do what: one table that views, services and templates all consult.

Each action maps every role to a scope: NONE (never), OWN (only on one's own post or
one's own authority), OTHER (only on what is not one's own, e.g. votes) or ANY.
Create actions use ANY for "allowed". A locked question stops the LOCKED_ACTIONS on it
and its replies for everyone who lacks "question.bypass_lock".
"""
import enum

from .models import Authority, Question, Reply, Reuse, Role, Solution, User


class Scope(enum.Enum):
    NONE = "none"
    OWN = "own"
    OTHER = "other"
    ANY = "any"


N, O, X, A = Scope.NONE, Scope.OWN, Scope.OTHER, Scope.ANY

# action: (member, moderator, admin)
PERMISSIONS: dict[str, tuple[Scope, Scope, Scope]] = {
    "question.create": (A, A, A),
    "question.edit": (O, A, A),
    "question.delete": (O, A, A),
    "question.restore": (N, A, A),
    "question.accept": (O, A, A),
    "reply.create": (A, A, A),
    "reply.edit": (O, A, A),
    "solution.create": (A, A, A),
    "solution.edit": (O, A, A),
    "solution.view_draft": (O, A, A),
    "solution.curate": (N, A, A),
    "solution.submit": (O, A, A),
    "solution.review": (N, A, A),
    "question.to_solution": (O, A, A),
    "question.close": (N, A, A),
    "question.lock": (N, A, A),
    "question.move": (N, A, A),
    "question.bypass_lock": (N, A, A),
    "post.vote": (X, X, X),
    "post.flag": (A, A, A),
    "post.hide": (N, A, A),
    "post.view_hidden": (O, A, A),
    "revision.view": (O, A, A),
    "revision.restore": (N, A, A),
    "revision.redact": (N, A, A),
    "moderation.view": (N, A, A),
    "flag.resolve": (N, A, A),
    "audit.view": (N, A, A),
    "reuse.record": (O, O, A),
    "reuse.remove": (O, A, A),
    "authority.create": (N, N, A),
    "authority.edit": (O, N, A),
    "authority.rename": (N, N, A),
    "topic.manage": (N, A, A),
    "synonym.manage": (N, A, A),
    "user.manage": (N, N, A),
    "legal.edit": (N, N, A),
}
ROLE_COLUMN = {Role.MEMBER: 0, Role.MODERATOR: 1, Role.ADMIN: 2}
LOCKED_ACTIONS = {"question.edit", "question.accept", "reply.create", "reply.edit"}


def owns(user: User, target: object) -> bool:
    """Whether `target` belongs to the user (a post) or to the user's authority."""
    match target:
        case Authority():
            return target.id == user.authority_id
        case Reuse():
            return target.authority_id == user.authority_id
        case Question() | Reply() | Solution():
            return target.author_id is not None and target.author_id == user.id
        case User():
            return target.id == user.id
        case None:
            return True
    raise TypeError(f"no ownership rule for {type(target).__name__}")


def can(user: User | None, action: str, target: object = None) -> bool:
    """Whether `user` may perform `action` on `target`."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    if action in LOCKED_ACTIONS and _locked(target) and not can(user, "question.bypass_lock"):
        return False
    scope = PERMISSIONS[action][ROLE_COLUMN[Role(user.role)]]
    if scope is Scope.ANY:
        return True
    if scope is Scope.OTHER:
        return not owns(user, target)
    return scope is Scope.OWN and owns(user, target)


def _locked(target: object) -> bool:
    question = target.question if isinstance(target, Reply) else target
    return isinstance(question, Question) and question.locked

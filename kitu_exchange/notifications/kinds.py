"""The kinds of notification, and how each is told in German and where it leads.

`describe(notification)` and `target_url(notification)` serve the notification list and
any other channel (mail texts) alike, so a kind reads the same everywhere.
"""
import enum

from flask import url_for
from flask_babel import gettext as _

from ..models import Notification


class Kind(enum.StrEnum):
    QUESTION_REPLY = "question_reply"            # a reply to my question
    FOLLOWED_REPLY = "followed_reply"            # a reply on a question I follow
    REPLY_ACCEPTED = "reply_accepted"            # my reply was accepted
    NEW_QUESTION = "new_question"                # in a topic, tag or authority I follow
    NEW_SOLUTION = "new_solution"                # published in a topic, tag or authority I follow
    SOLUTION_REUSED = "solution_reused"          # my solution, by another authority
    FOLLOWED_SOLUTION_REUSED = "followed_reuse"  # a solution I follow, by another authority
    SOLUTION_PUBLISHED = "solution_published"    # review decisions on my solution
    SOLUTION_BEST_PRACTICE = "solution_best_practice"
    SOLUTION_SENT_BACK = "solution_sent_back"
    SOLUTION_ARCHIVED = "solution_archived"
    CHANGE_APPROVED = "change_approved"          # review decisions on my pending change
    CHANGE_SENT_BACK = "change_sent_back"
    POST_HIDDEN = "post_hidden"                  # my post was hidden (with the reason)
    FLAG_RESOLVED = "flag_resolved"              # a flag on my post was resolved
    MENTION = "mention"                          # @my-handle
    AUTHORITY_MENTION = "authority_mention"      # @authority-slug, to members following it


# Events that concern the person directly: the mail helper sends these at once.
DIRECT_KINDS = frozenset({
    Kind.QUESTION_REPLY, Kind.REPLY_ACCEPTED,
    Kind.SOLUTION_PUBLISHED, Kind.SOLUTION_BEST_PRACTICE, Kind.SOLUTION_SENT_BACK,
    Kind.SOLUTION_ARCHIVED, Kind.CHANGE_APPROVED, Kind.CHANGE_SENT_BACK,
    Kind.MENTION,
})
# What is new in what a person follows: the stuff of daily or weekly digests.
FOLLOWED_KINDS = frozenset({
    Kind.FOLLOWED_REPLY, Kind.NEW_QUESTION, Kind.NEW_SOLUTION,
    Kind.FOLLOWED_SOLUTION_REUSED, Kind.AUTHORITY_MENTION,
})


def _title(notification: Notification) -> str:
    if notification.solution is not None:
        return notification.solution.title
    if notification.question is not None:
        return notification.question.title
    if notification.reply is not None:
        return notification.reply.question.title
    return ""


def _actor(notification: Notification) -> str:
    actor = notification.actor
    return actor.display_name if actor is not None else _("ehemaliges Mitglied")


def _actor_with_authority(notification: Notification) -> str:
    actor = notification.actor
    if actor is None or actor.deleted:
        return _actor(notification)
    return _("%(name)s (%(authority)s)", name=actor.display_name,
             authority=actor.authority.name)


FLAG_OUTCOMES = {"dismissed": lambda: _("die Meldung wurde verworfen"),
                 "edited": lambda: _("der Beitrag wurde überarbeitet")}


def describe(notification: Notification) -> str:
    """The notification as one German sentence (plain text, not HTML)."""
    kind, title = notification.kind, _title(notification)
    actor, note = _actor_with_authority(notification), notification.note
    authority = notification.authority.name if notification.authority else ""
    is_reply = notification.reply_id is not None
    texts = {
        Kind.QUESTION_REPLY: lambda: _(
            "%(actor)s hat auf Ihre Frage „%(title)s“ geantwortet.", actor=actor, title=title),
        Kind.FOLLOWED_REPLY: lambda: _(
            "%(actor)s hat auf „%(title)s“ geantwortet.", actor=actor, title=title),
        Kind.REPLY_ACCEPTED: lambda: _(
            "%(actor)s hat Ihre Antwort auf „%(title)s“ als Lösung akzeptiert.",
            actor=actor, title=title),
        Kind.NEW_QUESTION: lambda: _(
            "Neue Frage von %(actor)s: „%(title)s“.", actor=actor, title=title),
        Kind.NEW_SOLUTION: lambda: _(
            "Neue Lösung von %(authority)s: „%(title)s“.",
            authority=notification.solution.authority.name, title=title),
        Kind.SOLUTION_REUSED: lambda: _(
            "%(authority)s nutzt Ihre Lösung „%(title)s“ nach.", authority=authority,
            title=title),
        Kind.FOLLOWED_SOLUTION_REUSED: lambda: _(
            "%(authority)s nutzt die Lösung „%(title)s“ nach.", authority=authority,
            title=title),
        Kind.SOLUTION_PUBLISHED: lambda: _(
            "Ihre Lösung „%(title)s“ ist veröffentlicht.", title=title),
        Kind.SOLUTION_BEST_PRACTICE: lambda: _(
            "Ihre Lösung „%(title)s“ ist als Best Practice veröffentlicht.", title=title),
        Kind.SOLUTION_SENT_BACK: lambda: _(
            "Ihre Lösung „%(title)s“ wurde zur Überarbeitung zurückgegeben. Hinweis der "
            "Moderation: %(note)s", title=title, note=note),
        Kind.SOLUTION_ARCHIVED: lambda: _(
            "Ihre Lösung „%(title)s“ wurde archiviert.", title=title),
        Kind.CHANGE_APPROVED: lambda: _(
            "Ihre Änderung an der Lösung „%(title)s“ ist freigegeben.", title=title),
        Kind.CHANGE_SENT_BACK: lambda: _(
            "Ihre Änderung an der Lösung „%(title)s“ wurde zurückgegeben. Hinweis der "
            "Moderation: %(note)s", title=title, note=note),
        Kind.POST_HIDDEN: lambda: (
            _("Ihre Antwort auf „%(title)s“ wurde ausgeblendet. Grund: %(note)s",
              title=title, note=note) if is_reply else
            _("Ihr Beitrag „%(title)s“ wurde ausgeblendet. Grund: %(note)s",
              title=title, note=note)),
        Kind.FLAG_RESOLVED: lambda: (
            _("Eine Meldung zu Ihrer Antwort auf „%(title)s“ ist erledigt: %(outcome)s.",
              title=title, outcome=FLAG_OUTCOMES.get(note, FLAG_OUTCOMES["dismissed"])())
            if is_reply else
            _("Eine Meldung zu Ihrem Beitrag „%(title)s“ ist erledigt: %(outcome)s.",
              title=title, outcome=FLAG_OUTCOMES.get(note, FLAG_OUTCOMES["dismissed"])())),
        Kind.MENTION: lambda: _(
            "%(actor)s hat Sie in „%(title)s“ erwähnt.", actor=actor, title=title),
        Kind.AUTHORITY_MENTION: lambda: _(
            "%(actor)s hat %(authority)s in „%(title)s“ erwähnt.", actor=actor,
            authority=authority, title=title),
    }
    text = texts.get(kind)
    return text() if text else _("Neuigkeit zu „%(title)s“.", title=title)


def target_url(notification: Notification, external: bool = False) -> str:
    """Where the notification leads: the reply, question, solution or authority.

    `external=True` gives an absolute address (mail texts; needs SERVER_NAME or a request).
    """
    if notification.reply is not None:
        question = notification.reply.question
        return url_for("forum.question", question_id=question.id, slug=question.slug,
                       _anchor=f"antwort-{notification.reply_id}", _external=external)
    if notification.question is not None:
        question = notification.question
        return url_for("forum.question", question_id=question.id, slug=question.slug,
                       _external=external)
    if notification.solution is not None:
        return url_for("library.solution", slug=notification.solution.slug,
                       _external=external)
    if notification.authority is not None:
        return url_for("authorities.profile", slug=notification.authority.slug,
                       _external=external)
    return url_for("notifications.index", _external=external)

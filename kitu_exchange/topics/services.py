"""Topics (Themenfelder) and tags: lookups the other areas share, and curation."""
from flask_babel import gettext as _
from sqlalchemy import case, func, select

from ..errors import Conflict, Invalid
from ..extensions import db
from ..models import Question, Solution, Tag, Topic, User
from ..models.forum import question_tag, question_topic
from ..models.library import solution_tag, solution_topic
from ..records import audit, insert_missing, require
from ..models.unit_of_work import commit
from ..search.changes import record_change
from ..text import tag_labels
from ..visibility import public_questions, public_solutions


def all_topics() -> list[Topic]:
    return list(db.session.scalars(select(Topic).order_by(Topic.name)))


def resolve_topics(slugs: list[str]) -> list[Topic]:
    """Topics for the given slugs; raises Invalid for an unknown or missing one."""
    wanted = list(dict.fromkeys(slugs))
    if not wanted:
        raise Invalid(_("Bitte wählen Sie mindestens ein Themenfeld."), "topics")
    topics = list(db.session.scalars(select(Topic).where(Topic.slug.in_(wanted))))
    if len(topics) != len(wanted):
        unknown = sorted(set(wanted) - {topic.slug for topic in topics})
        raise Invalid(_("Unbekanntes Themenfeld: %(slugs)s", slugs=", ".join(unknown)),
                      "topics")
    return sorted(topics, key=lambda topic: topic.name)


def resolve_tags(value: str | list[str] | None) -> list[Tag]:
    """Tags for a comma separated input (or list), creating the ones that are new."""
    labels = tag_labels(value if isinstance(value, str) else ",".join(value or ()))
    names = list(labels)
    if not names:
        return []

    def existing() -> dict[str, Tag]:
        return {tag.name: tag for tag in db.session.scalars(
            select(Tag).where(Tag.name.in_(names)))}

    tags = existing()
    if len(tags) < len(names):
        insert_missing(Tag, "name", [{"name": name, "label": labels[name]}
                                     for name in names if name not in tags])
        tags = existing()
    for name, tag in tags.items():
        # A tag only ever written in lower case takes the first spelling with capitals
        # ("xrechnung" -> "XRechnung"); a spelling with capitals is never changed.
        if tag.shown == name and labels[name] != name:
            tag.label = labels[name]
    return [tags[name] for name in names]


TAG_SUGGESTIONS = 8


def suggest_tags(text: str, limit: int = TAG_SUGGESTIONS) -> list[tuple[Tag, int]]:
    """Tags on posts every member may see whose key contains `text`, with how often they
    are used: tags that start with it first, then the most used. A tag used only on
    hidden posts or drafts is never suggested (it would tell of them)."""
    key = text.strip().lower()
    if not key:
        return []
    uses = (select(question_tag.c.tag_id.label("tag_id"))
            .join(Question, Question.id == question_tag.c.question_id)
            .where(public_questions())
            .union_all(select(solution_tag.c.tag_id)
                       .join(Solution, Solution.id == solution_tag.c.solution_id)
                       .where(public_solutions()))
            .subquery())
    count = func.count().label("uses")
    rows = db.session.execute(
        select(Tag, count).join(uses, uses.c.tag_id == Tag.id)
        .where(Tag.name.contains(key, autoescape=True))
        .group_by(Tag.id)
        .order_by(case((Tag.name.startswith(key, autoescape=True), 0), else_=1),
                  count.desc(), Tag.name)
        .limit(limit)).all()
    return [(tag, uses) for tag, uses in rows]


def topic_counts() -> list[tuple[Topic, int, int]]:
    """Every topic with its number of visible questions and public solutions."""
    questions = dict(db.session.execute(
        select(question_topic.c.topic_id, func.count())
        .join(Question, Question.id == question_topic.c.question_id)
        .where(public_questions())
        .group_by(question_topic.c.topic_id)).all())
    solutions = dict(db.session.execute(
        select(solution_topic.c.topic_id, func.count())
        .join(Solution, Solution.id == solution_topic.c.solution_id)
        .where(public_solutions())
        .group_by(solution_topic.c.topic_id)).all())
    return [(topic, questions.get(topic.id, 0), solutions.get(topic.id, 0))
            for topic in all_topics()]


def save_topic(user: User, topic: Topic | None, slug: str, name: str,
               description: str) -> Topic:
    """Create (topic=None) or update a topic. Raises NotAllowed, Conflict."""
    require(user, "topic.manage")
    clash = db.session.scalar(select(Topic).filter_by(slug=slug))
    if clash is not None and clash is not topic:
        raise Conflict(_("Ein Themenfeld mit dieser Kurzbezeichnung gibt es schon."))
    action = "topic.edit" if topic is not None else "topic.create"
    if topic is None:
        topic = Topic(slug=slug)
        db.session.add(topic)
    elif topic.slug != slug:
        # Search documents hold the topic's slug (the filter): refresh its posts.
        record_change(*db.session.scalars(select(Question).where(Question.topics.contains(topic))),
                      *db.session.scalars(select(Solution).where(Solution.topics.contains(topic))))
    topic.slug, topic.name, topic.description = slug, name, description
    audit(user, action, topic)
    commit()
    return topic


def delete_topic(user: User, topic: Topic) -> None:
    """Remove a topic; its posts keep their other topics. Raises NotAllowed."""
    require(user, "topic.manage")
    record_change(
        *db.session.scalars(select(Question).where(Question.topics.any(Topic.id == topic.id))),
        *db.session.scalars(select(Solution).where(Solution.topics.any(Topic.id == topic.id))))
    audit(user, "topic.delete", topic)
    db.session.delete(topic)
    commit()

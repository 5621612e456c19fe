"""Synthetic forum data shared by the page and feed benchmarks: twenty authorities, one
topic and questions of random administrative words, inserted in bulk."""
import random
from datetime import datetime, timedelta, timezone

from kitu_exchange.extensions import db
from kitu_exchange.models import Authority, Topic

WORDS = ("Drucker Kopierer Rechnung XRechnung Datensicherung Rathaus Verwaltung Server "
         "Netzwerk Telefonanlage Bürgerbüro Ausschreibung Vertrag Kosten Schulung Software "
         "Dienstleister Landkreis Gemeinde Stadt Sicherheit Backup Scanner Akte").split()
START = datetime(2020, 1, 1, tzinfo=timezone.utc)


def sentence(rng: random.Random, length: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(length)) + "."


def authorities_and_topic(rng: random.Random) -> tuple[list[Authority], Topic]:
    authorities = [Authority(slug=f"kommune-{i}", name=f"Kommune {i}", kind="Gemeinde",
                             population=rng.randint(2_000, 150_000)) for i in range(20)]
    topic = Topic(slug="allgemein", name="Allgemein", description="")
    db.session.add_all([*authorities, topic])
    db.session.commit()
    return authorities, topic


def question_rows(rng: random.Random, count: int, authorities: list[Authority],
                  body_words: int) -> list[dict]:
    """Rows for a bulk insert of questions 1..count, one an hour from START."""
    rows = []
    for number in range(1, count + 1):
        body = sentence(rng, body_words)
        rows.append({"id": number, "slug": f"frage-{number}", "title": sentence(rng, 8)[:-1],
                     "body": body, "body_html": f"<p>{body}</p>",
                     "authority_id": authorities[number % len(authorities)].id,
                     "created_at": START + timedelta(hours=number), "reply_count": 0})
    return rows

"""Item 19 of issue 11: one vocabulary, gender-fair forms, no stray spaces before commas,
imported posts credited to their authority, dates without seconds, a primary "Eine Frage
stellen" near the top of the home page, German date inputs."""
import html as html_lib
import re
from datetime import date
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from kitu_exchange.extensions import db
from kitu_exchange.models import Authority, Question
from tests.conftest import ADMIN, MOD, REPO, A, B


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'<span class="visually-hidden">.*?</span>', " ", page, flags=re.S)
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", page))
    return re.sub(r"\s+", " ", text)


def without_tag_gaps(page: str) -> str:
    """The text as a browser lays it out: tags vanish without adding spaces."""
    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", page, flags=re.S)
    page = re.sub(r'<span class="visually-hidden">.*?</span>', "", page, flags=re.S)
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", "", page)))


class FlexText(HTMLParser):
    """Text that sits directly in a `.meta` line. Those lines are flex containers
    (static/css/app.css): each element and each text run between elements is its own
    flex item with a gap between them, so a comma right after a link shows a space."""

    VOID = {"img", "br", "input", "meta", "link", "hr", "source", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack, self.texts = [], []
        self.lines = []  # per `.meta` line its items: ["text" | "element", their text]
        self.line_depth = None

    def handle_starttag(self, tag, attrs):
        if self.line_depth is not None and len(self.stack) == self.line_depth:
            self.lines[-1].append(["element", ""])
        if tag not in self.VOID:
            meta = "meta" in (dict(attrs).get("class") or "").split()
            self.stack.append(meta)
            if meta:
                self.line_depth = len(self.stack)
                self.lines.append([])

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()
            if self.line_depth is not None and len(self.stack) < self.line_depth:
                self.line_depth = None

    def handle_data(self, data):
        if self.stack and self.stack[-1] and data.strip():
            self.texts.append(data.strip())
        if self.line_depth is None or not data.strip():
            return
        items = self.lines[-1]
        if len(self.stack) > self.line_depth:
            items[-1][1] += data
        elif items and items[-1][0] == "text":
            items[-1][1] += data
        else:
            items.append(["text", data])


def flex_texts(page: str) -> list[str]:
    parser = FlexText()
    parser.feed(page)
    return parser.texts


def torn_lead_ins(page: str) -> list[str]:
    """Items of `.meta` lines that run on into the next item: a text ending in a word
    ("Gefragt von" <a>, "zuletzt geprüft" <time>) or any item ending in a comma
    ("Bernd Helfer," <a>, <span>…,</span> <time>). The flex gap shows there as a wide
    space, so they belong in one item with what follows."""
    parser = FlexText()
    parser.feed(page)
    torn = []
    for items in parser.lines:
        for (kind, text), _next in zip(items, items[1:]):
            text = " ".join(text.split())
            if text.endswith(",") or (kind == "text" and re.search(r"[^\W\d_]$", text)):
                torn.append(text)
    return torn


@pytest.fixture
def site(app, runner, people, make_user):
    assert runner.invoke(args=["content", "import", str(REPO / "content")]).exit_code == 0
    make_user("q@quedlinburg.example", authority="quedlinburg", name="Quirin Quedl")


def pages(client, app):
    with app.app_context():
        question = db.session.scalar(select(Question).order_by(Question.id))
        solution_slug = db.session.scalar(select(db.text("slug FROM solution")))
        question_url = f"/fragen/{question.id}-{question.slug}"
    return ["/", "/fragen", question_url, "/loesungen", f"/loesungen/{solution_slug}",
            "/kommunen", "/kommunen/quedlinburg", "/themen", "/moderation",
            "/moderation/protokoll", f"/verlauf/question/{question.id}", "/suche?q=Drucker",
            "/moderation/geloescht", "/moderation/synonyme"]


def test_no_space_before_commas_and_no_seconds(app, client, auth, site):
    auth.login(MOD)
    for url in pages(client, app):
        page = client.get(url, follow_redirects=True).get_data(as_text=True)
        text = without_tag_gaps(page)
        assert not re.search(r"\s,", text), (url, re.search(r".{40}\s,.{20}", text))
        assert not [t for t in flex_texts(page) if t[0] in ",.;:"], (url, flex_texts(page))
        assert not torn_lead_ins(page), (url, torn_lead_ins(page))
        # A separator belongs to the part it introduces: "X ·" as one item leaves a lone
        # dot at the end of a wrapped line and uneven gaps around the dots.
        assert not [t for t in flex_texts(page) if t.endswith("·") and t != "·"], (
            url, flex_texts(page))
        assert not re.search(r"\d{1,2}:\d{2}:\d{2}", visible_text(page)), url


def test_imported_posts_are_credited_to_their_authority(app, client, auth, site):
    auth.login(A)
    with app.app_context():
        imported = db.session.scalar(select(Question).where(Question.author_id.is_(None)))
        authority = imported.authority.name
        url = f"/fragen/{imported.id}-{imported.slug}"
    text = visible_text(client.get(url).get_data(as_text=True))
    assert f"Gefragt von {authority}" in text
    assert "Mitglied," not in text


def test_gender_fair_contact_label(client, auth, people, make_solution):
    slug = make_solution(A, contact="IT-Leitung, it@musterstadt.example")
    auth.login(B)
    page = client.get(f"/loesungen/{slug}").get_data(as_text=True)
    assert "Ansprechperson" in page and "Ansprechpartner" not in page
    auth.logout()
    auth.login(A)
    assert "Ansprechperson" in client.get(f"/loesungen/{slug}/bearbeiten").get_data(as_text=True)


def test_directory_and_profile_wording(client, auth, people):
    """Filters say "Alle" as every other filter does; "Einwohnerzahl", as the filter and
    the edit form say, instead of the generic masculine "Einwohner"."""
    auth.login(A)
    directory = client.get("/kommunen").get_data(as_text=True)
    assert re.findall(r'<option value="">([^<]*)</option>', directory) == ["Alle"] * 3
    for page in (directory, client.get("/kommunen/musterstadt").get_data(as_text=True)):
        assert "Einwohnerzahl" in page
        assert not re.search(r">\s*Einwohner\s*<", page)


def test_home_page_starts_with_a_primary_ask_button(client, auth, people):
    auth.login(A)
    page = client.get("/").get_data(as_text=True)
    main = page[page.index('id="inhalt"'):]
    button = re.search(r'<a class="kern-btn kern-btn--primary" href="/fragen/neu">', main)
    assert button and button.start() < main.index("Neue Fragen")
    assert 'kern-btn--primary"><span class="kern-label">Suchen' not in main  # one primary


def test_german_date_inputs(app, client, auth, site):
    auth.login(ADMIN)
    form = {"slug": "neudorf", "name": "Gemeinde Neudorf", "kind": "Gemeinde",
            "state": "Sachsen-Anhalt", "member_since": "01.07.2016"}
    page = client.get("/kommunen/neu").get_data(as_text=True)
    assert "TT.MM.JJJJ" in page and 'type="date"' not in page
    assert auth.post("/kommunen/neu", form, token_from="/kommunen/neu").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Authority.member_since).filter_by(slug="neudorf")) == \
            date(2016, 7, 1)
    assert 'value="01.07.2016"' in client.get("/kommunen/neudorf/bearbeiten").get_data(
        as_text=True)
    search = client.get("/suche?q=Drucker&von=01.03.2000&bis=31.12.2030").get_data(as_text=True)
    assert "Treffer" in search
    assert 'value="01.03.2000"' in search and 'value="31.12.2030"' in search
    assert 'type="date"' not in search
    bad = client.get("/suche?q=Drucker&von=2020-13-45").get_data(as_text=True)
    assert "TT.MM.JJJJ" in bad


def test_home_counts_use_singular_for_one(client, auth, people, make_question,
                                          make_solution):
    make_solution(A)
    make_question(A)
    auth.login(A)
    text = visible_text(client.get("/").get_data(as_text=True))
    assert re.search(r"\b1 Lösung\b(?!en)", text) and "1 Lösungen" not in text
    assert re.search(r"\b1 Frage\b(?!n)", text) and "1 Fragen" not in text


def test_home_counts_member_authorities_only(app, client, auth, people, make_authority):
    """The association's office has accounts but is no Kommune (as in the directory)."""
    make_authority("buero", "Kommunale IT-UNION (Geschäftsstelle)", kind="Sonstige",
                   is_member=False)
    with app.app_context():
        members = db.session.scalar(select(db.func.count(Authority.id)).where(
            Authority.is_member.is_(True)))
    auth.login(A)
    text = visible_text(client.get("/").get_data(as_text=True))
    assert re.search(rf"\b{members} Kommunen? ·", text), text[:400]

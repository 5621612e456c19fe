"""Finding (issue 11, items 6-10) through the test client: the header search, filters
that are never a dead end, page numbers, breadcrumbs."""
import re

import pytest

from tests.conftest import A, B


@pytest.fixture
def cases(people, make_topic, make_question, make_solution):
    make_topic("e-rechnung", "E-Rechnung")
    make_question(A, title="Druckerflotte im Bauamt erneuern")
    make_question(B, title="Drucker im Rathaus zentral verwalten", topics=["e-rechnung"],
                  tags="XRechnung")
    return make_solution(B, title="Managed Print für Drucker", status="best_practice")


def test_search_box_in_the_header_of_every_page(client, auth, cases):
    auth.login(A)
    for url in ("/", "/fragen", "/loesungen", "/kommunen", "/themen", "/konto/"):
        html = client.get(url).get_data(as_text=True)
        header = html.split("</header>")[0]
        assert re.search(r'<form class="site-search" method="get" action="/suche" '
                         r'role="search" aria-label="Suche im Exchange">', header), url
        assert '<label class="visually-hidden" for="kopf-suche">Suchbegriff</label>' in header
    # Not twice on the search page, which has its own box.
    html = client.get("/suche?q=Drucker").get_data(as_text=True)
    assert 'id="kopf-suche"' not in html and 'id="suchbegriff"' in html
    auth.logout()
    assert 'id="kopf-suche"' not in client.get("/anmelden").get_data(as_text=True)


def chip_links(html: str) -> dict[str, str]:
    return {label: href.replace("&amp;", "&") for href, label in re.findall(
        r'<a class="filter-chip" href="([^"]*)"><span class="visually-hidden">Filter entfernen: '
        r'</span>([^<]*?) <span', html)}


def test_zero_hits_keep_filters_as_chips_and_name_them(client, auth, cases):
    auth.login(A)
    html = client.get("/suche?q=Drucker&thema=e-rechnung&art=solution&sortierung=newest"
                      ).get_data(as_text=True)
    assert "0 Treffer" in html
    # The filter controls stay, with the chosen values.
    assert re.search(r'<option value="e-rechnung" selected>E-Rechnung</option>', html)
    assert re.search(r'<option value="solution" selected>Lösungen</option>', html)
    assert "Filter (2 aktiv)" in html
    chips = chip_links(html)
    assert chips == {
        "Art: Lösungen": "/suche?q=Drucker&thema=e-rechnung&sortierung=newest",
        "Themenfeld: E-Rechnung": "/suche?q=Drucker&art=solution&sortierung=newest"}
    assert '<a class="kern-link kern-link--small" href="/suche?q=Drucker&amp;sortierung=newest">' \
           'Filter zurücksetzen</a>' in html
    assert "Wahrscheinlich liegt es an den Filtern" in html
    assert "Ohne Filter gibt es 3 Treffer." in html
    # Removing one chip leads to hits.
    html = client.get(chips["Art: Lösungen"]).get_data(as_text=True)
    assert "1 Treffer" in html and "Filter (1 aktiv)" in html


def test_zero_hits_without_filters_do_not_blame_them(client, auth, cases):
    auth.login(A)
    html = client.get("/suche?q=Teamviewer").get_data(as_text=True)
    assert "Keine Treffer. Versuchen Sie andere" in html
    assert "Wahrscheinlich" not in html and 'class="filter-chip"' not in html
    assert "Filter (0 aktiv)" in html and "Filter zurücksetzen" in html


def test_question_list_filters_are_chips(client, auth, cases):
    auth.login(A)
    html = client.get("/fragen?anzeigen=solved&schlagwort=XRechnung&kommune=nachbarort"
                      ).get_data(as_text=True)
    chips = chip_links(html)
    assert set(chips) == {"Anzeigen: Gelöst", "Schlagwort: XRechnung",
                          "Kommune: Stadt Nachbarort"}
    assert "Wahrscheinlich liegt es an den Filtern" in html
    html = client.get(chips["Anzeigen: Gelöst"]).get_data(as_text=True)
    assert "1 Frage" in html and "Drucker im Rathaus" in html  # the tag matches any case
    html = client.get("/fragen").get_data(as_text=True)
    assert 'class="filter-chip"' not in html and 'href="/fragen">Filter zurücksetzen' in html
    html = client.get("/loesungen?thema=e-rechnung").get_data(as_text=True)
    assert chip_links(html) == {"Themenfeld: E-Rechnung": "/loesungen"}
    assert "Wahrscheinlich liegt es am Filter" in html


def page_numbers(html: str) -> list[str]:
    nav = html.split('aria-label="Seitennavigation"')[1].split("</nav>")[0]
    return re.findall(r'(aria-current="page" )?href="[^"]*page=(\d+)[^"]*">'
                      r'<span class="visually-hidden">Seite </span>\d+</a>', nav)


def test_pagination_shows_first_last_and_neighbours(client, auth, people, make_question):
    for number in range(130):
        make_question(A, title=f"Frage Nummer {number:03d} zu Druckern")
    auth.login(A)
    html = client.get("/fragen?page=4&thema=").get_data(as_text=True)
    numbers = page_numbers(html)
    assert [n for _, n in numbers] == ["1", "3", "4", "5", "7"]
    assert [n for current, n in numbers if current] == ["4"]
    assert html.count('class="pagination__gap" aria-hidden="true">…') == 2
    assert 'rel="prev" href="/fragen?page=3&amp;thema="' in html
    assert "Seite 4 von 7" in html
    first = client.get("/fragen").get_data(as_text=True)
    assert [n for _, n in page_numbers(first)] == ["1", "2", "7"]
    assert 'rel="prev"' not in first and 'rel="next"' in first


def breadcrumb_trail(html: str) -> list[str]:
    nav = re.search(r'<nav class="breadcrumbs" aria-label="Brotkrümelpfad">(.*?)</nav>', html,
                    re.S)
    assert nav, "no breadcrumbs"
    return [re.sub(r"\s+", " ", text).strip() for text in
            re.findall(r"<(?:a|span)[^>]*(?:href|aria-current)[^>]*>([^<]+)</", nav.group(1))]


def test_breadcrumbs_on_case_topic_and_authority_pages(client, auth, cases):
    auth.login(A)
    question = client.get("/fragen/1", follow_redirects=True).get_data(as_text=True)
    assert breadcrumb_trail(question) == ["Startseite", "Fragen",
                                          "Druckerflotte im Bauamt erneuern"]
    assert '<span class="kern-body kern-body--small" aria-current="page">' in question
    solution = client.get(f"/loesungen/{cases}").get_data(as_text=True)
    assert breadcrumb_trail(solution) == ["Startseite", "Lösungen", "Managed Print für Drucker"]
    topic = client.get("/themen/e-rechnung").get_data(as_text=True)
    assert breadcrumb_trail(topic) == ["Startseite", "Themen", "E-Rechnung"]
    authority = client.get("/kommunen/nachbarort").get_data(as_text=True)
    assert breadcrumb_trail(authority) == ["Startseite", "Kommunen", "Stadt Nachbarort"]
    # The trail comes before the page's heading and links the lists.
    assert question.index("Brotkrümelpfad") < question.index("<h1")
    assert 'href="/fragen">Fragen</a>' in question


def test_similar_panel_sits_between_description_and_publish_button(client, auth, cases):
    auth.login(A)
    html = client.get("/fragen/neu").get_data(as_text=True)
    form = html.split('id="frage-formular"')[1].split("</form>")[0]
    positions = [form.index(marker) for marker in (
        'id="body"', 'id="aehnliche-faelle"', ">Frage veröffentlichen<")]
    assert positions == sorted(positions)


def test_search_filters_collapse_without_script(client, auth, cases):
    auth.login(A)
    html = client.get("/suche?q=Drucker&art=question").get_data(as_text=True)
    details = html.split('<details class="filter-details">')[1].split("</details>")[0]
    assert '<summary class="filter-details__summary"><span class="kern-label">Filter (1 aktiv)' \
           in details
    assert 'id="filter-art"' in details and ">Anwenden<" in details

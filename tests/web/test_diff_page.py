"""Item 17 of issue 11: the history page marks changes with signs and words."""
import re

from tests.conftest import A


def test_history_marks_lines_with_signs_and_changed_words(client, auth, people, make_question):
    question = make_question(A, title="Drucker im Rathaus",
                             body="Wir haben 40 Druckermodelle im Rathaus.")
    auth.login(A)
    auth.post(f"/fragen/{question}/bearbeiten", {
        "title": "Drucker im Rathaus", "body": "Wir haben 12 Druckermodelle im Rathaus.",
        "topics": ["drucker-kopierer"], "reason": ""})
    html = client.get(f"/verlauf/question/{question}").get_data(as_text=True)
    assert "Legende:" in html and "entfernte Zeile" in html and "hinzugefügte Zeile" in html
    removed = re.search(r'<del class="diff-line[^"]*">(.*?)</del>', html, re.S).group(1)
    added = re.search(r'<ins class="diff-line[^"]*">(.*?)</ins>', html, re.S).group(1)
    assert '<span class="diff-sign" aria-hidden="true">−</span>' in removed
    assert '<span class="diff-sign" aria-hidden="true">+</span>' in added
    assert "entfernt:" in removed and "hinzugefügt:" in added  # for screen readers
    assert re.findall(r'<strong class="diff-word[^"]*">([^<]*)</strong>', removed) == ["40"]
    assert re.findall(r'<strong class="diff-word[^"]*">([^<]*)</strong>', added) == ["12"]

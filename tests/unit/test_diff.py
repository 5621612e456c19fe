"""Item 17 of issue 11: the revision diff marks whole lines with signs and the words that
changed within an edited line (difflib, word level)."""
from kitu_exchange.moderation.revisions import diff, diff_lines


def marked(line):
    return [text for changed, text in line.segments if changed]


def test_edited_line_marks_only_the_changed_words():
    lines = diff_lines("Wir drucken 40 Modelle im Rathaus.", "Wir drucken 12 Modelle im Rathaus.")
    assert [line.mark for line in lines] == ["-", "+"]
    assert marked(lines[0]) == ["40"] and marked(lines[1]) == ["12"]
    assert lines[1].text == "Wir drucken 12 Modelle im Rathaus."


def test_unchanged_added_and_removed_lines():
    lines = diff_lines("Erste Zeile\nZweite Zeile\nDritte", "Erste Zeile\nDritte\nVierte Zeile")
    marks = [(line.mark, line.text, marked(line)) for line in lines]
    assert (" ", "Erste Zeile", []) in marks
    assert ("-", "Zweite Zeile", []) in marks  # removed as a whole: no word marks
    assert ("+", "Vierte Zeile", []) in marks
    assert (" ", "Dritte", []) in marks


def test_more_new_lines_than_old_ones_in_one_block():
    lines = diff_lines("a b c", "a x c\nneue Zeile")
    assert [(line.mark, line.text) for line in lines] == [
        ("-", "a b c"), ("+", "a x c"), ("+", "neue Zeile")]
    assert marked(lines[1]) == ["x"] and marked(lines[2]) == []


def test_fields_without_change_are_left_out_and_lists_compare_as_text():
    changes = dict(diff({"title": "T", "topics": ["a", "b"]}, {"title": "T", "topics": ["a"]}))
    assert list(changes) == ["topics"]
    assert [line.mark for line in changes["topics"]] == ["-", "+"]


def test_a_rewritten_line_is_not_word_diffed_and_neighbouring_changes_join():
    lines = diff_lines("Ruf an: 0391 5556677", "[entfernt durch die Moderation]")
    assert [(line.mark, marked(line)) for line in lines] == [("-", []), ("+", [])]
    lines = diff_lines("Wir haben alte Drucker im Amt.", "Wir haben neue Geräte im Amt.")
    assert marked(lines[0]) == ["alte Drucker"] and marked(lines[1]) == ["neue Geräte"]

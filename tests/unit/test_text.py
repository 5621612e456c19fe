"""Plain text of Markdown for search snippets (kitu_exchange/text.py)."""
import pytest

from kitu_exchange.text import plain_text


@pytest.mark.parametrize("markdown", [
    "Pro Etage:\n\n```\nDruckerpool: 12 Geräte\n```\n",
    "Pro Etage:\n\n```ini\nDruckerpool: 12 Geräte\n```",
    "Pro Etage:\n\n~~~\nDruckerpool: 12 Geräte\n~~~\n",
])
def test_code_fences_leave_no_marks_in_snippets(markdown):
    text = plain_text(markdown)
    assert "`" not in text and "~" not in text and "ini" not in text
    assert " ".join(text.split()) == "Pro Etage: Druckerpool: 12 Geräte"


def test_inline_code_keeps_its_words():
    assert plain_text("Mit `xrechnung-viewer` und **fett**") == "Mit xrechnung-viewer und fett"

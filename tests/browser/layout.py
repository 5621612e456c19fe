"""The two-width page frame (issue 11): a page is checked at 1280 x 800 and at 390 x 844
for horizontal overflow and axe violations, and a screenshot of each width is written to
tests/browser/screenshots/ (ignored by git) for a reviewer.

Use it from any browser test:

    from tests.browser.layout import WIDTHS, check_layout
    @pytest.mark.parametrize("width", WIDTHS)
    def test_x(new_page, width, ...):
        page = new_page(state, viewport=WIDTHS[width])
        page.goto(...)
        check_layout(page, "my-page", width)

or add a LayoutPage to LAYOUT_PAGES in tests/browser/test_layout.py, which does exactly
that for every page listed there, on the content of tests/browser/site.py.
"""
import re
from pathlib import Path

from tests.browser.conftest import assert_accessible

WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


def overflow(page) -> dict:
    """How wide the document is against the viewport, and the widest elements that stick
    out on the right (to name the culprit when the check fails)."""
    return page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        const culprits = [];
        for (const element of document.querySelectorAll('body *')) {
            const box = element.getBoundingClientRect();
            if (box.right > width + 1 && box.width > 0) {
                culprits.push(`${element.tagName.toLowerCase()}${element.id ? '#' + element.id : ''}`
                    + `${element.className && typeof element.className === 'string'
                          ? '.' + element.className.trim().split(/\\s+/).join('.') : ''}`
                    + ` right=${Math.round(box.right)}`);
            }
        }
        return {document: document.documentElement.scrollWidth, viewport: width,
                culprits: culprits.slice(0, 8)};
    }""")


def assert_no_horizontal_scrolling(page) -> None:
    found = overflow(page)
    assert found["document"] <= found["viewport"], (
        f"{page.url} scrolls sideways: document {found['document']} px, viewport "
        f"{found['viewport']} px; sticking out: {found['culprits']}")


def screenshot(page, name: str, width: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def cramped_headings(page, at_least: int = 16) -> list:
    """Section headings (h2) of the main content that sit closer than `at_least` px
    below whatever comes before them, e.g. right under a button, as (text, gap)."""
    return page.evaluate("""(atLeast) => {
        const main = document.querySelector('main');
        const before = [...main.querySelectorAll('*')];
        const found = [];
        for (const heading of main.querySelectorAll('h2.kern-heading-medium')) {
            if (heading.offsetParent === null) continue;
            let bottom = null;
            for (const element of before) {
                if (element === heading) break;
                if (element.contains(heading) || element.offsetParent === null) continue;
                const box = element.getBoundingClientRect();
                if (box.height > 0) bottom = Math.max(bottom ?? box.bottom, box.bottom);
            }
            const gap = bottom === null ? null : heading.getBoundingClientRect().top - bottom;
            // A negative gap is a heading beside earlier content (a second column).
            if (gap !== null && gap >= 0 && gap < atLeast) {
                found.push([heading.textContent.trim(), Math.round(gap)]);
            }
        }
        return found;
    }""", at_least)


def check_layout(page, name: str, width: str) -> None:
    """At the page's viewport (`width` names it, see WIDTHS): the document is no wider
    than the viewport, axe finds no WCAG 2.1 A/AA violation, and a screenshot is kept."""
    assert page.viewport_size == WIDTHS[width], (page.viewport_size, width)
    screenshot(page, name, width)
    assert_no_horizontal_scrolling(page)
    assert_accessible(page)

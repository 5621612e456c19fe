"""Cross-site scripting: every field a member can write, filled with known vectors, then
every page that shows them opened in Chromium (issue 7, "Must show").

A page passes when no dialog opened, the Content Security Policy reported no violation,
and the DOM holds nothing that could run: no script but the app's own files, no on*
attribute, no javascript:/data:/vbscript: address, no iframe, object, embed, svg, math,
style, base or meta refresh.
"""
import re
import threading

import pytest
from playwright.sync_api import sync_playwright

# The live server and the checks for Chromium come from the browser tests' fixtures.
from tests.browser.conftest import (  # noqa: F401
    CHROMIUM_ARGS, _browser_requirements, _watch, chromium_path, live_server, sign_in)

pytestmark = pytest.mark.browser

MEMBER = "mitglied@musterstadt.example"
OTHER = "kollege@nachbarort.example"
MODERATOR = "moderation@kitu.example"

VECTORS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "<svg onload=alert(3)>",
    "<svg><script>alert(4)</script></svg>",
    '<iframe src="javascript:alert(5)"></iframe>',
    '<iframe srcdoc="<script>alert(6)</script>"></iframe>',
    "<body onload=alert(7)>",
    '<a href="javascript:alert(8)">a8</a>',
    "[l9](javascript:alert(9))",
    "[l10](JaVaScRiPt:alert(10))",
    "[l11](javascript&#58;alert(11))",
    "[l12](&#106;avascript:alert(12))",
    "[l13](java\tscript:alert(13))",
    "[l14](data:text/html;base64,PHNjcmlwdD5hbGVydCgxNCk8L3NjcmlwdD4=)",
    "[l15](vbscript:msgbox(15))",
    "<javascript:alert(16)>",
    "<data:text/html,<script>alert(17)</script>>",
    "![b18](javascript:alert(18))",
    '![b19](x" onerror="alert(19))',
    '[l20](https://example.org "t\\" onmouseover=\\"alert(20)")',
    "[l21](https://example.org 'a\" onmouseover=\"alert(21)')",
    "[r22]\n\n[r22]: javascript:alert(22)",
    '[r23][]\n\n[r23]: https://example.org "x" onclick="alert(23)"',
    '<style>body{background:url("javascript:alert(24)")}</style>',
    '<div style="width:expression(alert(25))">d25</div>',
    '<object data="javascript:alert(26)"></object>',
    '<embed src="javascript:alert(27)">',
    '<math><mi xlink:href="javascript:alert(28)">m28</mi></math>',
    '<form action="javascript:alert(29)"><button>b29</button></form>',
    "<input onfocus=alert(30) autofocus>",
    "<details open ontoggle=alert(31)>",
    "<video><source onerror=alert(32)></video>",
    "<marquee onstart=alert(33)>m33</marquee>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(34)">',
    '<base href="javascript:alert(35)//">',
    '<link rel=stylesheet href="javascript:alert(36)">',
    "&lt;script&gt;alert(37)&lt;/script&gt;",
    "&#60;script&#62;alert(38)&#60;/script&#62;",
    "<scr<script>ipt>alert(39)</scr</script>ipt>",
    "<<script>alert(40);//<</script>",
    '<noscript><p title="</noscript><img src=x onerror=alert(41)>">',
    "<svg><p><style><img src=x onerror=alert(42)></style></p></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(43)>",
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(44)>",
    "<!--<img src=x onerror=alert(45)>-->",
    "<![CDATA[<img src=x onerror=alert(46)>]]>",
    "KITU{{7*7}}KITU {{config}} {% print(1) %}",
    "${alert(48)}",
    '"><script>alert(49)</script>',
    "'><img src=x onerror=alert(50)>",
    "</textarea><script>alert(51)</script>",
    "</title><script>alert(52)</script>",
    "javascript:alert(53)",
    'www.example.org/"onmouseover="alert(54)',
    "https://example.org/<script>alert(55)</script>",
    "[l56](https://example.org)<img src=x onerror=alert(56)>",
    "`<img src=x onerror=alert(57)>`",
    "```html\n<script>alert(58)</script>\n```",
    '<a href="&#x6A;avascript:alert(59)">a59</a>',
    "[l60](  javascript:alert(60))",
    "[l61](<javascript:alert(61)>)",
    "<svg/onload=alert(62)>",
    '<img src=x onerror="&#97;lert(63)">',
    "+ADw-script+AD4-alert(64)+ADw-/script+AD4-",
    '<a href="  javascript:alert(65)">a65</a>',
    "<isindex type=image src=1 onerror=alert(66)>",
    "[l67](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoNjcpPg==)",
    "<a href=vbscript:msgbox(68)>a68</a>",
    "<img src=`javascript:alert(69)`>",
    '[l70](https://example.org "</a><img src=x onerror=alert(70)>")',
]
MARKDOWN = "\n\n".join(VECTORS)

# Runs in the page: what could execute, described for the failure message.
DANGEROUS = """() => {
  const found = [];
  const show = element => element.outerHTML.slice(0, 200);
  const own = location.origin + "/static/";
  for (const script of document.scripts) {
    if (!script.src || !script.src.startsWith(own)) found.push("script " + show(script));
  }
  const addressAttributes = ["href", "src", "action", "formaction", "xlink:href", "data",
                             "poster", "background", "srcdoc", "content"];
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      const value = attribute.value.replace(/[\\s\\u0000-\\u001f]+/g, "").toLowerCase();
      if (name.startsWith("on")) found.push(name + " on " + show(element));
      if (addressAttributes.includes(name) && /^(javascript|data|vbscript):/.test(value)) {
        found.push(name + "=" + value + " on <" + element.tagName + ">");
      }
    }
  }
  // <details> is no vector by itself (its ontoggle handler is caught above) and the
  // search filters use it; any <details> inside a post's text is still reported.
  const tags = "iframe, object, embed, svg, math, body style, base, meta[http-equiv], " +
               "frame, applet, img, video, audio, input[autofocus], marquee, .post-body details";
  for (const element of document.querySelectorAll(tags)) {
    found.push("element " + show(element));
  }
  return found;
}"""

CSP_WATCH = """window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", event => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});"""


def chunks(limit: int, separator: str = " ") -> list[str]:
    """The vectors packed into texts of at most `limit` characters (for short fields)."""
    texts, current = [], ""
    for vector in VECTORS:
        vector = vector.replace("\n", " ")[:limit]
        if current and len(current) + len(separator) + len(vector) > limit:
            texts.append(current)
            current = ""
        current = f"{current}{separator}{vector}" if current else vector
    return texts + [current]


def created(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response.headers["Location"]


@pytest.fixture
def written(app, auth, make_user, make_topic, make_solution):
    """Every member-writable field filled with the vectors; returns the pages to visit."""
    make_user(MEMBER, authority="musterstadt")
    make_user(OTHER, authority="nachbarort")
    make_user(MODERATOR, role="moderator", authority="kitu")
    make_topic()
    others = [make_solution(OTHER, title=f"Lösung aus dem Nachbarort Nummer {n}")
              for n in range(len(chunks(2000, "\n")))]
    auth.login(MEMBER)
    pages = set()

    questions = []
    for n, title in enumerate(chunks(200)):
        url = created(auth.post("/fragen/neu", {
            "title": title, "body": MARKDOWN if n == 0 else title,
            "topics": ["drucker-kopierer"]}, token_from="/fragen/neu"))
        questions.append(int(re.search(r"/fragen/(\d+)", url).group(1)))
        pages.add(url)
    for tags in chunks(500, ", "):
        pages.add(created(auth.post("/fragen/neu", {
            "title": "Frage mit Schlagwörtern", "body": "Text", "tags": tags,
            "topics": ["drucker-kopierer"]}, token_from="/fragen/neu")))
    first = min(pages, key=lambda url: int(re.search(r"/fragen/(\d+)", url).group(1)))
    created(auth.post(f"/fragen/{questions[0]}/antworten", {"body": MARKDOWN},
                      token_from=first))

    for question, title, reason in zip(questions, chunks(200), chunks(300)):
        # the reason shows in the history
        created(auth.post(f"/fragen/{question}/bearbeiten", {
            "title": title, "body": MARKDOWN, "reason": reason,
            "topics": ["drucker-kopierer"]}, token_from=f"/fragen/{question}/bearbeiten"))
        pages |= {f"/fragen/{question}", f"/verlauf/question/{question}"}

    short = chunks(300)
    for n, title in enumerate(chunks(200)):
        pages.add(created(auth.post("/loesungen/neu", {
            "title": title, "situation": MARKDOWN, "approach": MARKDOWN, "result": MARKDOWN,
            "costs": short[n % len(short)], "effort": short[(n + 1) % len(short)],
            "contact": short[(n + 2) % len(short)], "tags": chunks(500, ", ")[0],
            "topics": ["drucker-kopierer"], "status": "draft"}, token_from="/loesungen/neu")))

    for slug, note in zip(others, chunks(2000, "\n")):
        pages.add(created(auth.post(f"/loesungen/{slug}/nachnutzung", {
            "status": "in_use", "note": note}, token_from=f"/loesungen/{slug}")).split("#")[0])
    for question, text in zip(questions, chunks(2000, "\n")):
        created(auth.post(f"/melden/question/{question}", {"reason": "other", "text": text},
                          token_from=f"/melden/question/{question}"))
    for state in chunks(80):
        created(auth.post("/kommunen/musterstadt/bearbeiten", {
            "name": "Stadt Musterstadt", "slug": "musterstadt", "kind": "Stadt",
            "state": state, "population": "20000"}, token_from="/kommunen/musterstadt/bearbeiten"))
    pages |= {"/", "/fragen", "/fragen?page=2", "/loesungen", "/kommunen/musterstadt",
              "/suche?q=alert", "/suche?q=script+onerror", "/kommunen"}
    return sorted(pages)


def check_page(page, url: str, dialogs: list[str]) -> None:
    response = page.goto(url)
    assert response.status == 200, url
    page.wait_for_load_state("load")
    found = page.evaluate(DANGEROUS)
    assert not found, f"{url}: {found[:5]}"
    assert not page.evaluate("window.__cspViolations"), url
    assert "KITU49KITU" not in page.content(), url
    assert not dialogs, f"{url}: {dialogs}"


def with_own_browser(work) -> None:
    """work(browser) with a Chromium of its own, in a thread of its own: the browser
    tests' session-wide Playwright may be running in this thread already, and the sync
    API allows one per thread."""
    failure = []

    def run():
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium_path(),
                                                     args=CHROMIUM_ARGS, headless=True)
                try:
                    work(browser)
                finally:
                    browser.close()
        except BaseException as error:  # noqa: BLE001 (handed to the test's thread)
            failure.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def test_vectors_in_every_member_field_do_not_run(written, live_server):
    assert len(VECTORS) >= 50
    dialogs: list[str] = []
    errors: list[str] = []

    def open_page(browser, email):
        context = browser.new_context(base_url=live_server, locale="de-DE")
        context.set_default_timeout(10_000)
        context.add_init_script(CSP_WATCH)
        page = context.new_page()
        _watch(page, errors)
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        sign_in(page, live_server, email)
        return page

    def visit(browser):
        member = open_page(browser, MEMBER)
        for url in written:
            check_page(member, url, dialogs)
        # Flag comments are shown to moderators, drafts only to their author.
        moderator = open_page(browser, MODERATOR)
        check_page(moderator, "/moderation", dialogs)
        assert "alert(1)" in moderator.content()  # the comments are there, as text
        for url in written:
            if re.match(r"/fragen/\d", url):
                check_page(moderator, url, dialogs)

    with_own_browser(visit)
    assert not errors

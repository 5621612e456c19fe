"""Feed addresses for templates: the settings' list and each page's rel=alternate link."""
from flask import g, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from ..models import FeedToken
from .tokens import feed_tokens_of, token_of
from .views import bp

# The feeds that need no page of their own: listed in the settings for each token.
GENERAL_FEEDS = [
    ("feeds.solutions", _l("Neue Lösungen")),
    ("feeds.best_practice", _l("Neue Best Practices")),
    ("feeds.questions", _l("Neue Fragen")),
    ("feeds.following", _l("Was ich folge")),
]


def feed_address(endpoint: str, token: str, **values) -> str:
    return url_for(endpoint, token=token, _external=True, **values)


def general_feeds(record: FeedToken) -> list[tuple[str, str]]:
    """(name, address) of the general feeds under this token."""
    token = token_of(record)
    return [(str(name), feed_address(endpoint, token)) for endpoint, name in GENERAL_FEEDS]


def _page_token() -> str | None:
    """The signed-in person's newest feed token, looked up once per request."""
    if "feed_token" not in g:
        tokens = (feed_tokens_of(current_user)
                  if current_user.is_authenticated else [])
        g.feed_token = token_of(tokens[0]) if tokens else None
    return g.feed_token


@bp.app_template_global()
def feed_alternate(endpoint: str, title: str, **values) -> Markup:
    """<link rel=alternate> to this page's feed, for a signed-in person who has a feed
    token (feed readers and browser add-ons find feeds this way); nothing otherwise."""
    token = _page_token()
    if token is None:
        return Markup("")
    return Markup('<link rel="alternate" type="application/atom+xml" title="{}" href="{}">'
                  ).format(title, feed_address(endpoint, token, **values))


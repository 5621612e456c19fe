"""Applying changes adds index segments without Whoosh's costly merge in the request; the
poller merges the small ones when nothing is pending, and search stays complete."""
from kitu_exchange.search import index as search_index

MEMBER = "m@musterstadt.example"


def segments(app) -> int:
    with app.app_context():
        return len(search_index.open_index()._segments())


def merge(app) -> bool:
    with app.app_context():
        assert not search_index.has_pending()
        return search_index.merge_segments()


def test_writes_add_segments_and_idle_merge_keeps_everything_findable(
        app, client, auth, make_user, make_question):
    make_user(MEMBER)
    make_question(MEMBER, title="Grundstein der Segmentprobe")
    merge(app)
    before = segments(app)
    titles = [f"Segmentprobe {word}" for word in ("Ahorn", "Birke", "Eiche", "Linde")]
    for title in titles:
        make_question(MEMBER, title=title)
    # One segment per applied change, none merged on the way.
    assert segments(app) == before + len(titles)
    assert merge(app) is True
    assert segments(app) == 2  # all but the largest became one
    assert merge(app) is False
    auth.login(MEMBER)
    response = client.get("/suche", query_string={"q": "Segmentprobe"})
    page = response.get_data(as_text=True)
    assert all(title in page for title in titles + ["Grundstein der Segmentprobe"])


def test_request_path_merges_once_segments_pile_up(app, make_user, make_question,
                                                    monkeypatch):
    monkeypatch.setattr(search_index, "MERGE_AT_SEGMENTS", 3)
    make_user(MEMBER)
    counts = []
    for word in ("Ahorn", "Birke", "Eiche", "Linde", "Ulme", "Esche"):
        make_question(MEMBER, title=f"Stapelprobe {word}")
        counts.append(segments(app))
    assert max(counts) <= 3
    assert counts != sorted(counts)  # it did merge on the way


def test_largest_segment_is_merged_once_many_of_its_documents_are_replaced(
        app, make_user, make_question, make_reply):
    make_user(MEMBER)
    questions = [make_question(MEMBER, title=f"Ersetzungsprobe {word}")
                 for word in ("Ahorn", "Birke", "Eiche", "Linde", "Ulme")]
    with app.app_context():
        search_index.open_index().optimize()
    assert segments(app) == 1
    # A reply re-indexes its question: the old version is deleted in the big segment.
    make_reply(MEMBER, questions[0])
    assert merge(app) is False  # two segments: nothing to merge yet
    for question_id in questions[1:]:
        make_reply(MEMBER, question_id)
    assert merge(app) is True
    assert segments(app) == 1  # the big one was rewritten without its deleted versions

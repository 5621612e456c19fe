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
    assert segments(app) < before + len(titles)
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


class Segment:
    """Stands in for a Whoosh segment: only its document counts matter to the plan."""

    def __init__(self, documents: int, deleted: int = 0):
        self.documents, self.deleted = documents, deleted

    def doc_count_all(self) -> int:
        return self.documents

    def deleted_count(self) -> int:
        return self.deleted

    def __repr__(self):
        return f"Segment({self.documents})"


def sizes(segments) -> list[int]:
    return [segment.documents for segment in segments]


def test_merge_plan_keeps_large_tiers_and_merges_the_small_ones():
    plan = search_index._merge_plan
    keep, merge = plan([Segment(3), Segment(400), Segment(40), Segment(2), Segment(1)])
    assert sizes(keep) == [400, 40] and sizes(merge) == [3, 2, 1]
    # Equal neighbours are one tier: merged together.
    assert sizes(plan([Segment(40), Segment(18), Segment(18)])[1]) == [18, 18]
    # A large segment with many replaced documents is rewritten, with all below it.
    keep, merge = plan([Segment(400, deleted=100), Segment(40), Segment(3)])
    assert keep == [] and sizes(merge) == [400, 40, 3]
    assert plan([Segment(400), Segment(40), Segment(3)])[1] == []


def test_documents_are_rewritten_about_log_n_times_under_steady_writes():
    """The old policy merged all but the largest, so the second segment was rewritten at
    every merge: the documents written grew with the square of the writes."""
    segments, rewritten = [Segment(200)], 0
    for _ in range(300):  # one applied batch of three documents, then an idle merge
        segments.append(Segment(3))
        keep, merge = search_index._merge_plan(segments)
        if search_index._worth_merging(merge):
            rewritten += sum(sizes(merge))
            segments = keep + [Segment(sum(sizes(merge)))]
    written = 300 * 3
    assert rewritten < written * 12  # log2(1100) is about 10
    assert len(segments) <= 12

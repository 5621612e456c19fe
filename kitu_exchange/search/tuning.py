"""Every ranking constant of the search box and the similar-cases panel, with its reason.

docs/search.md explains the same values at more length; a change here is a change
there. The reasons come from how German administrative texts are written and read; the
dev corpus only measured whether a value helps (``flask search evaluate --holdout``).

Not here, because changing them needs the stored data rebuilt: the boosts of derived
index tokens (``analysis.SEGMENT_BOOST``, ``HEAD_BOOST``, ``PART_BOOST``,
``VERB_BOOST``: a reindex) and the texts a sentence vector is computed from
(``vectors.TEXT_CHARS``, ``REPLY_CHARS``, ``DRAFT_CHARS``: new vectors).
"""
from whoosh import scoring

# ------------------------------------------------------------------ lexical scoring
# Standard BM25 (B 0.75, K1 1.2); titles are short and uniform in length, so less
# length normalisation there.
WEIGHTING = scoring.BM25F(B=0.75, K1=1.2, title_B=0.4)

# ------------------------------------------------------------ search-box query terms
TITLE_BOOST = 2.5  # a case's title states its subject; a body mentions much in passing
TAG_BOOST = 1.0  # tags and topic names are chosen by people, like a body word
# Bonus for the unstemmed surface form: separates "Drucker" from the stem collisions
# "Druck"/"Drucksache" (precision).
EXACT_BOOST = 0.6
# A compound's parts and hyphen segments say less than the compound ("Rechnungseingang"
# is not every "Rechnung") ...
DERIVED_WEIGHT = 0.35
# ... unless the index does not know the whole word: then the parts are all there is.
DERIVED_WEIGHT_UNKNOWN = 0.8
# Parts of a known word found in more cases than this share ("sich" from "Sicherheit")
# say nothing and would make the query read most of the index.
DERIVED_MAX_DF_RATIO = 0.2
SYNONYM_WEIGHT = 0.7  # a synonym is a little less certain than the typed word
MAX_SYNONYM_ALTERNATIVES = 5  # per matched term; bounds the query size (latency)
FUZZY_WEIGHT = 0.75  # a close spelling stands for the typed word, a bit less surely
# Extra score share for cases that match every typed concept: a case with all of them
# beats one that repeats one concept.
ALL_WORDS_BONUS = 0.3
PHRASE_SLOP = 1  # Whoosh's "exact": a quoted phrase's words stand next to each other

# ------------------------------------------------------------------ search-box input
MAX_QUERY_CHARS = 400  # longer input is cut: nobody types more into a search box
MAX_QUERY_WORDS = 10

# ------------------------------------------------------------------ close spellings
FUZZY_MIN_LEN = 5  # shorter words have too many neighbours one edit away
RARE_DF = 1  # words in at most this many cases also get close spellings
FUZZY_MAX_CANDIDATES = 3
FUZZY_SCAN_LIMIT = 20_000  # bound the vocabulary scan per word (latency)
# Words at least this long that the index does not know are taken for misspelt
# compounds: a suggestion needs the corrected word in one case only, and may correct
# the part after the longest known head (MIN_HEAD_CHARS letters at least).
SUGGEST_COMPOUND_MIN_LEN = 10
MIN_HEAD_CHARS = 4

# ---------------------------------------------------- similar cases: the draft's terms
# Latency grows with the number of terms (search-notes: 15 terms about 60 ms at 20k
# cases); the subject of a question is carried by a few nouns.
SIMILAR_NUM_TERMS = 15
SIMILAR_TITLE_TERMS = 3  # only the strongest terms are also looked up in titles
SIMILAR_MAX_CHARS = 20_000
# Terms in more than half of all cases say nothing: that is where the Robertson/Sparck
# Jones idf, log((N - df + 0.5) / (df + 0.5)), reaches zero (BM25's "1 +" only keeps the
# weight positive). Below that, BM25's idf discounts a common term by itself; a lower
# hard cut (0.4 until 2026-11) also dropped words that still tell cases apart.
# Measured (dev, semantic): similar Recall@5 0.822 -> 0.834, held-out 0.833 -> 0.883.
SIMILAR_MAX_DF_RATIO = 0.5
# Like Lucene's MoreLikeThis minDocFreq: a word found in a single case is more often an
# idiosyncrasy ("Zeitung", "Flur") than the subject.
SIMILAR_MIN_DF = 2
# A draft's words are expanded by synonyms only when the index barely knows them
# ("M365" when cases say "Microsoft 365"): expanding everyday words drifts off topic.
SIMILAR_SYNONYM_MAX_DF = 2
SIMILAR_PART_WEIGHT = 0.5  # parts of a draft's compounds count half
SIMILAR_TITLE_BOOST = 1.0
# German capitalises nouns; nouns carry the subject, verbs and adjectives (lower case)
# the situation.
SIMILAR_LOWERCASE_WEIGHT = 0.35
# >1 would favour the draft's title when the caller passes "title. body".
SIMILAR_FIRST_SENTENCE_WEIGHT = 1.0

# ------------------------------------------------------------------------- fusion
# score = lexical / best lexical + WEIGHT * resemblance, where
# resemblance = max(0, cosine - COSINE_FLOOR) / (1 - COSINE_FLOOR) lies in 0-1.
# multilingual-e5-small was trained with a low temperature, so its cosines crowd into
# 0.7-1.0 (the model card says so); between two unrelated cases of this register
# ("Verwaltung", "Rathaus", "Einführung") the median is 0.81 (measured over all pairs
# of dev cases, no query involved). Below the floor resemblance adds nothing.
COSINE_FLOOR = 0.8
# For a draft or a case (title and several sentences) the vector describes the subject
# well, and better than the draft's words when a colleague describes the problem in
# other words: a close paraphrase (cosine 0.9, resemblance 0.5) counts one and a half
# times the best lexical match.
SIMILAR_WEIGHT = 3.0
# Search-box input is a few words; its vector ("query: " prefix) is vaguer than the
# words themselves, so it only reorders the lexical matches, with less weight.
SEARCH_WEIGHT = 0.8
# A single word is not a sentence: its vector says little beyond the word.
SEARCH_MIN_WORDS = 2
# Lexical matches reordered in the search box; further ones keep their order, and
# totals, facets and filters stay those of the lexical query.
SEARCH_RERANK_DEPTH = 30
# Candidates taken from each signal for the similar-cases panel (which shows 5).
SIMILAR_CANDIDATES = 30

# -------------------------------------------------------------- the similar panel
# A case is shown only if its cosine reaches PANEL_MIN_COSINE, or if it is a strong
# lexical match (at least PANEL_MIN_LEXICAL of the best lexical score) with a cosine of
# at least PANEL_MIN_COSINE_LEXICAL. Unrelated drafts ("Weihnachtsbaum schmücken",
# a staff outing, the canteen's menu) reach at most 0.83 with any case: the lexical
# branch starts above that, since the best lexical match of any draft has share 1.0.
# Calibrated on the dev corpus (tuning part only): see docs/search.md.
PANEL_MIN_COSINE = 0.86
PANEL_MIN_LEXICAL = 0.5
PANEL_MIN_COSINE_LEXICAL = 0.84
# Without the semantic signal (vectors still being built) the panel keeps lexical
# matches scoring at least this share of the best one: no long tail of one-word matches.
LEXICAL_PANEL_MIN_SHARE = 0.35

"""Every tuned number of the text-dump cleaner, with why it exists.

Lengths are in words (text_units.unit_words: CJK characters count two to a word) unless
they say characters. They were set on the dev set's pages; a change here changes output, so it is
judged on the held-out half like any rule (see README, "Quality and speed").
"""

from __future__ import annotations

# --- jusText's context-free classes (Pomikálek's thresholds) --------------------------------
LENGTH_LOW, LENGTH_HIGH = 70, 200  # characters: below LOW a unit is short, above HIGH good
STOP_LOW, STOP_HIGH = 0.25, 0.30  # stopword share: below LOW sparse, from HIGH prose
MIN_PROSE_WORDS = 6  # fewer words are a label however long the characters run
NO_STOP_PENALTY = 0.1  # stopword share taken off a line without a sentence end: a headline
NO_STOP_WORDS = 20  # … when it is shorter than this (longer ones are paragraphs anyway)
CJK_SHARE = 0.3  # share of CJK characters from which a text is read by its clause marks
RUN_ON_WORDS = 100  # words without a stop beyond which a text is no prose (a drop-down)
MAX_LINK_SHARE = 0.8  # share of link text that makes a unit a menu item or a teaser card
MIN_COUNTED_ITEMS = 6  # "Name (12)" items that make a line a category or archive list
MINOR_DUPLICATE_WORDS = 40  # a line printed twice is a caption or menu, not a paragraph

# --- how long a line may be and still be furniture of its kind ------------------------------
# Notices, credits and labels are short; a paragraph of the story that happens to hold the
# same words is longer than these.
NOTICE_WORDS = 60  # a cookie, newsletter or copyright notice
READ_ALSO_WORDS = 40  # "Lesen Sie auch: <headline>"
CONSENT_WORDS = 150  # consent banners run long
CAPTION_END_WORDS = 40  # a caption closed by its "(Photo: …)" credit
BREADCRUMB_WORDS = 12  # "Home > News > Politics"
MIN_BREADCRUMB_SEPARATORS = 2  # one ">" is prose ("A > B"), two are a trail
PAGINATION_WORDS = 12  # "« Zurück", "Weiter »"
TEASER_WORDS = 60  # a teaser ending in "…" or "»"
METADATA_WORDS = 15  # a byline, a tag line or a "Published on" line
CREDIT_WORDS = 12  # "Foto: dpa"
CAPTION_CREDIT_WORDS = 25  # a caption with its credit inside
MAX_CAPTION_WORDS = 60  # "Abbildung 4: …" with a long explanation
COMMENT_HEAD_WORDS = 12  # "Anna says: 3. Mai 2019 um 10:12"
COMMENTS_TITLE_WORDS = 30  # "N responses to" and the story's quoted headline
ABOUT_HEADING_WORDS = 4  # "Über Simon Dückert"
BLOCK_HEADING_WORDS = 8  # "Related News", "Das könnte Sie auch interessieren"

# --- lists ----------------------------------------------------------------------------------
MIN_LIST_LINES = 3  # lines in a block that make it a list (a menu, a ticker)
LIST_MEAN_WORDS = 25  # mean words per line below which a block of lines is a list
LABEL_WORDS = 3  # words of a bare label (a tag, a menu entry)
MIN_LIST_ITEMS = 3  # items that make a list at the story's edge worth taking in

# --- the story run (Finn's body-text extraction, on these values) ---------------------------
BAD_BASE, BAD_CAP = 4.0, 25.0  # a furniture unit costs 4 + its words, at most 25
MINOR_COST = 1.0  # an alt text or a line printed twice: never story, common inside stories
SPARSE_RATE = 0.2  # a long non-prose unit costs this per word
NEARGOOD_RATE = {True: 0.7, False: 0.4}  # per word, revised to good by context or not
SENTENCE_RATE = {True: 0.5, False: 0.2}  # a short line ending a sentence, per word
SENTENCE_WORDS = 4  # … of at least this many words
LIST_ITEM_COST, LABEL_COST = 1.5, 1.0  # a bare label in a list, and one elsewhere
SHADOW_RATE = 0.5  # a unit in a block heading's shadow costs this per word
BOUNDARY_COST = 15.0  # a block heading: a strong cut between the story and a box
EARLIER_RUN_SHARE = 0.7  # an earlier run this close to the best one is the article
MAX_HEADING_DISTANCE = 200  # characters from a heading to the good unit it heads
HEADING_WORDS = 15  # a short line of at most this many words may head the paragraph after it
RESUME_WORDS = 150  # prose after a block heading that shows the story goes on
STRETCH_COST = 10.0  # what the lines between two paragraphs may cost before they are furniture
LEAD_GAP = 2  # lines between a lead and the story that do not cut them apart
LEAD_WORDS = 15  # a lead is a paragraph, not a line
RECIPE_REACH = 60  # units above a recipe's steps where its ingredient list may stand
INGREDIENTS_HEADING_WORDS = 4  # "Zutaten für 4 Personen"

# --- the headline and the lines around it --------------------------------------------------
TITLE_REACH = 25  # units above the story where its headline may stand
TITLE_INSIDE = 3  # units into the story where a heading may still be the headline
TITLE_WORDS = 30  # a headline's most words
TITLE_KEY_WORDS = 40  # lines up to this long may print the headline again (breadcrumbs, alts)
TITLE_DATE_WORDS = 8  # a dated line this short is a date line, not a headline
TITLE_LEAD_WORDS = 15  # inside the story a longer line is its lead
MAX_HEADLINE_PRINTS = 4  # a page prints its headline a few times, a label on every item
MIN_TITLE_KEY_CHARS = 4  # shorter texts are found inside any line
# The headline's score: near the story, a heading, a phrase of a headline's length, alone in
# its block, printed again, with a date or byline under it.
TITLE_BASE, TITLE_DISTANCE_COST = 10.0, 0.5
TITLE_HEADING_BONUS = 4.0
TITLE_PHRASE_WORDS, TITLE_PHRASE_BONUS = (5, 20), 2.0
TITLE_LABEL_WORDS, TITLE_LABEL_COST = 2, 2.5
TITLE_SENTENCE_COST = 3.0  # a line ending in "." is a sentence
TITLE_INSIDE_COST = 2.0
TITLE_ALONE_BONUS, TITLE_NOT_ALONE_COST = 1.0, 2.0
TITLE_PRINTED_BONUS = 3.0
TITLE_DATED_BONUS, TITLE_DATED_REACH = 2.0, 3  # a date or byline within 3 units under it
STANDFIRST_WORDS = 4  # a subtitle or standfirst is a phrase, not a label
BYLINE_REACH = 6  # units under the headline where a short dated line is its byline
BYLINE_WORDS = 8  # a byline or an author box title: the name and a few words
BIO_TAIL = 3  # an author's bio closes the story: it is looked for among the last paragraphs
BIO_WORDS = 120  # a bio is a paragraph or two, not an article
TRAILING_INTRO_WORDS = 8  # "Weitere Informationen:" after the last paragraph
TRAILING_LABEL_WORDS = 6  # "Explore further"
DATE_LINE_WORDS = 8  # a date line's words, its label's included ("Dienstag, 4. Juni 2019, 15:54")
DATE_LABEL_WORDS = 2  # the words besides the date ("Publikacja:", "Alex Fischer")

# --- tags and hints for the extractor -------------------------------------------------------
TAGS_REACH = 6  # units after the story where its tag list may start
TAG_ITEMS = (2, 20)  # items of a bullet tag list
TAG_WORDS = 4  # words of a tag
SECTION_WORDS = 3  # a section label above the headline
HINT_DATE_CHARS = 400  # longer units are paragraphs, whose dates the story talks about
BYLINE_ZONE_ABOVE = 6  # units above the headline still in the byline zone
LEAD_ZONE = 2  # paragraphs of the story that are its lead
AFTER_ZONE = 8  # units after the story whose dates are the story's
MAX_DATE_LINES = 60
BEFORE_BODY = 4  # lines above the headline handed over (a kicker, a byline)
BEFORE_BODY_WORDS = 40
AFTER_BODY = 11  # lines after the story handed over (a byline at its foot)
EDGE_LINES, EDGE_WORDS = 15, 12  # header and footer lines: the publisher's name is there

# --- language (the sample's size and the model: tasks/page/language.py) ----------------------
LANGUAGE_SAMPLE_UNITS = 12  # the longest prose units the language is told from
LANGUAGE_UNIT_WORDS = 8  # units shorter than this are labels, in any language
CODE_SHARE = 0.02  # share of code characters beyond which a text is script, not prose

"""The text-dump cleaner's patterns: how each list of phrases (tasks/page/lexicon) is
anchored in a line, and the patterns of no language (dates, separators, code).

_NOTICE, _COPYRIGHT and _CONSENT are searched in the lowercased text: a case-sensitive search
is over twice as fast, and these run on most units.
"""

from __future__ import annotations

import re

from tasks.page.lexicon import alternation as words
from tasks.page.lexicon import phrases

_I = re.IGNORECASE

# Whole-unit boilerplate: lines that are page furniture in any page, in the common languages:
# a bare label, "More about <topic>", "5 min read", "Lesezeit: 5 Minuten".
_MORE_ABOUT = (
    rf"(?:{words('text_dump.more_about_lead')}) (?:{words('text_dump.more_about_topic')}) .{{1,40}}"
)
_READING_TIME = (
    rf"\d+\s*(?:{words('text_dump.reading_time_unit')})\s*"
    rf"(?:{words('text_dump.reading_time_read')})|"
    rf"(?:{words('text_dump.reading_time_label')}):?\s*\d+\s*min\w*"
)
FURNITURE = re.compile(
    rf"^(?:{words('text_dump.furniture')}|{_MORE_ABOUT}|{_READING_TIME})\W*$",
    _I,
)
# Headings that open a non-story block ("Related News", "Kommentare", "Tags: …"); box titles
# are one only alone on their line, at most with a colon.
BLOCK_HEADING = re.compile(
    rf"^(?:(?:{words('text_dump.heading_article')})\s+)?"
    rf"(?:{words('text_dump.block_heading')}|"
    rf"(?:{words('text_dump.box_title')})(?=[\s:!.]*$)|"
    rf"\d+ (?:{words('text_dump.comment_count_noun')}))(?:\W|$)",
    _I,
)
# The title of an about box: "Über Simon Dückert", "About PC Gamer" (a name follows, so the
# case of its words matters).
ABOUT_HEADING = re.compile(
    rf"^(?:{words('text_dump.about_heading')})\s+[A-ZÄÖÜ][\w.-]+(?:\s+[A-ZÄÖÜ][\w-]+){{1,2}}\s*$"
)
# The head of a reader comment: "Anna says:", "Max sagt: 3. Mai 2019 um 10:12", "Comment by".
COMMENT_HEAD = re.compile(
    rf"^\S.{{0,60}}?\s(?:{words('text_dump.comment_verb')})\s*:|"
    rf"^(?:{words('text_dump.comment_noun')}) (?:{words('text_dump.comment_by')})\b",
    _I,
)
# The title of a comment section, which quotes the story's: "11 responses to “…”", "Ein
# Gedanke zu „…“", "Keine Kommentare for “…”".
COMMENTS_TITLE = re.compile(
    rf"^(?:{words('text_dump.comments_count')}) (?:{words('text_dump.comments_noun')}) "
    rf"(?:{words('text_dump.comments_to')})\s*[“\"„«'\u2018\u201a]",
    _I,
)
# Notices that are furniture wherever they appear in a short unit: cookie banners, comment
# forms, newsletter boxes, sign-up boxes, push prompts, licence and disclaimer lines.
NOTICE = re.compile(words("text_dump.notice"))
# An inline "read also" link to another story: "Czytaj też: …", "Lesen Sie hier: …".
READ_ALSO = re.compile(rf"^(?:{words('text_dump.read_also')})\s*:\s*\S", _I)
# A consent banner: cookies named with what the visitor is asked to do; such banners run long.
CONSENT = re.compile(
    rf"\bcookies?\b.*\b(?:{words('text_dump.consent_after_cookie')})|"
    rf"\b(?:{words('text_dump.consent_before_cookie')})\w*\b.*\bcookies?\b",
)
# A photo or source credit printed under a picture or at the end of a story.
CREDIT = re.compile(
    rf"^(?:{words('text_dump.credit_label')})"
    rf"(?:\s*(?:{words('text_dump.credit_and')})\s*\w+)?\s*:",
    _I,
)
COPYRIGHT = re.compile(words("text_dump.copyright"))
TAG_LINE = re.compile(rf"^(?:{words('text_dump.tag_label')})\s*:\s*(.+)$", _I)
BYLINE = re.compile(rf"^(?:{words('text_dump.byline_label')})\b", _I)
TEASER_END = re.compile(
    rf"(?:\.\.\.|…|\[\s*(?:\.\.\.|…)\s*\]|»|>>|→|\b(?:{words('text_dump.teaser_more')})\s*$)\s*$",
    _I,
)
# A closing guillemet that ends a quotation («…»), not a "more »" link.
QUOTE_END = re.compile(r"«[^»]*»\W*$")
CAPTION_END = re.compile(
    rf"\([^()]*\b(?:{words('text_dump.caption_end_credit')})\b[^()]*\)\s*$",
    _I,
)
FORM = re.compile(
    rf"\[\s*\]|\[_+\]|\[(?:{words('text_dump.form_button')})\]|^\(\s?\)|"
    rf"\(\s*(?:{words('text_dump.form_required')})\s*\)\s*\*?$",
    _I,
)
# A picture credit at the end of a caption: "Praca w magazynie / Źródło: Pixabay".
CREDIT_TAIL = re.compile(
    rf"(?:/|\|)\s*(?:{words('text_dump.credit_tail_label')})\b|"
    rf"\b(?:{words('text_dump.credit_tail_agency')})\b\W*$",
    _I,
)
# A credit inside a caption: "Erdölpumpen im Abendrot. Bild: TebNad/Shutterstock.com",
# "Photograph by Ed Marshall", "(Symbolbild)", "… / (C) Kab Niang".
_CREDIT_BY = words("text_dump.caption_credit_by", wrap=r"{}\b")
CAPTION_CREDIT = re.compile(
    rf"(?:^|[\s.,(/|])(?:{words('text_dump.caption_credit_label')})\s*"
    rf"(?::|{_CREDIT_BY})\s*\S|"
    rf"{words('text_dump.caption_mark')}",
    _I,
)
# A figure's caption: "Abbildung 4: …", "Fig. 2.", "[alt]Abbildung: …" after its picture.
FIGURE_CAPTION = re.compile(
    rf"^(?:\[[^\]]*\]\s*|\[)?(?:{words('text_dump.figure_label')})\s*\d*[a-z]?\s*[:.]",
    _I,
)
# A client-side template the page never filled in: "{{message}}", "{{^topArticle}} …".
TEMPLATE_PLACEHOLDER = re.compile(r"\{\{[^{}\n]*\}\}")
INGREDIENTS = re.compile(
    rf"^(?:{words('text_dump.ingredients')})"
    rf"(?:\s+(?:{words('text_dump.ingredients_for')})\b.*)?\W*$",
    _I,
)
ITEM_COUNT = re.compile(r"\(\d+\)")
BREADCRUMB = re.compile(r"\s(?:>|»|\u203a|/|\|)\s")
PAGINATION = re.compile(r"^(?:[←«\u2039<]|\d+\s*(?:[|/]\s*\d+\s*)+$)|[→»\u203a>]$")
DATEISH = re.compile(
    r"\b\d{1,4}[./-]\d{1,2}[./-]\d{2,4}(?!\d{3})|"
    r"\b\d{1,2}(?:st|nd|rd|th|er|\.)?\s+(?:de\s+|of\s+)?[^\W\d_]{3,}\.?,?\s+(?:de\s+)?\d{4}(?!\d{3})|"
    r"\b[^\W\d_]{3,}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}(?!\d{3})|\b\d{4}年|"
    rf"\b(?:{words('text_dump.relative_date')})\b|\b\d{{1,2}}:\d{{2}}\b",
    _I,
)
# Where a sentence or clause stops inside a text: not after an initial ("E. T. A. Hoffmann");
# CJK stops need no space after them.
SENTENCE_STOP = re.compile(r"(?<!\b\w)[.!?…:;](?=\s|$)|[。\uff01\uff1f]")
LETTER_WORD = re.compile(r"[^\W\d_]{2,}")
# "Matthias Weber ist ERP-Experte …", "Will Knight is a senior writer …": an author's bio
# opens on the author's name and a verb of being or working, in the present tense.
BIO_OPENING = re.compile(
    r"^((?:\w[\w'\u2019.-]*\s){1,3}\w[\w'\u2019-]*),?\s"
    rf"(?:{words('text_dump.bio_verb')})\s",
    _I,
)
# Lowercase words inside a person's name ("Ursula von der Leyen", "Dr. Anna Weber").
NAME_PARTICLES = frozenset(phrases("text_dump.name_particle"))
WORD = re.compile(r"\w+")
CODE_CHARS = re.compile(r"[{}();=<>\\|]")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
# CJK clause marks: ideographic comma and full stop; fullwidth ! , : ; ?
CJK_CLAUSE = re.compile("[\u3001\u3002\uff01\uff0c\uff1a\uff1b\uff1f]")
TAG_SEPARATOR = re.compile(r"\s*[,;|·•]\s*")

"""Boilerplate removal for plain-text page dumps (any renderer, or a copy-paste).

The dump is cut into units (text_units), each unit is classified on its own (length, stopword
density, sentence punctuation, boilerplate patterns, the source's template, and its share of
link text where the dump keeps links), then revised by
its context the way jusText does (a short line between story paragraphs is story; a teaser
between menus is not), and the article is the contiguous run of units with the highest score
(Finn's body-text-extraction idea: story words count for, boilerplate counts against). Units
of that run classed as story make the body, and a learned line model (line_model) adds the
story lines the rules left out, within limits the rules set. Headline, byline, date lines,
tags and header / footer lines are handed to the extractor as hints.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

import numpy as np

from newsdesk.core.contracts.hints import Cleaned
from tasks.clean.line_model import STORY_PROBABILITY, Layout, story_probabilities
from tasks.clean.templates import template_key
from tasks.clean.text_units import SENTENCE_END, Unit, split_units
from tasks.page.fields import PageContext

METHOD = "text-dump"

# jusText's thresholds, in characters and stopword share.
LENGTH_LOW, LENGTH_HIGH = 70, 200
STOP_LOW, STOP_HIGH = 0.25, 0.30
MAX_HEADING_DISTANCE = 200
EARLIER_RUN_SHARE = 0.7
BOUNDARY_COST = 15.0
RESUME_WORDS = 150  # prose after a block heading that shows the story goes on
STANDFIRST_WORDS = 4  # a subtitle or standfirst is a phrase, not a label
MAX_HEADLINE_PRINTS = 4  # a page prints its headline a few times, a label on every item
TITLE_REACH = 25  # units above the story where its headline may stand
BYLINE_REACH = 6  # units under the headline where a short dated line is its byline
STRETCH_COST = 10.0  # what the lines between two paragraphs may cost before they are furniture
LEAD_GAP = 2  # lines between a lead and the story that do not cut them apart
LEAD_WORDS = 15  # a lead is a paragraph, not a line
BIO_TAIL = 3  # an author's bio closes the story: it is looked for among the last paragraphs
BIO_WORDS = 120  # a bio is a paragraph or two, not an article
BYLINE_WORDS = 8  # a byline or an author box title: the name and a few words
COMMENTS_TITLE_WORDS = 30  # "N responses to" and the story's quoted headline
_NAME_PARTICLES = frozenset({"von", "van", "de", "der", "da", "dr.", "prof."})
# A unit made of link text is a menu item or a teaser card (jusText's link density; only
# dumps that keep links, such as html2text's markdown, show it).
MAX_LINK_SHARE = 0.8
MIN_COUNTED_ITEMS = 6  # "Name (12)" items that make a line a category or archive list
RECIPE_REACH = 60  # units above a recipe's steps where its ingredient list may stand
MIN_LIST_ITEMS = 3  # items that make a list at the story's edge worth taking in

_I = re.IGNORECASE
# Whole-unit boilerplate: lines that are page furniture in any page, in the common languages.
_FURNITURE = re.compile(
    r"^(?:share|share this|teilen|tweet|drucken|print|e-?mail|mail|facebook|twitter|x|whatsapp|"
    r"linkedin|pinterest|xing|reddit|telegram|instagram|youtube|rss|flipboard|pocket|"
    r"log ?in|sign ?in|sign ?up|register|subscribe|newsletter|anmelden|registrieren|abonnieren|"
    r"einloggen|abmelden|connexion|s'abonner|zaloguj|search|suche|suchen|rechercher|szukaj|menu|"
    r"menü|navigation|home|startseite|accueil|skip to (?:main )?content|zum inhalt springen|"
    r"impressum|imprint|datenschutz(?:erklärung)?|privacy(?: policy)?|cookies?(?: policy)?|"
    r"terms(?: of (?:use|service))?|agb|kontakt|contact(?: us)?|about(?: us)?|über uns|"
    r"advertisement|anzeige|werbung|publicité|reklama|sponsored|close|schließen|fermer|"
    r"zurück|weiter|back|next|previous|newer post|older post|top|nach oben|back to top|"
    r"mehr|more|weiterlesen|read more|lire la suite|czytaj dalej|mehr lesen|"
    r"(?:mehr|more|learn more|read more|weitere infos?) (?:zu[mr]?|über|about|on) .{1,40}|"
    r"\d+\s*(?:min(?:ute)?s?\.?|minuten)\s*(?:read|lesezeit|de lecture)|"
    r"(?:lesezeit|reading time):?\s*\d+\s*min\w*)\W*$",
    _I,
)
# Headings that open a non-story block ("Related News", "Kommentare", "Tags: …").
_BLOCK_HEADING = re.compile(
    r"^(?:(?:the|our|die|unsere|les|nos|nasze)\s+)?"
    r"(?:related(?: news| articles| posts| stories| content| topics)?|read (?:more|next|also)|"
    r"more (?:from|on|in|stories|news)\b.*|most (?:read|popular|viewed|shared|commented)|"
    r"recommended(?: for you)?|you (?:may|might) (?:also )?(?:like|be interested in)|trending|"
    r"latest(?: news| posts| articles| updates)?|top stories|popular(?: posts)?|recent posts|"
    r"(?:neueste|aktuelle|ähnliche|verwandte|weitere) (?:artikel|beiträge|nachrichten|themen)|"
    r"mehr zum thema|das könnte sie (?:auch )?interessieren|lesen sie (?:auch|mehr)|"
    r"auch interessant|zum thema|meistgelesen(?:e|en)?|meist gelesen(?:e|en)?|"
    r"à lire aussi|lire aussi|(?:articles? )?les plus (?:lus|populaires|partagés|commentés)|"
    r"(?:à )?(?:écouter|voir) aussi|sur le même sujet|czytaj (?:też|także|więcej)|"
    r"zobacz (?:też|także)|polecane|"
    # box titles that are only ever a title: alone on their line, at most with a colon
    r"(?:explore further|further reading|also read|see also|siehe auch|passend dazu|"
    r"weiterführende links|pour approfondir|articles? correspondants?|ezek is érdekelhetnek|"
    r"markiert mit|weitere (?:informationen|infos|beiträge|artikel|themen|links)(?: zum thema)?|"
    r"verwandte themen\w*|downloads?|"
    r"(?:das|dies(?:e[rs]?)?)(?: \w+)? könnte (?:dich|sie|euch) (?:auch )?interessieren|"
    r"kurz notiert|zu allen beiträgen|"
    r"aktuelle (?:produkttests|beiträge|artikel|themen|nachrichten|meldungen))(?=[\s:!.]*$)|"
    r"other interesting\b.*|highlights aus\b.*|zurück zu[mr]? .{1,30}|"
    r"comments?|kommentare?|\d+ (?:comments?|kommentare?|reactions?|responses?|antworten)|"
    r"leave a (?:reply|comment)|post a comment|add a comment|"
    r"what do you think|was (?:denkst|meinst) du|was (?:denken|meinen) sie|your thoughts|"
    r"(?:schreibe|hinterlasse) (?:einen kommentar|eine antwort)|kommentar (?:schreiben|verfassen)|"
    r"(?:antwort|kommentar) hinterlassen|laisser un commentaire|laisser une réponse|"
    r"dodaj komentarz|zostaw komentarz|deja un comentario|lascia un commento|"
    r"tags?|schlagwörter|schlagworte|stichwörter|kategorien?|categories|archives?|archiv|"
    r"blogroll|links|social media|follow us|folgen sie uns|connect with us|"
    r"share (?:this|on)\b.*|diesen (?:artikel|beitrag) teilen|teile diesen beitrag|"
    r"coverage|dossiers?|themen|topics|in pictures|videos?|podcasts?|breaking(?: news)?|"
    r"über den autor|about the author|autor(?:in)?|author|written by)(?:\W|$)",
    _I,
)
# The title of an about box: "Über Simon Dückert", "About PC Gamer" (a name follows, so the
# case of its words matters).
_ABOUT_HEADING = re.compile(
    r"^(?:Über|About|O autorze|À propos de)\s+[A-ZÄÖÜ][\w.-]+(?:\s+[A-ZÄÖÜ][\w-]+){1,2}\s*$"
)
# The head of a reader comment: "Anna says:", "Max sagt: 3. Mai 2019 um 10:12", "Comment by".
_COMMENT_HEAD = re.compile(
    r"^\S.{0,60}?\s(?:says|said|sagt|schreibt|meint|writes|wrote|dit|napisał\w*|escribe|dice)"
    r"\s*:|^(?:comment|kommentar|commentaire|komentarz) (?:by|von|de|de la part de)\b",
    _I,
)
# The title of a comment section, which quotes the story's: "11 responses to “…”", "Ein
# Gedanke zu „…“", "Keine Kommentare for “…”".
_COMMENTS_TITLE = re.compile(
    r"^(?:\d+|no|one|keine|ein(?:e|en)?|aucun|un) (?:responses?|comments?|thoughts?|replies|"
    r"kommentare?|antwort(?:en)?|gedanken?|reaktionen|commentaires?|réponses?) "
    r"(?:to|on|for|zu|auf|für|sur)\s*[“\"„«'\u2018\u201a]",
    _I,
)
# Notices that are furniture wherever they appear in a short unit: cookie banners, comment
# forms, newsletter boxes. _NOTICE, _COPYRIGHT and _CONSENT are searched in the lowercased
# text: a case-sensitive search is over twice as fast, and these run on most units.
_NOTICE = re.compile(
    r"\bcookies?\b|required fields|will not be published|erforderliche felder|pflichtfeld|"
    r"wird nicht veröffentlicht|nicht veröffentlicht werden|champs obligatoires|"
    r"newsletter|javascript|sign up for|melden sie sich an|jetzt abonnieren|cancel reply|"
    r"antworten abzubrechen|antwort abbrechen|"
    # sign-up boxes, push prompts, licence and disclaimer lines under a story
    r"e-?mail-?(?:adresse|address)|\byour (?:e-?mail|inbox)\b|\binbox\b|recaptcha|"
    r"benachrichtigung|push notifications?|\babonnier(?:en|e)\b|\bsubscri(?:be|ption)|"
    r"subskrypc|einloggen|prawem autorskim|\bcc[- ]by\b|creative commons|"
    r"\blizenz\b|licen[cs]ed under|n'engagent que|ohne gewähr|keine haftung|"
    r"haftungsausschluss|disclaimer|no liability|datenschutzerkl|affiliate|eine provision vom|"
    r"kontaktformular|\bby email\b|klicken sie auf (?:den|diesen)\b.{0,20}\bbutton|"
    r"inhalt von .{1,60} (?:zu )?laden|\bspende\b|\bdonat(?:e|ion)\b|dołącz do dyskusji|"
    r"udostępnij|ihre meinung zu diesem|sähköpost|mailing ?list|consent terms",
)
# An inline "read also" link to another story: "Czytaj też: …", "Lesen Sie hier: …".
_READ_ALSO = re.compile(
    r"^(?:lesen sie (?:auch|hier|mehr)|czytaj (?:też|także|również|więcej)|"
    r"zobacz (?:też|także|również)|dowiedz się więcej|see also|read (?:also|more|next)|"
    r"(?:à )?lire aussi|mehr dazu|auch interessant|weiterlesen|related)\s*:\s*\S",
    _I,
)
# A consent banner: cookies named with what the visitor is asked to do; such banners run long.
_CONSENT = re.compile(
    r"\bcookies?\b.*\b(?:accept|agree|consent|settings|einverstanden|akzeptier|zustimm|"
    r"einwillig|einstellungen|eingesetzt|verwende|nutzen|accepte|consentement|paramètres|"
    r"zgod|akceptuj|ustawie)|\b(?:accept|agree|akzeptier|zustimm|einverstanden|accepte|"
    r"akceptuj)\w*\b.*\bcookies?\b",
)
# A photo or source credit printed under a picture or at the end of a story.
_CREDIT = re.compile(
    r"^(?:\w*fotos?|\w*photos?|bild(?:er)?|bildquelle|image|images|picture|quelle|source|credits?|"
    r"foto ?credit|titelbild|beitragsbild|headerbild|symbolbild|zdjęcie|zdjęcia|źródło|"
    r"crédits?(?: photos?)?)"
    r"(?:\s*(?:&|und|and)\s*\w+)?\s*:",
    _I,
)
_COPYRIGHT = re.compile(
    r"©|\(c\)\s*\d{4}|copyright|all rights reserved|alle rechte vorbehalten|"
    r"tous droits réservés|wszelkie prawa zastrzeżone|todos los derechos",
)
_TAG_LINE = re.compile(
    r"^(?:tags?|schlagw(?:ö|oe)rter|schlagworte|stichw(?:ö|oe)rter|themen|topics|mots-clés|tagi|"
    r"kategorien?|categories|category|filed under|posted in|abgelegt unter)\s*:\s*(.+)$",
    _I,
)
_BYLINE = re.compile(
    r"^(?:by|von|par|por|autor(?:in)?:?|author:?|written by|geschrieben von|posted by|"
    r"publié par|opublikowano|veröffentlicht(?: am| von)?|published(?: on| by)?|posted(?: on)?|"
    r"updated|aktualisiert|mis à jour|stand:?|dieser eintrag wurde)\b",
    _I,
)
_TEASER_END = re.compile(r"(?:\.\.\.|…|\[\s*(?:\.\.\.|…)\s*\]|»|>>|→|\bmore\s*$)\s*$", _I)
# A closing guillemet that ends a quotation («…»), not a "more »" link.
_QUOTE_END = re.compile(r"«[^»]*»\W*$")
_CAPTION_END = re.compile(
    r"\([^()]*\b(?:photo|foto|bild|image|picture|credit|getty|reuters|dpa|afp|imago|epa|"
    r"shutterstock|screengrab|social media|file|archiv|istock|ap)\b[^()]*\)\s*$",
    _I,
)
_FORM = re.compile(
    r"\[\s*\]|\[_+\]|\[(?:submit|search|suchen|go|ok|senden|send)\]|^\(\s?\)|"
    r"\(\s*(?:required|erforderlich|pflichtfeld|obligatoire|wymagane|obligatorio)\s*\)\s*\*?$",
    _I,
)
# A picture credit at the end of a caption: "Praca w magazynie / Źródło: Pixabay".
_CREDIT_TAIL = re.compile(
    r"(?:/|\|)\s*(?:źródło|quelle|source|foto|photo|fot\.|bild)\b|\b(?:shutterstock|getty images|"
    r"dpa|reuters|afp|imago|istock(?:photo)?|pixabay|unsplash|picture alliance)\b\W*$",
    _I,
)
# A credit inside a caption: "Erdölpumpen im Abendrot. Bild: TebNad/Shutterstock.com",
# "Photograph by Ed Marshall", "(Symbolbild)", "… / (C) Kab Niang".
_CAPTION_CREDIT = re.compile(
    r"(?:^|[\s.,(/|])(?:bild|foto|fot\.|photo|photograph|image|quelle|source|credit|zdjęcie|"
    r"źródło|crédit)\s*(?::|by\b)\s*\S|\(\s*symbolbild\s*\)|/\s*\(c\)|\bgetty images\b|"
    r"\bPAP\s*/|agencja gazeta|zdjęcie ilustracyjne|photo d'illustration|symbolfoto|"
    r"zum vergrößern\b|click to enlarge|cliquez pour agrandir",
    _I,
)
# A figure's caption: "Abbildung 4: …", "Fig. 2.", "[alt]Abbildung: …" after its picture.
_FIGURE_CAPTION = re.compile(
    r"^(?:\[[^\]]*\]\s*|\[)?(?:abbildung|abb\.|figure|fig\.|grafik|schaubild|illustration|"
    r"ilustracja|rys\.|rycina)\s*\d*[a-z]?\s*[:.]",
    _I,
)
MAX_CAPTION_WORDS = 60
# A client-side template the page never filled in: "{{message}}", "{{^topArticle}} …".
_TEMPLATE_PLACEHOLDER = re.compile(r"\{\{[^{}\n]*\}\}")
_INGREDIENTS = re.compile(
    r"^(?:zutaten|ingredients|składniki|ingrédients|ingredienti|ingredientes|ingrediënten)"
    r"(?:\s+(?:für|for|pour|na|per)\b.*)?\W*$",
    _I,
)
_ITEM_COUNT = re.compile(r"\(\d+\)")
_BREADCRUMB = re.compile(r"\s(?:>|»|\u203a|/|\|)\s")
_PAGINATION = re.compile(r"^(?:[←«\u2039<]|\d+\s*(?:[|/]\s*\d+\s*)+$)|[→»\u203a>]$")
_DATEISH = re.compile(
    r"\b\d{1,4}[./-]\d{1,2}[./-]\d{2,4}(?!\d{3})|"
    r"\b\d{1,2}\.?\s+(?:de\s+)?[^\W\d_]{3,}\.?,?\s+(?:de\s+)?\d{4}(?!\d{3})|"
    r"\b[^\W\d_]{3,}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}(?!\d{3})|\b\d{4}年|"
    r"\b(?:ago|vor \d|il y a|temu|hace)\b|\b\d{1,2}:\d{2}\b",
    _I,
)
# Where a sentence or clause stops inside a text: not after an initial ("E. T. A. Hoffmann");
# CJK stops need no space after them.
_SENTENCE_STOP = re.compile(r"(?<!\b\w)[.!?…:;](?=\s|$)|[。\uff01\uff1f]")
RUN_ON_WORDS = 100  # words without a stop beyond which a text is no prose
_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")
DATE_LINE_WORDS = 8  # a date line's words, its label's included ("Dienstag, 4. Juni 2019, 15:54")
DATE_LABEL_WORDS = 2  # the words besides the date ("Publikacja:", "Alex Fischer")
# "Matthias Weber ist ERP-Experte …", "Will Knight is a senior writer …": an author's bio
# opens on the author's name and a verb of being or working, in the present tense.
_BIO_OPENING = re.compile(
    r"^((?:\w[\w'\u2019.-]*\s){1,3}\w[\w'\u2019-]*),?\s"
    r"(?:is|has|writes|covers|works|teaches|lives|leads|ist|hat|schreibt|arbeitet|lehrt|"
    r"lebt|leitet|beschäftigt|berichtet|est|travaille|écrit|jest|pracuje|pisze)\s",
    _I,
)
_WORD = re.compile(r"\w+")
_CODE_CHARS = re.compile(r"[{}();=<>\\|]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
# CJK clause marks: ideographic comma and full stop; fullwidth ! , : ; ?
_CJK_CLAUSE = re.compile("[\u3001\u3002\uff01\uff0c\uff1a\uff1b\uff1f]")

# py3langid code → jusText stoplist name, for the languages the stoplists cover well.
_STOPLISTS = {
    "en": "English", "de": "German", "fr": "French", "pl": "Polish", "es": "Spanish",
    "it": "Italian", "nl": "Dutch", "pt": "Portuguese", "sv": "Swedish", "da": "Danish",
    "no": "Norwegian_Bokmal", "fi": "Finnish", "cs": "Czech", "sk": "Slovak", "ru": "Russian",
    "uk": "Ukrainian", "tr": "Turkish", "hu": "Hungarian", "ro": "Romanian", "el": "Greek",
    "id": "Indonesian", "ca": "Catalan", "hr": "Croatian", "sl": "Slovenian", "lt": "Lithuanian",
    "lv": "Latvian", "et": "Estonian", "bg": "Bulgarian", "sr": "Serbian", "ar": "Arabic",
}  # fmt: skip


@lru_cache(maxsize=64)
def stoplist(language: str | None) -> frozenset[str]:
    """jusText's stopword list for a language (English and German merged when unknown)."""
    import justext  # light import, deferred so that importing this module stays cheap

    # English is always added: pages in other languages quote it and embed English widgets
    english = frozenset(justext.get_stoplist("English"))
    name = _STOPLISTS.get(language or "")
    if name is None:
        return english | frozenset(justext.get_stoplist("German"))
    return english | frozenset(justext.get_stoplist(name))


def detect_language(units: list[Unit]) -> str | None:
    """ISO 639-1 code of the page's prose, from its longest units (py3langid)."""
    import py3langid  # model load is ~0.3 s once per process; deferred to first use

    # each text once: a line printed many times (a warning, a menu) would outvote the story
    prose = {u.text for u in units if u.words >= 8 and _looks_like_prose(u.text)}
    longest = sorted(prose, key=lambda t: (-len(t), t))[:12]
    sample = " ".join(longest)[:3000]
    if len(sample) < 40:
        return None
    code, _ = py3langid.classify(sample)
    return code


def _looks_like_prose(text: str) -> bool:
    """Not script code or markup left in the dump (it would make the page look English)."""
    return len(_CODE_CHARS.findall(text)) < 0.02 * len(text)


def _stop_density(text: str, stops: frozenset[str]) -> float:
    if len(_CJK.findall(text)) > 0.3 * len(text):
        # Chinese and Japanese have no stoplist here: clause punctuation is their prose signal
        return STOP_HIGH if _CJK_CLAUSE.search(text) else 0.0
    words = _WORD.findall(text.lower())
    return sum(w in stops for w in words) / len(words) if words else 0.0


def _is_block_heading(unit: Unit) -> bool:
    if unit.words <= 12 and _COMMENT_HEAD.search(unit.text):
        return True
    if unit.words <= COMMENTS_TITLE_WORDS and _COMMENTS_TITLE.match(unit.text):
        return True
    if unit.words <= 4 and _ABOUT_HEADING.match(unit.text):
        return True
    # "Lesen Sie auch: <headline>" is one inline link, not the title of a box that follows
    return (
        unit.words <= 8
        and bool(_BLOCK_HEADING.match(unit.text))
        and not _READ_ALSO.match(unit.text)
    )


def _is_furniture(unit: Unit, template: frozenset[str], teaser: bool = True) -> bool:
    """Context-free: is this unit page furniture whatever surrounds it?"""
    text = unit.text
    if template and template_key(text) in template:
        return True
    if _FORM.search(text) or _FURNITURE.match(text):
        return True
    if "{{" in text and _TEMPLATE_PLACEHOLDER.search(text):
        return True
    lowered = text.lower()
    if unit.words <= 60 and (_COPYRIGHT.search(lowered) or _NOTICE.search(lowered)):
        return True
    if unit.words <= 40 and _READ_ALSO.match(text):
        return True
    if unit.words <= 150 and _CONSENT.search(lowered):
        return True
    if unit.words <= 40 and _CAPTION_END.search(text):
        return True
    if unit.words <= 12 and len(_BREADCRUMB.findall(text)) >= 2:
        return True
    if unit.words <= 12 and _PAGINATION.search(text) and not _QUOTE_END.search(text):
        return True  # "« Zurück", "Weiter »"; but «Storming the Sazerac» is a quotation
    if len(_ITEM_COUNT.findall(text)) >= MIN_COUNTED_ITEMS:
        return True  # "Recipes (423) Beauty (346) …": a category or archive list
    if teaser and unit.words <= 60 and _TEASER_END.search(text) and not _QUOTE_END.search(text):
        return True
    return unit.words <= 15 and bool(_BYLINE.match(text))


def _classify(
    units: list[Unit], keys: list[str], densities: list[float], template: frozenset[str]
) -> list[str]:
    """Context-free classes: jusText's bad, short, neargood and good, plus 'sparse' (long but
    hardly prose) and 'minor' (image alt texts and lines printed twice: never story, but
    common inside stories, so they weigh little)."""
    classes = []
    duplicates = _duplicates(keys)
    for i, unit in enumerate(units):
        length = len(unit.text)
        credit = (
            (unit.words <= 12 and bool(_CREDIT.match(unit.text)))
            or (
                # a caption ending in its credit is furniture already, a strong cut between cards
                unit.words <= 25
                and bool(_CAPTION_CREDIT.search(unit.text))
                and not _CAPTION_END.search(unit.text)
            )
            or (unit.words <= MAX_CAPTION_WORDS and bool(_FIGURE_CAPTION.match(unit.text)))
        )
        if (unit.image or credit or (i in duplicates and unit.words < 40)) and not (
            template and keys[i] in template
        ):
            # image alt texts, photo credits and lines printed twice (captions, repeated
            # menus) are not story, but sit inside stories as often as outside: they weigh little
            classes.append("minor")
        elif (
            _is_furniture(unit, template)
            or _is_block_heading(unit)
            or (unit.linked > MAX_LINK_SHARE and not unit.bullet)
        ):
            classes.append("bad")
        elif unit.linked > MAX_LINK_SHARE:
            # a linked list item is a menu entry, a tag or a teaser: never story on its own
            # account, but its list (a tag list closing the story) still tells where it stands
            classes.append("short")
        elif length < LENGTH_LOW or unit.words < 6 or " " not in unit.text:
            classes.append("short")
        elif _is_run_on(unit):
            classes.append("sparse")
        else:
            density = densities[i]
            if not SENTENCE_END.search(unit.text) and unit.words < 20:
                density -= 0.1  # a long line without a sentence end is a headline or a label
            if density >= STOP_HIGH:
                classes.append("good" if length > LENGTH_HIGH else "neargood")
            elif density >= STOP_LOW:
                classes.append("neargood")
            else:
                classes.append("sparse")  # long but hardly prose: a list of names, a keyword box
    for i in _list_members(units):
        if classes[i] == "good":
            classes[i] = "neargood"
    return classes


def _is_run_on(unit: Unit) -> bool:
    """A long text that hardly ever ends a sentence: a drop-down's options ("Monat auswählen
    Juni 2014 Januar 2014 …"), a tag cloud, a script. Prose ends one every few dozen words."""
    if unit.words < RUN_ON_WORDS:
        return False
    return unit.words > RUN_ON_WORDS * (len(_SENTENCE_STOP.findall(unit.text)) + 1)


def _duplicates(keys: list[str]) -> set[int]:
    """Units whose template_key another unit shares."""
    seen: dict[str, int] = {}
    dup: set[int] = set()
    for i, key in enumerate(keys):
        if key in seen:
            dup.update((seen[key], i))
        else:
            seen[key] = i
    return dup


def _list_members(units: list[Unit]) -> set[int]:
    """Units in blocks of many short lines: menus, tickers, teaser lists, or a list in the
    story; such a line is never story on its own account, only by its context."""
    members: set[int] = set()
    start = 0
    while start < len(units):
        end = start
        while end + 1 < len(units) and units[end + 1].block == units[start].block:
            end += 1
        block = range(start, end + 1)
        if len(block) >= 3 and sum(units[i].words for i in block) / len(block) < 25:
            members.update(block)
        start = end + 1
    return members


def _label_lists(units: list[Unit], lists: set[int]) -> set[int]:
    """Members of lists of bare labels (tags, menu entries): three or more items of at most
    three words, no sentence, mostly without figures (ingredient lists have figures)."""
    labels: set[int] = set()
    by_block: dict[int, list[int]] = {}
    for i in lists:
        by_block.setdefault(units[i].block, []).append(i)
    for members in by_block.values():
        members.sort()
        items = [units[i].text for i in members]
        # the first item may be the list's own label ("Tagged:", "Share:")
        rest = members[1:] if items[0].endswith(":") else members
        if (
            all(units[i].words <= 3 and not SENTENCE_END.search(units[i].text) for i in rest)
            and sum(any(c.isdigit() for c in t) for t in items) < len(items) / 2
        ):
            labels.update(members)
    return labels


def _boundaries(units: list[Unit], classes: list[str], labels: set[int]) -> set[int]:
    """Where a non-story block opens: a block heading, or the first item of a label list.

    A heading word that is an item of a bullet menu ("• Archive", "• Links") or part of a
    form ("Comment (required) [ ]") opens nothing: it is furniture like its neighbours."""
    found = {
        i
        for i, u in enumerate(units)
        if classes[i] == "bad" and _is_block_heading(u) and not (u.bullet or _FORM.search(u.text))
    }
    for i in labels:
        # a label list closes a story (its tags); before any story it is just a menu
        if i - 1 not in labels and _previous_class(classes, i) in ("good", "neargood"):
            items = [j for j in labels if units[j].block == units[i].block]
            # tags are topics; a list made of furniture ("Twitter", "Facebook") is a share bar,
            # and one of bare bullets or icons is decoration
            furniture = sum(classes[j] == "bad" or units[j].words == 0 for j in items)
            if furniture * 2 < len(items):
                found.add(i)
    return found


def _previous_class(classes: list[str], i: int) -> str | None:
    for j in range(i - 1, -1, -1):
        if classes[j] not in ("minor", "short"):
            return classes[j]
    return None


def _is_prose(classes: list[str], lists: set[int], i: int) -> bool:
    return classes[i] in ("good", "neargood") and i not in lists


def _shadowed(
    units: list[Unit], classes: list[str], lists: set[int], labels: set[int], boundaries: set[int]
) -> set[int]:
    """Units that a block heading ("Related News", "Written by", "Breaking") puts out of the
    story: what follows it up to the next furniture, unless that much prose follows that the
    story has plainly resumed (a related-links box in the middle of an article)."""
    shadowed: set[int] = set()
    for h in sorted(boundaries):
        following: list[int] = []
        prose = 0
        first = h + 1
        while first < len(units) and first in labels:  # a label list shadows what follows it
            first += 1
        for j in range(first, len(units)):
            if classes[j] == "bad" or j in labels:
                break
            following.append(j)
            if _is_prose(classes, lists, j):
                prose += units[j].words
            if prose >= RESUME_WORDS:
                break
        if prose < RESUME_WORDS:
            shadowed.update(following)
        else:  # the story resumes: only the short lines before its first paragraph go
            for j in following:
                if _is_prose(classes, lists, j):
                    break
                shadowed.add(j)
    return shadowed


_DECIDED = ("good", "bad")


def _nearest(classes: list[str], kinds: tuple[str, ...], step: int) -> list[str]:
    """For each unit, the class of the nearest unit before it (step -1) or after it (step 1)
    whose class is one of `kinds`; "bad" where there is none (the page's edge)."""
    nearest = ["bad"] * len(classes)
    found = "bad"
    order = range(len(classes)) if step < 0 else range(len(classes) - 1, -1, -1)
    for i in order:
        nearest[i] = found
        if classes[i] in kinds:
            found = classes[i]
    return nearest


def _revise(units: list[Unit], classes: list[str]) -> list[str]:
    """jusText's context-sensitive revision of short and near-good units."""
    revised = ["bad" if c == "sparse" else c for c in classes]
    headings = [u.heading or (classes[i] == "short" and u.words <= 15) for i, u in enumerate(units)]
    for i in range(len(units)):
        if headings[i] and revised[i] == "short":
            distance = 0
            for j in range(i + 1, len(units)):
                if distance > MAX_HEADING_DISTANCE:
                    break
                if revised[j] == "good":
                    revised[i] = "neargood"
                    break
                distance += len(units[j].text)
    # short units take their class from their neighbours as they were before this pass
    before, after = _nearest(revised, _DECIDED, -1), _nearest(revised, _DECIDED, 1)
    before_any = _nearest(revised, (*_DECIDED, "neargood"), -1)
    after_any = _nearest(revised, (*_DECIDED, "neargood"), 1)
    for i, c in enumerate(revised):
        if c != "short":
            continue
        if before[i] == after[i]:
            revised[i] = before[i]
        elif (before[i] == "bad" and before_any[i] == "neargood") or (
            after[i] == "bad" and after_any[i] == "neargood"
        ):
            revised[i] = "good"
        else:
            revised[i] = "bad"
    # near-good units, in page order: one already decided counts as a neighbour of the next
    after = _nearest(revised, _DECIDED, 1)
    previous = "bad"
    for i, c in enumerate(revised):
        if c == "neargood":
            c = revised[i] = "bad" if (previous, after[i]) == ("bad", "bad") else "good"
        if c in _DECIDED:
            previous = c
    return revised


def _unit_value(unit: Unit, cf_class: str, revised: str, in_list: bool) -> float:
    """What a unit adds to a candidate article run: story words count for, furniture against,
    sentence-like short lines a little for, bare labels and menu items a little against."""
    if cf_class == "bad":
        return -min(25.0, 4.0 + unit.words)
    if cf_class == "minor":
        return -1.0
    if cf_class == "sparse":
        return -0.2 * unit.words
    if cf_class == "good":
        return float(unit.words)
    if cf_class == "neargood":
        return unit.words * (0.7 if revised == "good" else 0.4)
    if SENTENCE_END.search(unit.text) and unit.words >= 4:
        return unit.words * (0.5 if revised == "good" else 0.2)
    return -1.5 if in_list else -1.0


def _best_run(values: list[float]) -> tuple[int, int]:
    """The article: the contiguous run with the largest sum (Kadane), as a half-open range.

    Pages put the article before its teasers and comments, so an earlier run that comes
    close to the best one (EARLIER_RUN_SHARE of its sum) wins over it."""
    start, end, total = _kadane(values, 0, len(values))
    while start > 0:
        earlier_start, earlier_end, earlier = _kadane(values, 0, start)
        if earlier < EARLIER_RUN_SHARE * total or earlier <= 0:
            break
        start, end, total = earlier_start, earlier_end, earlier
    return start, end


def _kadane(values: list[float], lo: int, hi: int) -> tuple[int, int, float]:
    best, best_range = 0.0, (lo, lo)
    total, start = 0.0, lo
    for i in range(lo, hi):
        if total <= 0:
            total, start = 0.0, i
        total += values[i]
        if total > best:
            best, best_range = total, (start, i + 1)
    return best_range[0], best_range[1], best


def _cut_appendix(
    values: list[float],
    cf: list[str],
    lists: set[int],
    boundaries: set[int],
    shadow: set[int],
    start: int,
    end: int,
) -> int:
    """End the run at a block heading when what follows it weighs less than the story before
    it: a related box, a tag list or comments that the run took in for the prose beyond them.
    A heading after which the story resumes before any other furniture (a related-links box
    inside the article) cuts nothing."""
    for b in sorted(x for x in boundaries if start < x < end):
        resumed = False
        for j in range(b + 1, end):
            if cf[j] == "bad" or j in boundaries:
                break
            if _is_prose(cf, lists, j):
                resumed = j not in shadow
                break
        if not resumed and sum(values[b:end]) < sum(values[start:b]):
            return b
    return end


def _extend_over_lead(
    units: list[Unit],
    cf: list[str],
    lists: set[int],
    labels: set[int],
    boundaries: set[int],
    start: int,
) -> int:
    """Take in the lead paragraphs that one or two lines (a byline, a caption, a credit)
    separate from the run: those lines cost the run more than a short lead adds, and a
    menu above the lead may have put it in a block heading's shadow."""
    i = start - 1
    gap = 0
    while i >= 0 and gap < LEAD_GAP and not _is_prose(cf, lists, i):
        if i in boundaries or i in labels or cf[i] == "sparse" or _is_block_heading(units[i]):
            return start
        gap += 1
        i -= 1
    lead = start
    while i >= 0 and _is_prose(cf, lists, i) and SENTENCE_END.search(units[i].text):
        lead = i
        i -= 1
    return lead if sum(units[j].words for j in range(lead, start)) >= LEAD_WORDS else start


def _ingredients(
    units: list[Unit], cf: list[str], lists: set[int], labels: set[int], start: int
) -> list[int]:
    """A recipe's ingredient list when the run holds its steps: recipe pages print the
    ingredients under their own heading, often with servings, ratings and nutrition in
    between, too far above the steps for the run to reach. The list items under an
    "Ingredients" heading not far above the run, with their group intros ("Für den Teig:")."""
    for h in range(start - 1, max(-1, start - RECIPE_REACH), -1):
        if units[h].words <= 4 and _INGREDIENTS.match(units[h].text):
            return [
                i
                for i in range(h + 1, start)
                if i in lists
                and i not in labels
                and cf[i] in ("short", "neargood", "minor")
                and not units[i].image
            ]
    return []


def _extend_over_lists(
    units: list[Unit],
    cf: list[str],
    lists: set[int],
    labels: set[int],
    shadow: set[int],
    start: int,
    end: int,
) -> tuple[int, int]:
    """Widen the run over a list that touches it: ingredients before a recipe's steps, the
    points after a story's last paragraph. Each item counts a little against the run's sum, so
    a long list at its edge is cut off although nothing but its intro line ("Zutaten:")
    separates it from the story. Label lists (menus, tags) and furniture stay out."""

    def item(i: int) -> bool:
        return cf[i] in ("short", "neargood") and i in lists and i not in labels | shadow

    def intro(i: int) -> bool:
        return cf[i] in ("short", "neargood") and units[i].text.endswith(":") and i not in shadow

    lo = start
    while lo > 0 and (item(lo - 1) or intro(lo - 1)):
        lo -= 1
    while lo < start and (not item(lo) or intro(lo)):  # an outer intro heads what is left out
        lo += 1
    hi = end
    while hi < len(units) and (item(hi) or intro(hi)):
        hi += 1
    while hi > end and (not item(hi - 1) or intro(hi - 1)):
        hi -= 1
    # one or two stray lines are a link or a label, not a list the story goes on with
    if sum(item(i) and not intro(i) for i in range(lo, start)) < MIN_LIST_ITEMS:
        lo = start
    if sum(item(i) and not intro(i) for i in range(end, hi)) < MIN_LIST_ITEMS:
        hi = end
    return lo, hi


def _stranded(
    cf: list[str], values: list[float], lists: set[int], shadow: set[int], start: int, end: int
) -> set[int]:
    """Short lines of the run that sit among furniture rather than among paragraphs.

    Between two paragraphs of a story stand subheadings and the odd caption: the stretch
    costs the run little. A stretch that costs it a lot (a share bar, a teaser box, a comment
    form the run had to cross to reach more prose) is furniture, and so are its short lines,
    however sentence-like ("So macht Radfahren sonst noch Spaß", "Diese Geschichte teilen")."""
    stranded: set[int] = set()
    stretch: list[int] = []
    for i in range(start, end + 1):
        anchor = i == end or (_is_prose(cf, lists, i) and i not in shadow)
        if not anchor:
            stretch.append(i)
            continue
        if sum(values[j] for j in stretch if cf[j] != "short") < -STRETCH_COST:
            stranded.update(j for j in stretch if cf[j] == "short")
        stretch = []
    return stranded


def _title_index(
    units: list[Unit], keys: list[str], lists: set[int], start: int, end: int
) -> int | None:
    """The headline: a heading-like unit standing alone just before the story (or opening it).

    Pages print their headline more than once (a breadcrumb, an image's alt text, the
    document title above the article), and put the date or byline right under it; both count
    for a candidate. Headlines of one or two words exist ("Emden", "Nebelsuppe.") but need
    such support to beat a longer line nearer the story."""
    best, best_score = None, 0.0
    lowest = max(0, start - TITLE_REACH)
    short_keys = [k if u.words <= 40 else "" for u, k in zip(units, keys, strict=True)]
    printed = Counter(short_keys)
    for i in range(lowest, min(end, start + 3)):
        unit = units[i]
        if not 1 <= unit.words <= 30:
            continue
        text = unit.text
        if _is_furniture(unit, frozenset(), teaser=False) or _is_block_heading(unit) or unit.bullet:
            continue
        if i in lists or _CREDIT.match(text) or _CAPTION_CREDIT.search(text) or text.endswith(":"):
            continue  # a list line, a credit, a caption or an intro ("Zubereitung:") is no headline
        if _DATEISH.search(text) and unit.words <= 8:
            continue
        if i >= start and unit.words > 15 and not unit.heading:
            continue  # inside the story a long line is its lead, not a headline
        score = 10.0 - abs(start - i) * 0.5
        score += 4.0 if unit.heading else 0.0
        score += 2.0 if 5 <= unit.words <= 20 else -2.5 if unit.words <= 2 else 0.0
        score -= 3.0 if text.endswith(".") and unit.words > 2 else 0.0
        score -= 2.0 if i >= start else 0.0
        alone = (i == 0 or units[i - 1].block != unit.block) and (
            i + 1 == len(units) or units[i + 1].block != unit.block
        )
        score += 1.0 if alone else -2.0
        score += 3.0 if _printed_again(short_keys, printed, i) else 0.0
        dated_below = any(
            _DATEISH.search(u.text) or _BYLINE.match(u.text)
            for u in units[i + 1 : i + 4]
            if u.words <= 15
        )
        score += 2.0 if dated_below else 0.0
        if score > best_score:
            best, best_score = i, score
    return best


def _printed_again(short_keys: list[str], printed: Counter[str], i: int) -> bool:
    """Whether unit i's text is printed elsewhere on the page, on its own or inside a short
    line (a breadcrumb, an image's alt text), but not over and over: a label under every
    forum post or teaser ("Forenprofi", "Weiterlesen") is no headline. short_keys holds the
    template_key of each unit of at most 40 words ("" for longer ones), printed counts them."""
    key = short_keys[i]
    if len(key) < 4 or printed[key] > MAX_HEADLINE_PRINTS:
        return False
    return printed[key] > 1 or any(j != i and key in k for j, k in enumerate(short_keys))


def _tags_after(units: list[Unit], end: int) -> list[str]:
    """A tag list right after the story: 'Tags: a, b' or a short bullet list."""
    for i in range(end, min(len(units), end + 6)):
        m = _TAG_LINE.match(units[i].text)
        if m:
            return [t.strip() for t in re.split(r"\s*[,;|·•]\s*", m.group(1)) if t.strip()]
        if units[i].bullet:
            items = []
            j = i
            while j < len(units) and units[j].bullet and units[j].block == units[i].block:
                items.append(units[j].text)
                j += 1
            if 2 <= len(items) <= 20 and all(1 <= len(t.split()) <= 4 for t in items):
                heading = units[i - 1].text if i > 0 else ""
                if i == end or _BLOCK_HEADING.match(heading):  # right after the story, or "Tags"
                    return items
            return []
    return []


def rule_layout(units: list[Unit], template: frozenset[str]) -> tuple[str | None, Layout]:
    """The page's language and what the rules find: each unit's class, the story run, its
    headline and the units kept as story."""
    language = detect_language(units)
    stops = stoplist(language)
    keys = [template_key(u.text) for u in units]
    densities = [_stop_density(u.text, stops) for u in units]
    cf = _classify(units, keys, densities, template)
    revised = _revise(units, cf)
    lists = _list_members(units)
    labels = _label_lists(units, lists)
    boundaries = _boundaries(units, cf, labels)
    shadow = _shadowed(units, cf, lists, labels, boundaries)
    values = [_unit_value(u, cf[i], revised[i], i in lists) for i, u in enumerate(units)]
    for i, u in enumerate(units):
        if i in boundaries:
            values[i] = -BOUNDARY_COST
        elif i in shadow:
            values[i] = -0.5 * u.words
    start, end = _best_run(values)
    end = _cut_appendix(values, cf, lists, boundaries, shadow, start, end)
    title_i = _title_index(units, keys, lists, start, end) if end > start else None
    if end > start:
        # the headline is the outer limit of any widening
        floor = title_i + 1 if title_i is not None and title_i < start else 0
        lead = max(floor, _extend_over_lead(units, cf, lists, labels, boundaries, start))
        shadow -= set(range(lead, start))  # the story's lead is out of any heading's shadow
        start, end = _extend_over_lists(units, cf, lists, labels, shadow, lead, end)
        start = max(floor, start)
    stranded = _stranded(cf, values, lists, shadow, start, end)
    keep = [
        i
        for i in range(start, end)
        if cf[i] not in ("bad", "sparse", "minor")
        and i not in shadow
        and i not in labels
        and i != title_i
        and not _is_metadata_line(units[i])
        and not _is_date_line(units[i])
        and i not in stranded
    ]
    _trim_trailing_labels(units, cf, keep)
    bio = _author_bio(units, stops, keep)
    if bio is not None:
        del keep[keep.index(bio) :]
        boundaries.add(bio)  # the bio closes the story as a box heading would
        end = bio
    if keep:
        keep[:0] = _ingredients(units, cf, lists, labels, keep[0])
    if title_i is not None and keep:
        keep[:0] = _standfirst(units, cf, lists, title_i, keep[0])
    layout = Layout(
        classes=cf,
        revised=revised,
        stop_density=densities,
        lists=lists,
        labels=labels,
        boundaries=boundaries,
        shadow=shadow,
        start=start,
        end=end,
        title=title_i,
        keep=frozenset(keep),
    )
    return language, layout


def _learned_additions(units: list[Unit], layout: Layout) -> set[int]:
    """Story lines the rules left out that the line model finds likelier story than not.
    It never overrules what the rules know for certain: no headline, byline or tag line,
    nothing the rules recognised as furniture, a caption or a line of the source's template
    (class bad or minor), no line in a box that a block heading opens ("Written By",
    "Related"), and nothing beyond the block headings that close the story or open the
    furniture above it."""
    first = max((b for b in layout.boundaries if b < layout.start), default=-1)
    last = min((b for b in layout.boundaries if b >= layout.end), default=len(units))
    probabilities = story_probabilities(units, layout)
    return {
        i
        for i in map(int, np.flatnonzero(probabilities >= STORY_PROBABILITY))
        if first < i < last
        and i not in layout.keep
        and i not in layout.shadow
        and layout.classes[i] not in ("bad", "minor")
        and i != layout.title
        and not _is_metadata_line(units[i])
        and not _is_date_line(units[i])
    }


def _standfirst(
    units: list[Unit], cf: list[str], lists: set[int], title_i: int, first: int
) -> list[int]:
    """The lines between the headline and the story's first paragraph that are its
    standfirst or subtitle: text of a few words or more, not a date, byline, credit, list
    line or furniture. Anything else between them (a menu, a share bar, a breadcrumb, a list
    of names) cuts them off."""
    found: list[int] = []
    for i in range(first - 1, title_i, -1):
        unit = units[i]
        text = unit.text
        if _DATEISH.search(text) or _is_metadata_line(unit) or cf[i] == "minor":
            continue
        if _CREDIT_TAIL.search(text):
            continue  # a caption with its credit
        if cf[i] == "bad" or i in lists or unit.words < STANDFIRST_WORDS:
            break
        # a phrase has lowercase words; a breadcrumb or a list of names has none or separators
        if _BREADCRUMB.search(text) or not any(w[0].islower() for w in _WORD.findall(text)):
            break
        found.insert(0, i)
    return found


def _trim_trailing_labels(units: list[Unit], cf: list[str], keep: list[int]) -> None:
    """Drop the bare labels the story ends on: a box title or a link after the last
    paragraph ("Weitere Informationen:", "Explore further", "Zurück zur Übersicht"). A label
    there heads nothing of the story, and no sentence of it ends that way."""
    while keep:
        unit = units[keep[-1]]
        dangling_intro = unit.text.endswith(":") and unit.words <= 8
        bare = cf[keep[-1]] == "short" and not SENTENCE_END.search(unit.text) and unit.words <= 6
        if unit.bullet or not (dangling_intro or bare):
            return
        keep.pop()


def _author_bio(units: list[Unit], stops: frozenset[str], keep: list[int]) -> int | None:
    """An author's bio among the story's last paragraphs: a paragraph that opens on a
    person's name that the page also prints as a line of its own or in a byline ("Von Inga
    Buller"), and goes on "… ist Head of Social bei CHIP"."""
    for i in keep[-BIO_TAIL:]:
        match = _BIO_OPENING.match(units[i].text)
        if not match or units[i].words > BIO_WORDS:
            continue
        name = match.group(1)
        if not all(t[0].isupper() and t.lower() not in stops for t in name.split()
                   if t.lower() not in _NAME_PARTICLES):  # fmt: skip
            continue  # "Die Frau ist …", "Das Spiel ist …": not a name
        folded = name.casefold()
        if any(
            j != i and other.words <= BYLINE_WORDS and folded in other.text.casefold()
            for j, other in enumerate(units)
        ):
            return i
    return None


def clean_text_dump(text: str, ctx: PageContext, template: frozenset[str] = frozenset()) -> Cleaned:
    """The story paragraphs of a text dump, with hints for the extractor.

    `template` holds template_key()s of lines the source prints on every page (learned by
    tasks.clean.templates); those lines never count as story."""
    units = split_units(text)
    if not units:
        return Cleaned(body="", method=METHOD, hints={})
    language, layout = rule_layout(units, template)
    story = sorted(layout.keep | _learned_additions(units, layout))
    body = "\n\n".join(_render(units, story))
    # the extractor's zones (byline, lead, after) stay anchored on the rules' story run
    hints = _hints(
        units, layout.start, layout.end, layout.title, sorted(layout.keep), language, ctx
    )
    return Cleaned(body=body, method=METHOD, hints=hints)


def _is_metadata_line(unit: Unit) -> bool:
    return unit.words <= 15 and bool(_BYLINE.match(unit.text) or _TAG_LINE.match(unit.text))


def _is_date_line(unit: Unit) -> bool:
    """A date or time with a label at most ("16 marca 2021", "Publikacja: 04.05.2021",
    "Alex Fischer / 22.04.2020"): the timestamp of the page, a comment or a ticker entry is
    metadata, not story text."""
    if unit.words > DATE_LINE_WORDS or not _DATEISH.search(unit.text):
        return False
    return len(_LETTER_WORD.findall(_DATEISH.sub(" ", unit.text))) <= DATE_LABEL_WORDS


def _render(units: list[Unit], keep: list[int]) -> list[str]:
    """Paragraphs for the body; consecutive list items of one block stay one paragraph."""
    out: list[str] = []
    previous: Unit | None = None
    for i in keep:
        unit = units[i]
        if (
            unit.bullet
            and previous is not None
            and previous.bullet
            and previous.block == unit.block
        ):
            out[-1] = f"{out[-1]}\n- {unit.text}"
        else:
            out.append(f"- {unit.text}" if unit.bullet else unit.text)
        previous = unit
    return out


def _hints(
    units: list[Unit],
    start: int,
    end: int,
    title_i: int | None,
    keep: list[int],
    language: str | None,
    ctx: PageContext,
) -> dict:
    """What the extractor needs: the headline and the lines around the story, by zone."""
    anchor = title_i if title_i is not None else start
    first_body = keep[0] if keep else start
    last_body = keep[-1] if keep else end - 1
    section = None
    if title_i is not None and title_i > 0:
        label = units[title_i - 1]
        if 1 <= label.words <= 3 and not label.bullet and not _DATEISH.search(label.text):
            section = label.text
    date_lines = []
    for i, unit in enumerate(units):
        if len(unit.text) < 400 and _DATEISH.search(unit.text):
            if (anchor - 6 <= i < first_body + 1 and i not in keep) or (
                title_i is not None and title_i < i <= title_i + BYLINE_REACH and unit.words <= 15
            ):
                zone = "byline"  # between headline and story, or a short line just under it
            elif first_body <= i <= min(last_body, first_body + 2):
                zone = "lead"
            elif last_body < i <= last_body + 8:
                zone = "after"
            elif first_body <= i <= last_body:
                zone = "body"
            else:
                zone = "far"
            date_lines.append({"i": i, "text": unit.text, "zone": zone, "words": unit.words})
    return {
        "language": language,
        "title": units[title_i].text if title_i is not None else None,
        "title_index": title_i,
        "body_range": [first_body, last_body + 1] if keep else None,
        "section": section,
        "before_body": [u.text for u in units[max(0, anchor - 4) : first_body] if u.words <= 40],
        "after_body": [u.text for u in units[last_body + 1 : last_body + 12]],
        "date_lines": date_lines[:60],
        "tags": _tags_after(units, last_body + 1),
        "header": [u.text for u in units[: min(15, max(anchor, 1))] if u.words <= 12],
        "footer": [u.text for u in units[-15:] if u.words <= 12],
        "fetched_at": ctx.fetched_at.isoformat() if ctx.fetched_at else None,
    }

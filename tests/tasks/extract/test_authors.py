"""Author names from byline lines and from the bylines an HTML page shows (issue 16)."""

from __future__ import annotations

import pytest
from lxml.html import fromstring
from trafilatura.metadata import extract_author

from tasks.extract.authors import (
    asker,
    bio_names,
    by_lines,
    byline_names,
    clean_authors,
    dated_names,
    doubled_names,
    is_account,
    linked_names,
    part_names,
    photo_names,
    post_header_names,
    repeated_names,
    signed_handles,
    thread_posters,
    thread_starter,
    yearless_date,
)
from tasks.page.bylines import read_bylines


def test_a_names_line_lists_up_to_six_people_without_their_credentials() -> None:
    line = "Ann Lee, Bob Stone, Cy Park & Di Moss"
    assert byline_names(line, bare=True) == ["Ann Lee", "Bob Stone", "Cy Park", "Di Moss"]
    assert byline_names("Dylan Bailey, MS, RD, FAND", bare=True) == ["Dylan Bailey"]
    assert byline_names("New rules, old habits and the council", bare=True) == []


def test_a_label_names_the_line_after_it_or_the_one_after_a_photo() -> None:
    assert by_lines(["Article by", "Matias Heikkilä"]) == ["Matias Heikkilä"]
    assert by_lines(["Written by", "[]avatar_jr", "Jane Roe"]) == ["Jane Roe"]
    assert by_lines(["Written by", "Subscribe to our newsletter today", "Jane Roe"]) == []


def test_a_by_word_label_makes_a_lone_first_name_the_authors() -> None:
    # the line after the label read as a by-line: the role after the dash is its tail
    assert by_lines(["5 Minutes", "Written by", "Eliz - Product marketer"]) == ["Eliz"]
    assert by_lines(["Von", "Anna"]) == ["Anna"]
    # a field's name over a search box is no by-word; a section is no pair of first names
    assert by_lines(["Author", "Search"]) == []
    assert by_lines(["Written By", "Art & Culture"]) == []
    # only right under the label: a form's "von" / "nach" / "Datum" (from, to, date)
    assert by_lines(["von", "nach", "Datum"]) == []


def test_a_long_dated_line_names_the_people_after_its_last_by_word() -> None:
    line = "Posted on December 20, 2025 by Jane Roe (CNX) - 5 Comments on Do you need 14 ports"
    assert dated_names([line], {line}, None) == ["Jane Roe"]
    title = "Update 2024-09-05 broke the app"
    assert dated_names([title, "Bugs Forum"], {title}, title) == []


def test_a_name_under_its_photo_but_not_a_menu_shown_twice() -> None:
    assert photo_names(["Headshot of Lisa Pham, Writer at Jobber", "Lisa Pham"]) == ["Lisa Pham"]
    assert photo_names(["Elliot Raba Image", "", "Elliot Raba"]) == ["Elliot Raba"]
    assert photo_names(["Main Menu", "Main Menu"]) == []
    assert photo_names(["  • Picture of Jane Roe", "  • Jane Roe"]) == []


def test_a_name_under_an_author_photo_or_a_user_name_under_its_own_avatar() -> None:
    assert photo_names(["Author image", "Gopal Singh Panwar", "8 min"]) == ["Gopal Singh Panwar"]
    assert photo_names(["drat's user avatar", "drat"]) == ["drat"]
    assert photo_names(["Whitepaper image", "Whitepaper"]) == []  # a card, not an author
    assert photo_names(["Bring photos to life with Livephoto", "Live"]) == []


def test_an_author_box_is_a_name_then_a_bio_about_that_person() -> None:
    box = ["Albert Swann", "", "(Editor) - Albert comes from a family garage;", "his first car"]
    assert bio_names(box) == ["Albert Swann"]
    credited = ["Danielle Padula", "This post was written by Danielle Padula, Head of Marketing"]
    assert bio_names(credited) == ["Danielle Padula"]
    # the bio calls them by the full name: "Jane Roe is a …" about a person
    full = ["Julia Gralberg", "", "Julia Gralberg is a freelance travel writer. When she isn't"]
    assert bio_names(full) == ["Julia Gralberg"]
    # a name inside a sentence is its subject, not the bio's author
    subject = ["Mary Earps", "Manchester United goalkeeper Mary Earps has been praised for her"]
    assert bio_names(subject) == []
    # a heading and the paragraph about its thing: the term again, and no person in it
    heading = ["Rustic Furniture", "Rustic furniture is a celebration of wood; he loves it."]
    assert bio_names(heading) == []
    thing = ["Agile Software Development", "Agile is the name of an iterative and adaptive way"]
    assert bio_names(thing) == []


def test_an_author_box_in_the_first_person_outside_the_story() -> None:
    bio = "I'm the founder of Town News and have covered the council since 2010."
    assert bio_names(["[author-image]", "Jane Roe", bio]) == ["Jane Roe"]
    # the photo's alt text runs into the bio on one line
    assert bio_names([f"Jane Roe Photo Jane Roe Photo {bio}"]) == ["Jane Roe"]
    # a heading over the story's own paragraph in the first person, and a button
    assert bio_names(["Final Thoughts", bio], story=f"Final Thoughts {bio}") == []
    assert bio_names(["Find Pros", "I'm a contractor", "Welcome to the site of all sites"]) == []
    # a markdown dump shows the photo as its alt text in brackets, alone on its line
    assert bio_names(["[Jane Roe]   ", bio]) == ["Jane Roe"]
    assert bio_names(["[Jane Roe] and friends", bio]) == []


def test_a_dated_byline_names_the_writer_before_its_separator_or_the_desk_if_asked() -> None:
    line = "EcoFlow- 2025/4/29"
    assert dated_names([line], {line}, None) == ["EcoFlow"]
    desk = "TOI Lifestyle Desk / etimes.in / Updated: Dec 17, 2025, 21:47 IST"
    assert dated_names([desk], {desk}, None) == []
    assert dated_names([desk], {desk}, None, credits=True) == ["TOI Lifestyle Desk"]


def test_a_name_above_a_date_with_no_year() -> None:
    assert [yearless_date(line) for line in ("Jun 9", "Friday, 9 June", "Jun 2025", "9")] == [
        True,
        True,
        False,
        False,
    ]
    assert dated_names(["Kalyn Keen", "Jun 9", "5 min read"], {"Jun 9"}, None) == ["Kalyn Keen"]


def test_the_thread_starter_is_a_user_name() -> None:
    assert thread_starter(["  • Thread starter Pippin06", "  • Start date Dec 30"]) == ["Pippin06"]
    assert thread_starter(["Discussion in 'Help' started by pelex, May 26, 2025."]) == ["pelex"]
    assert thread_starter(["Started by the council in 2019, the scheme"]) == []
    # a display name of capitalised words, not the prose after a by-word
    assert thread_starter(["  • Thread starter Jane Roe", "  • Start date"]) == ["Jane Roe"]
    assert thread_starter(["started by the Town Council in 2019"]) == []
    # a forum whose accounts are e-mail addresses: the address is the user name
    assert thread_starter(["  • Thread starter jane@town.example"]) == ["jane@town.example"]


def test_a_threads_first_poster_heads_its_first_post_and_another() -> None:
    thread = [
        "Higher Logic has terminated open source Vanilla",
        "",
        "LincLinc Admin",  # the avatar's alt text glued to the user name, then a rank
        "March 2025 edited March 2025 in Releases",
        "",
        "On 2 Dec 2024, I received this message from the director:",
        "",
        "  • mcrouse Admin",
        "    March 2025",
        "    Hi @Linc, I regret the misunderstanding.",
        "  • LincLinc Admin",
        "    March 2025",
        "    My quote was accurate.",
    ]
    story = "On 2 Dec 2024, I received this message from the director:"
    assert thread_posters(thread, story) == ["Linc"]
    # a rank after the user name in one header, the name alone in another: the name
    ranked = ["JGD", "April 2, 2024 in Questions", "Hello all", "pat9", "May 1, 2024",
              "JGD Members", "May 2, 2024", "Thanks"]  # fmt: skip
    assert thread_posters(ranked, "Hello all") == ["JGD"]
    # the first poster who never posts again: no thread read from the structure
    assert thread_posters(thread[:10], story) == []


def test_a_questions_asker_is_named_on_its_card_under_the_asked_date() -> None:
    page = [
        "edited Apr 13, 2017 at 12:52",
        "Community's user avatar",  # the editor's card comes first
        "CommunityBot",
        "1",
        "asked Mar 28, 2014 at 11:38",
        "drat's user avatar",
        "drat",
        "1,65511 gold badge1414 silver badges3131 bronze badges",
        "answered Mar 29, 2014 at 9:00",
        "jane_roe",
        "2,001 3 3 silver badges",
    ]
    assert asker(page) == ["drat"]
    assert asker([line for line in page if "avatar" not in line]) == ["drat"]
    # no reputation under the name: prose after a date, no card
    assert asker(["asked May 3, 2024", "Nobody", "knew the answer."]) == []


def test_commenters_under_an_article_are_not_its_thread_starter() -> None:
    article = [
        "A new bridge for the town",
        "The council voted on Monday to build a new bridge.",
        "Comments",
        "jdoe42",
        "May 3, 2025",
        "Great news.",
        "pat_smith",
        "May 4, 2025",
        "About time.",
        "jdoe42",
        "May 5, 2025",
        "Agreed.",
    ]
    # the headers all come after the story's first line: replies, not the first post
    assert thread_posters(article, "The council voted on Monday to build a new bridge.") == []
    # a product page's field label over each of its dates is one "poster" alone: no thread
    labels = [
        "Released",
        "21 Aug, 2012",
        "Intro",
        "Updated",
        "3 May 2013",
        "Released",
        "1 May 2014",
    ]
    assert thread_posters(labels, "Intro") == []


def test_accounts_are_user_names_not_printed_names() -> None:
    assert [is_account(n) for n in ("andrew.keaveney", "KatieS", "jdoe", "Susan", "Jane Roe")] == [
        True,
        True,
        True,
        False,
        False,
    ]


def _tree(body: str):
    return fromstring(f"<html><body>{body}</body></html>")


def test_byline_elements_by_class_token_not_boxes_or_comments() -> None:
    tree = _tree(
        "<div class='author-bio'>Jane Roe writes about harbours.</div>"
        "<span class='post-author'>John Smith</span>"
        "<div class='comments'><span class='comment-author'>Troll</span></div>"
        "<form><label class='author-name'>Name *</label></form>"
        "<div itemprop='author' itemscope><meta itemprop='name' content='Ann Lee'></div>"
    )
    assert read_bylines(tree).shown == ["John Smith", "Ann Lee"]


def test_a_name_under_an_author_label_block() -> None:
    tree = _tree(
        "<p>Stories written by our readers are welcome.</p>"
        "<h2>Article by</h2><div>Matias Heikkilä</div>"
    )
    assert read_bylines(tree).labelled == ["Matias Heikkilä"]
    reply = _tree("<div id='comments'><p>Written by</p><p>A Reader</p></div>")
    assert read_bylines(reply).labelled == []


@pytest.mark.parametrize(
    "body",
    [
        # its first XPath (a specific element) before its later ones, even further down
        "<span class='byline'>By Ann Lee</span><p><a rel='author'>Bob Stone</a></p>",
        # pruned: comments, dates, figures, a sidebar; a link's class 'print' around it
        "<div class='sidebar'><span class='author'>Side Bar</span></div>"
        "<figure><span class='author'>Photo Credit</span></figure>"
        "<div id='comments-area'><p class='author'>A Reader</p></div>"
        "<a class='print-author'>Printer</a><div class='author'>Jane Roe</div>",
        # text pruned inside the find: a date in the byline, its tail kept
        "<div class='author-name'>Jane <time>May 5</time>Roe<span class='date'>x</span>!</div>",
        # too short, then too long, then a writer
        "<span class='author'>JR</span><p class='author'>" + "word " * 30 + "</p>"
        "<h4 class='writer'>Jane Roe</h4>",
        "<div id='author'>By <a href='mailto:j@x.org'>j@x.org</a></div>"
        "<p class='screenname'>jr</p>",
        "<p>No byline</p>",
    ],
)
def test_the_byline_search_finds_what_trafilatura_finds(body: str) -> None:
    page = f"<html><head><link rel='author' href='/a'></head><body>{body}</body></html>"
    assert read_bylines(fromstring(page), search=True).shown[:1] == [
        name for name in [extract_author(fromstring(page))] if name
    ]


def test_the_first_posts_user_name_on_a_forum() -> None:
    xenforo = _tree(
        "<article class='message message--post' data-author='Pippin06'>…</article>"
        "<article class='message message--post' data-author='SmellSharpe'>…</article>"
    )
    assert read_bylines(xenforo).poster == "Pippin06"
    nodebb = _tree("<li component='post' data-index='0' data-username='luizjr4'>…</li>")
    assert read_bylines(nodebb).poster == "luizjr4"
    assert read_bylines(_tree("<p>No forum here</p>")).poster is None
    reddit = _tree("<shreddit-post author='spez' post-title='Hi'></shreddit-post>")
    assert read_bylines(reddit).poster == "spez"


def test_the_first_user_name_printed_outside_comments() -> None:
    tree = _tree(
        "<div class='comments'><a class='username'>late_reply</a></div>"
        "<div class='postbody'><a class='username understate'>slow-poke</a></div>"
    )
    assert read_bylines(tree).username == "slow-poke"
    assert read_bylines(_tree("<p class='usernames'>x</p>")).username is None
    vbulletin = _tree("<td><a class='bigusername' href='member.php?u=1'>microfast</a></td>")
    assert read_bylines(vbulletin).username == "microfast"
    flarum = _tree("<div class='PostUser'><h3 class='PostUser-name'>antonjw</h3></div>")
    assert read_bylines(flarum).username == "antonjw"


def test_links_to_author_pages_in_order_the_name_block_of_each() -> None:
    tree = _tree(
        "<a href='/authors/'>Our authors</a>"
        "<a href='/author/kim/'><img alt='Kim Lee'><dl><dt>Kim Lee</dt><dd>Producer</dd></dl></a>"
        "<a href='https://x.org/blog/author/ann-roe/'>Ann Roe</a>"
        "<div class='comments'><a href='/author/troll/'>A Troll</a></div>"
    )
    assert read_bylines(tree).linked == ["Kim Lee", "Ann Roe"]
    box = _tree(
        "<div class='page__author'><a href='/author/kim/'><dl><dt>Kim Lee</dt><dd>Producer</dd>"
        "</dl></a><a href='/author/ann/'><dl><dt>Ann Roe</dt><dd>Programmer</dd></dl></a></div>"
    )
    assert read_bylines(box).shown == ["Kim Lee, Ann Roe"]
    assert read_bylines(box, search=True).shown == ["Kim Lee, Ann Roe"]


def test_a_date_and_a_name_parted_by_a_dot_and_a_label_that_is_no_name() -> None:
    line = "Dec. 19, 2025 · Niko Matsakis on behalf of Vision Doc group"
    assert clean_authors([line]) == ["Niko Matsakis"]
    assert clean_authors(["The Author", "About the author"]) == []


def test_names_without_credentials_entities_trailing_dates_or_avatar_initials() -> None:
    assert clean_authors(["Dylan Bailey, MS, RD, FAND"]) == ["Dylan Bailey"]
    assert clean_authors(["Maria &amp; Katerina"]) == ["Maria", "Katerina"]
    assert clean_authors(["Supermove February 8", "Jane RoeDecember 17, 2025"]) == [
        "Supermove",
        "Jane Roe",
    ]
    assert clean_authors(["CM Craig McCarthy Last updated", "CM"]) == ["Craig McCarthy"]
    assert clean_authors(["JGD", "Theresa May"], handles=True) == ["JGD", "Theresa May"]


def test_a_phpbb_byline_parts_the_name_from_its_date() -> None:
    assert clean_authors(["by slow-poke » Mon Jan 01, 2024 10:00 am"], handles=True) == [
        "slow-poke"
    ]


def test_a_markdown_link_to_an_author_page_or_to_the_users_own_page() -> None:
    page = "[Sign In](/users/signin?to=x) [Experts](/about/people/experts)\n\n# Title\n\n"
    assert linked_names(page + "By [Jane Roe](https://site.example/author/jr42/)") == ["Jane Roe"]
    assert linked_names(page + "[jdoe](/u/jdoe) May 26, 2025") == ["jdoe"]
    assert linked_names(page + "[Ana López](/people/ana-lopez)") == ["Ana López"]
    # a user's page must name the user; an image is no link text
    assert linked_names(page + "[Our Allies](/members/allied-organisations)") == []
    assert linked_names(page + "![Jane Roe](/author/jane-roe.jpg)") == []


def test_a_forum_post_header_names_its_poster_before_the_posts_date_and_time() -> None:
    assert post_header_names(["Bugs", "DaleJack September 5, 2024, 11:15pm 1"]) == ["DaleJack"]
    assert post_header_names(["raoul (raoul) May 3, 2024, 8:45am 1"]) == ["raoul"]
    assert post_header_names(["Jane Roe May 3, 2025 at 3:00 am"]) == ["Jane Roe"]
    # a word before a date and time is what happened then; a date alone heads no post
    assert post_header_names(["answered Dec 3, 2025 at 10:00"]) == []
    assert post_header_names(["Commented Dec 3, 2025 at 10:00"]) == []
    assert post_header_names(["DaleJack September 5, 2024"]) == []
    assert post_header_names(["a8f9x3 September 5, 2024, 11:15pm"]) == []


def test_a_name_shown_twice_above_the_date_is_the_photo_and_the_name() -> None:
    zone = ["[svg]", "Jane Roe", "Jane Roe", "Reviewed by: John Doe", "Updated: August 5, 2025"]
    assert doubled_names(zone, {"Updated: August 5, 2025"}) == ["Jane Roe"]
    # without a date after it: a product's name, a menu, a heading shown twice
    assert doubled_names(zone[:4], {"Updated: August 5, 2025"}) == []
    menu = ["• Jane Roe", "• Jane Roe", "May 3, 2025"]
    assert doubled_names(menu, {"May 3, 2025"}) == []


def test_a_name_shown_twice_above_the_headline_is_no_byline_of_the_date_under_it() -> None:
    # an inscriptis dump prints a menu item twice (two menus, no bullets) above the headline,
    # whose date line follows within three lines: the headline stands between them
    title = "Big Data Analytics in Retail: Enhancing Customer Insights"
    zone = ["Contact Us", "Contact Us", title, "September 12, 2025 | 14 min read"]
    assert doubled_names(zone, {zone[-1]}, title) == []
    # a "headline" with a by-word is a byline taken for one: it separates nothing
    byline = "Reviewed By: John Doe, PhD"
    zone = ["Jane Roe", "Jane Roe", byline, "Last Updated: August 5, 2025"]
    assert doubled_names(zone, {zone[-1]}, byline) == ["Jane Roe"]
    # under the headline, the byline's own order
    zone = [title, "Jane Roe", "Jane Roe", "Updated: August 5, 2025"]
    assert doubled_names(zone, {zone[-1]}, title) == ["Jane Roe"]


def test_a_name_among_the_parts_of_a_dated_line_but_not_a_menus_section() -> None:
    assert part_names(["Jane Roe•Oct 20, 2025"], set()) == ["Jane Roe"]
    line = "December 15, 2025 · 30 min · 6279 words · Jane Roe"
    assert part_names([line], set()) == ["Jane Roe"]
    assert part_names(["[svg] Jane Roe•Updated on Jul 4, 2024 •28 min read"], set()) == ["Jane Roe"]
    # a section the page's menu lists, a line with no parts, a date alone
    assert part_names(["Travel News • May 3, 2025"], {"travel news"}) == []
    assert part_names(["Jane Roe May 3, 2025"], set()) == []
    assert part_names(["May 3, 2025 | 5 min read"], set()) == []
    # cut as a byline is: its by-word, what follows the name
    assert part_names(["By Jane Roe • 11/08/23 5:19pm"], set()) == ["Jane Roe"]
    assert part_names(["Dec. 19, 2025 · Jane Roe on behalf of the team"], set()) == ["Jane Roe"]
    # only figures between the name and the date: a button after a label is no byline
    line = "January 13, 2020 at 08:45 AM | categories: Python | View Comments"
    assert part_names([line], set()) == []


def test_a_name_printed_twice_after_a_photos_alt_text() -> None:
    assert repeated_names(["  • Picture of Jane Roe Jane Roe"], photo=True) == ["Jane Roe"]
    line = "An avatar representing Jane Roe Jane Roe"
    assert repeated_names([line], photo=True) == ["Jane Roe"]
    assert repeated_names(["Jane Roe (jr) Jane Roe (jr)"]) == ["Jane Roe"]
    assert repeated_names(["• Jane RoeJane RoeJane Roe"]) == ["Jane Roe"]
    # a logo or a button: its alt text and its label, no photo word
    assert repeated_names(["Get A Quote Get A Quote"], photo=True) == []
    # a markdown dump keeps the alt text apart in its brackets
    line = " [An avatar representing Jane Roe] Jane Roe "
    assert repeated_names([line], photo=True) == ["Jane Roe"]
    assert repeated_names([" [Get A Quote] Get A Quote "], photo=True) == []
    assert repeated_names(["Jane Roe and John Doe"]) == []


def test_a_user_name_after_by_that_the_posters_card_shows_alone() -> None:
    card = ["thanosmano", "", "By thanosmano,", "April 18, 2024 in Princess Cruises"]
    assert signed_handles(card) == ["thanosmano"]
    # a lower-case word after "By" is prose unless the page shows it alone; a capitalised
    # word is a menu's ("Shop By Collection")
    assert signed_handles(["By default,", "the app saves"]) == []
    assert signed_handles(["Collection", "By Collection"]) == []


def test_a_thread_starters_label_under_the_user_name() -> None:
    # vBulletin's post card: the user name, then the label alone
    card = ["Old Feb 14, 2026 | 9:05 pm", "#1", "lowjhg", "Original Poster", "Join Date: Jan 2015"]
    assert thread_starter(card) == ["lowjhg"]
    assert thread_starter(["Thread starter jdoe42", "Start date Dec 30, 2023"]) == ["jdoe42"]
    # the label after a sentence is no card
    assert thread_starter(["Replies from the community follow below", "Original Poster"]) == []

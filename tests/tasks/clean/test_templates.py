"""A source's template, learned from its other pages, makes the next page come out cleaner."""

from __future__ import annotations

from newsdesk.core.registry import Registry
from tasks.clean.templates import learn_template, merge_template, template_key
from tasks.clean.text_dump import clean_text_dump
from tasks.page.fields import PageContext

CTX = PageContext(registry=Registry(()))

# A long prose notice the publisher prints under every story: on its own it reads like the
# story's last paragraph, so only the source's other pages can show it is furniture.
NOTICE = (
    "The Harbour Courier is an independent paper owned by its readers since 1998, and every "
    "story we publish is checked by two editors before it goes out to the people of the coast "
    "who rely on us."
)


def page(title: str, paragraphs: list[str]) -> str:
    story = "\n\n".join(paragraphs)
    return (
        f"Harbour Courier\n\n  • Home\n  • Local\n  • Sport\n\n{title}\n\n{story}\n\n{NOTICE}\n\n"
        "© 2024 Harbour Courier\n"
    )


STORIES = [
    page(
        "Ferry service returns after winter repairs",
        [
            "The morning ferry to the islands sailed again on Monday after three months in the "
            "yard, carrying forty passengers and a delivery of building materials for the school.",
            "The operator said the new engines would cut the crossing by ten minutes and that the "
            "timetable for the summer would be published by the end of the month.",
        ],
    ),
    page(
        "Council approves new harbour wall",
        [
            "Councillors voted by nine to two on Tuesday evening to fund a new sea wall along the "
            "eastern quay, after the storms of last winter flooded six shops on the front.",
            "Work is due to start in September and the council expects the quay to stay open to "
            "fishing boats for most of the building period, with a short closure in November.",
        ],
    ),
    page(
        "Lifeboat crew honoured for night rescue",
        [
            "Five volunteers from the harbour lifeboat station received bravery awards on Friday "
            "for rescuing two sailors whose yacht lost its mast in a gale off the point.",
            "The coxswain said the crew had trained for exactly that kind of call and thanked the "
            "families who had waited at the station through the night for their return.",
        ],
    ),
]


def test_learns_lines_that_recur_across_pages_and_not_the_stories() -> None:
    template = learn_template(STORIES[:2])
    assert template_key(NOTICE) in template
    assert template_key("• Sport") in template
    assert template_key(STORIES[0].split("\n\n")[3]) not in template  # the first story paragraph
    assert template_key("Ferry service returns after winter repairs") not in template


def test_needs_at_least_min_pages() -> None:
    assert learn_template(STORIES[:1]) == frozenset()
    assert learn_template(STORIES[:2], min_pages=3) == frozenset()
    assert template_key(NOTICE) in learn_template(STORIES, min_pages=3)


def test_two_versions_of_one_story_do_not_make_the_story_a_template() -> None:
    updated = STORIES[0].replace("forty passengers", "forty-two passengers")
    story_line = STORIES[0].split("\n\n")[4]  # the second paragraph, shared by both versions
    assert template_key(story_line) not in learn_template([STORIES[0], updated])
    template = learn_template([STORIES[0], updated, STORIES[1]])
    assert template_key(story_line) not in template
    assert template_key(NOTICE) in template  # furniture counts once per article, still twice


def test_merge_keeps_what_earlier_runs_learned() -> None:
    assert merge_template({"a", "b"}, frozenset({"c"})) == frozenset({"a", "b", "c"})


def test_second_page_comes_out_cleaner_because_of_the_first() -> None:
    second = STORIES[1]
    alone = clean_text_dump(second, CTX)
    assert "independent paper owned by its readers" in alone.body  # reads like a paragraph

    template = learn_template(STORIES[:2])  # the batch: the first page teaches the template
    cleaned = clean_text_dump(second, CTX, template)
    assert "independent paper owned by its readers" not in cleaned.body
    assert "Councillors voted by nine to two" in cleaned.body
    assert "short closure in November." in cleaned.body


def test_a_remembered_template_cleans_a_page_of_a_later_run() -> None:
    remembered = merge_template(frozenset(), learn_template(STORIES[:2]))  # run 1
    later = clean_text_dump(STORIES[2], CTX, remembered)  # run 2: a batch of one page
    assert "independent paper owned by its readers" not in later.body
    assert "Five volunteers from the harbour lifeboat station" in later.body

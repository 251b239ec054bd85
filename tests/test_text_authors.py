"""bench.text_authors' counting, without the dev set: a name is right as `score modern`
counts it, and each rule's share is what it answers and what leaving it out changes."""

from __future__ import annotations

from bench.text_authors import Page, diagnosis, hit, rule_table, tally


def test_a_name_is_right_inside_the_annotated_one_or_around_it() -> None:
    assert hit(["Jane  Roe"], "jane roe") and hit(["Jane"], "Jane Roe")
    assert hit(["Dr Jane Roe"], "Jane Roe") and not hit(["John Roe"], "Jane Roe")
    assert not hit([], "Jane Roe") and not hit([""], "Jane Roe")


def test_rules_are_counted_by_what_they_answer_and_what_their_absence_changes() -> None:
    pages = [
        Page("m1", "Jane Roe", [("near", ["Jane Roe"]), ("anywhere", ["Jane Roe"])], True),
        Page("m2", "Jane Roe", [("near", []), ("anywhere", ["Menu Item"])], True),
        Page("m3", None, [("near", []), ("anywhere", ["Some One"])], False),
        Page("m4", "Ann Lee", [("near", []), ("anywhere", [])], False),
    ]
    assert tally(pages) == {"annotated": 3, "right": 1, "wrong": 1, "none": 1,
                            "unannotated_named": 1}  # fmt: skip
    table = rule_table(pages)
    assert table["near"]["fired_right"] == 1 and table["near"]["removed_right"] == 0
    assert table["anywhere"]["fired_wrong"] == 1 and table["anywhere"]["fired_unannotated"] == 1
    assert table["anywhere"]["removed_wrong"] == -1
    assert diagnosis(pages) == {"wrong_in_dump": 1, "none_not_in_dump": 1}

"""bench.train_page_type's command line: asking for help (or mistyping an option) fits and
writes nothing; it used to read sys.argv by hand, so `--help` refitted and overwrote the
committed model."""

from __future__ import annotations

import pytest

from bench import train_page_type
from tasks.page.page_type import MODEL_PATH


@pytest.mark.parametrize(("argv", "code"), [(["--help"], 0), (["--no-such-option"], 2)])
def test_help_and_unknown_options_write_nothing(
    argv: list[str], code: int, capsys: pytest.CaptureFixture[str]
) -> None:
    before = MODEL_PATH.read_bytes()
    with pytest.raises(SystemExit) as stopped:
        train_page_type.main(argv)
    assert stopped.value.code == code
    shown = capsys.readouterr()
    assert "--dry-run" in shown.out + shown.err  # the usage names the options
    assert MODEL_PATH.read_bytes() == before


def test_options_parsed() -> None:
    args = train_page_type.parse_args(["--heldout", "--errors", "--dry-run"])
    assert (args.heldout, args.errors, args.dry_run, args.text_only) == (True, True, True, False)
    assert args.out == MODEL_PATH

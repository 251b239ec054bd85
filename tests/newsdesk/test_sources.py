from pathlib import Path

import pytest

from newsdesk.core.registry import RegistryError, load_registry

PROJECT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_project_registry_knows_the_seed_publisher() -> None:
    registry = load_registry(PROJECT / "sources.toml")
    source = registry.get("Al Mayadeen English")
    assert source is not None
    assert source.timezone == "Asia/Beirut"
    assert registry.by_url("https://english.almayadeen.net/news/politics/x") is source
    assert "Al Mayadeen English" in registry.names


def test_lookup_by_alias_is_case_and_space_insensitive(tmp_path: Path) -> None:
    registry = load_registry(
        write(
            tmp_path,
            """
[[source]]
name = "Example News"
aliases = ["The  Example"]
domains = ["example.com"]
timezone = "Europe/Paris"
""",
        )
    )
    assert registry.get("the example").name == "Example News"
    assert registry.by_url("https://www.example.com/a").name == "Example News"
    assert registry.by_url("https://news.example.com/a").name == "Example News"
    assert registry.by_url("https://notexample.com/a") is None
    assert registry.get("Other") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[source]]\nname = "A"\ndomains = ["a.com"]\ntimezone = "Mars/Base"\n',
            "unknown time zone",
        ),
        (
            '[[source]]\nname = "A"\ndomains = ["a.com"]\n[[source]]\nname = "B"\n'
            'domains = ["a.com"]\n',
            "claimed by both",
        ),
        (
            '[[source]]\nname = "A"\ndomains = ["a.com"]\n[[source]]\nname = "a"\n'
            'domains = ["b.com"]\n',
            "used by both",
        ),
        ('[[source]]\ndomains = ["a.com"]\n', "non-empty 'name'"),
        ('[[source]]\nname = "A"\ndomian = ["a.com"]\n', "unknown keys"),
        ('[[source]]\nname = "A"\ninclude = ["("]\n', "bad URL pattern"),
        ('[[source]]\nname = "A"\npage_types = ["article", "podcast"]\n', "unknown page_types"),
        ("not toml = = 1", "not valid TOML"),
        # found by hand: each of these once loaded, and the source never matched a page
        ('[[sources]]\nname = "A"\ndomains = ["a.com"]\n', r"unknown top-level keys \['sources'\]"),
        ('[[source]]\nname = "A"\ndomains = ["https://a.com/news"]\n', "not a host name"),
        ('[[source]]\nname = "A"\ndomains = ["a.com:8080"]\n', "not a host name"),
        ('[[source]]\nname = "A"\ndomains = ["a news site"]\n', "not a host name"),
    ],
)
def test_bad_registries_fail_at_load_naming_the_problem(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(RegistryError, match=message):
        load_registry(write(tmp_path, text))


def test_page_types_default_to_articles_and_liveblogs(tmp_path: Path) -> None:
    registry = load_registry(
        write(
            tmp_path,
            '[[source]]\nname = "A"\ndomains = ["a.com"]\n'
            '[[source]]\nname = "B"\ndomains = ["b.com"]\npage_types = ["article", "video"]\n',
        )
    )
    assert registry.get("A").page_types == ("article", "liveblog")
    assert registry.page_type_pairs() == {
        ("A", "article"),
        ("A", "liveblog"),
        ("B", "article"),
        ("B", "video"),
    }


def test_missing_registry_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="not found"):
        load_registry(tmp_path / "nope.toml")
    # run from another folder (a cron job): the message says how to point at the registry
    with pytest.raises(RegistryError, match="--sources PATH or NEWSDESK_SOURCES"):
        load_registry(tmp_path / "nope.toml")
    # a folder or a file that is not text: one line, not a traceback (`--sources /tmp` was)
    with pytest.raises(RegistryError, match="Is a directory"):
        load_registry(tmp_path)
    (tmp_path / "latin1.toml").write_bytes(b'[[source]]\nname = "Caf\xe9"\n')
    with pytest.raises(RegistryError, match="not UTF-8"):
        load_registry(tmp_path / "latin1.toml")


def test_sources_add_takes_a_pasted_address_and_refuses_a_domain_taken(tmp_path: Path) -> None:
    """Found by hand: `sources add https://www.bar.org/x` wrote that URL as the domain (no page
    ever matched it), and adding a domain twice said it was 'claimed by both' the old entry
    and one named after the domain."""
    from typer.testing import CliRunner

    from newsdesk.cli import app

    path = write(tmp_path, '[[source]]\nname = "Example News"\ndomains = ["example.com"]\n')
    common = ["--sources", str(path), "--db", str(tmp_path / "none.duckdb"), "sources", "add"]
    runner = CliRunner()
    done = runner.invoke(app, [*common, "https://www.Bar.org/news/1", "--name", "Bar"])
    assert done.exit_code == 0, done.stderr
    assert load_registry(path).by_url("https://bar.org/a").name == "Bar"
    assert '\n\n[[source]]\nname = "Bar"' in path.read_text(encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    done = runner.invoke(app, [*common, "example.com"])
    assert done.exit_code == 1
    assert "example.com is in the registry already, as 'Example News'" in done.stderr
    done = runner.invoke(app, [*common, "a news site"])
    assert done.exit_code != 0
    assert path.read_text(encoding="utf-8") == before


def test_an_added_source_with_any_name_keeps_the_file_valid_and_its_comments(
    tmp_path: Path,
) -> None:
    """`newsdesk sources add` writes names with emoji, quotes and backslashes (json.dumps
    wrote emoji as surrogate escapes, which TOML refuses), and leaves the rest as it was."""
    from newsdesk.cli.registry_edit import append_source, source_block

    path = write(
        tmp_path,
        '# our publishers\n[[source]]\nname = "Example News"  # the first\n'
        'domains = ["example.com"]\ntimezone = "UTC"\n',
    )
    name = 'Café 📰 "Daily" \\ News'
    append_source(path, source_block(name, ["daily.example"], "Europe/Paris", "fr", ["📰"]))
    text = path.read_text(encoding="utf-8")
    assert text.startswith('# our publishers\n[[source]]\nname = "Example News"  # the first\n')
    registry = load_registry(path)
    added = registry.get(name)
    assert added is not None and added.timezone == "Europe/Paris" and added.language == "fr"
    assert registry.by_url("https://daily.example/a") is added
    assert registry.get("📰") is added

    with pytest.raises(RegistryError):  # a duplicate domain never reaches the file
        append_source(path, source_block("Other", ["example.com"], "UTC", None, []))
    assert path.read_text(encoding="utf-8") == text

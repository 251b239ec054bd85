# ruff: noqa: RUF001 (fullwidth Chinese punctuation is what these tests are about)
"""One word counter for every script: Chinese and Japanese text, which has no spaces between
words, is counted at two characters per word, in the clean and extract stages and so in the
clean gate's min_words."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from newsdesk.cli import app
from tasks.page.words import count_words

# Sentences of a news report in Chinese (about 50 characters each, no spaces).
_SENTENCES = [
    "据新华社报道，国家统计局今天发布的数据显示，今年前三季度国内生产总值同比增长百分之五。",
    "分析人士认为，消费需求持续回暖，制造业投资保持较快增长，是经济稳定运行的主要原因。",
    "与此同时，房地产市场仍在调整之中，部分地方政府的债务压力也需要引起足够的重视。",
    "专家建议，下一阶段应当进一步扩大内需，稳定就业，并加大对中小企业的金融支持力度。",
]


def chinese_article(chars: int) -> list[str]:
    paragraphs, total, i = [], 0, 0
    while total < chars:
        text = f"第{i + 1}段。" + "".join(_SENTENCES[(i + k) % 4] for k in range(2))
        paragraphs.append(text)
        total += len(text)
        i += 1
    return paragraphs


def test_latin_and_korean_text_is_counted_by_its_spaces() -> None:
    assert count_words("The U.S. economy — grew 5% in Q3.") == 8
    assert count_words("서울 시민들은 오늘 아침 출근길에 큰 불편을 겪었다.") == 8
    assert count_words("") == 0


def test_chinese_and_japanese_count_two_characters_per_word() -> None:
    sentence = _SENTENCES[0]  # 40 Han characters and three punctuation marks
    assert count_words(sentence) == 20
    assert count_words("日本語のテキスト ABC 2024年") == 7  # 11 Han/kana → 6, "ABC", "2024"
    text = "\n\n".join(chinese_article(1600))
    assert 700 <= count_words(text) <= 900  # was about 40 by whitespace
    assert len(text.split()) < 60


def test_a_chinese_article_passes_min_words_in_newsdesk_extract(tmp_path: Path) -> None:
    """Through the real command: the record's word_count is the article's, and the clean
    gate (min_words = 40) lets a 1,600-character article through."""
    body = "".join(f"<p>{p}</p>" for p in chinese_article(1600))
    page = tmp_path / "zh.html"
    page.write_text(
        '<html lang="zh"><head><meta charset="utf-8"><title>前三季度经济数据发布</title></head>'
        f"<body><article><h1>前三季度经济数据发布</h1>{body}</article></body></html>",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["extract", str(tmp_path), "--workers", "1"])
    assert result.exit_code == 0, result.stderr
    [record] = json.loads(result.stdout)
    assert record["word_count"] >= 700, record["word_count"]
    assert "empty_body" not in {f["reason"] for f in record["gate_failures"]}

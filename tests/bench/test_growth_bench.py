"""`python -m bench.growth` on a few real pages: it runs end to end and its figures add up.

No size thresholds here (the figures belong in bench/README.md); what is checked is that the
parts are measured from the file itself and that the comparison with the previous layout is
made on the same bodies and tokens.
"""

from __future__ import annotations

import pytest

from bench import growth

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not growth.TARBALL.exists(), reason=f"{growth.TARBALL} (real pages) is not here")]


def test_growth_bench_measures_every_part_on_real_pages():
    results = growth.run(limit=60, say=lambda *_: None)
    n = results["articles"]
    assert 0 < n <= 60 and results["versions_stored"] > n  # some articles were edited
    parts = results["bytes_by_part"]
    assert sum(parts.values()) == results["file_bytes"]
    for part in ("text", "versions", "raw HTML", "search index", "events"):
        assert parts[part] > 0, part
    per_article = results["bytes_per_article_by_part"]
    assert sum(per_article.values()) == pytest.approx(results["bytes_per_article"])
    assert results["previous_layout"]["raw_gzip_bytes"] > 0 and results["previous_layout"]["content_fts_bytes"] > 0
    assert "KB per article" in growth.table(results)
    # the 100,000-article figure: per-article parts scaled, the sources' dictionaries counted once
    fixed = results["dictionary_bytes"]
    assert fixed >= 0 and results["extrapolated_100k_bytes_per_article"] == pytest.approx(
        (results["file_bytes"] - fixed) / n + fixed / growth.TARGET_ARTICLES)


def test_growth_bench_measures_at_a_size_with_enciphered_copies():
    results = growth.run(limit=30, say=lambda *_: None, articles=80)
    assert results["articles"] == 80 and results["copies"]["copies_written"] == 80 - results["fill"]["stored"]
    assert sum(results["bytes_by_part"].values()) == results["file_bytes"]
    assert "measured at 80 articles" in growth.table(results)


def test_each_copy_has_its_own_vocabulary_and_keeps_its_shape():
    first, second = growth.cipher(1), growth.cipher(2)
    block = range(0x4E00, 0xA000)
    assert sorted(first[c] for c in block) == list(block)  # a bijection of the block
    text = "巩固拓展脱贫攻坚成果同乡村振兴有效衔接 2021"
    one, two = text.translate(first), text.translate(second)
    assert len(one) == len(text) and one.endswith(" 2021") and not set(one) & set(text[:19]) - {" "}
    assert one != two
    body = "<nav>首页</nav><p>乡村振兴</p>".encode("gb18030")  # the template stays, the article is mapped
    assert growth.encipher_body(body, ["乡村振兴"], first).decode("gb18030") == \
        "<nav>首页</nav><p>" + "乡村振兴".translate(first) + "</p>"

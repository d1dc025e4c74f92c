"""The search box's language, case by case: what the user types → the FTS5 query → what the box
shows again. One row per rule of storage/search_query.parse_query."""

from __future__ import annotations

import pytest

from storage.search_query import bigram_match_query, display_query, parse_query

# name → (typed, FTS5 query, shown back in the search box)
CASES = {
    "a word is the phrase of its bigrams": ("乡村振兴", '"乡村 村振 振兴"', "乡村振兴"),
    "one character is a prefix": ("贫", '"贫" *', "贫"),
    "words must all occur": ("扶贫 湖南", '"扶贫" AND "湖南"', "扶贫 湖南"),
    "AND and & are the default": ("扶贫 & 湖南 AND 乡村", '"扶贫" AND "湖南" AND "乡村"', "扶贫 湖南 乡村"),
    "OR joins two words": ("扶贫 OR 脱贫", '("扶贫" OR "脱贫")', "扶贫 OR 脱贫"),
    "| is OR, then AND": ("扶贫 | 脱贫 湖南", '("扶贫" OR "脱贫") AND "湖南"', "扶贫 OR 脱贫 湖南"),
    "a dangling OR is dropped": ("OR 扶贫 OR", '"扶贫"', "扶贫"),
    "-word excludes": ("-扶贫 湖南", '"湖南" NOT "扶贫"', "湖南 -扶贫"),
    "NOT word excludes": ("湖南 NOT 扶贫", '"湖南" NOT "扶贫"', "湖南 -扶贫"),
    "a lone - excludes the next word": ("湖南 - 扶贫", '"湖南" NOT "扶贫"', "湖南 -扶贫"),
    "title: searches one column": ("title:乡村振兴", 'title:"乡村 村振 振兴"', "title:乡村振兴"),
    "text: searches the other": ("text:扶贫", 'text:"扶贫"', "text:扶贫"),
    "an excluded column": ("-title:扶贫 湖南", '"湖南" NOT title:"扶贫"', "湖南 -title:扶贫"),
    "a column before a phrase": ('title:"乡村 振兴"', 'title:"乡村 村 振兴"', 'title:"乡村，振兴"'),
    "a phrase keeps its separators": ('"乡村振兴，巩固"', '"乡村 村振 振兴 兴 巩固"', '"乡村振兴，巩固"'),
    "a * after a phrase is a prefix": ('"乡村振兴" *', '"乡村 村振 振兴" *', "乡村振兴*"),
    "word* is a prefix": ("abc*", '"abc" *', "abc*"),
    "full-width folds, case folds": ("ABC２０２１", '"abc2021"', "abc2021"),
    "our own output reads back as itself": ('"乡村 村振 振兴"', '"乡村 村振 振兴"', "乡村振兴"),
    "an unclosed quote runs to the end": ('"未闭合的引号', '"未闭 闭合 合的 的引 引号"', "未闭合的引号"),
    "Chinese punctuation separates words": ("扶贫、脱贫；湖南", '"扶贫" AND "脱贫" AND "湖南"', "扶贫 脱贫 湖南"),
    "brackets are text, not syntax": ("(扶贫)", '"扶贫"', "扶贫"),
    "a run ending in a number is a prefix": ("乡村振兴2021年", '"乡村 村振 振兴 兴 2021 年" *', "乡村振兴2021年"),
    "a hyphen splits a latin word": ("COVID-19", '"covid 19"', '"covid 19"'),
}
# typed → why nothing is searched
REFUSED = {
    "": "nothing to search for",
    "   ": "nothing to search for",
    "OR": "nothing to search for",
    "-扶贫": "nothing to search for",  # only an exclusion: there is nothing to exclude from
    "NOT NOT 扶贫": "nothing to search for",
    '""': "nothing to search for",
    "、；": "nothing to search for",
    "扶" * 300: "search query too long",
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_rule_of_the_search_language(name):
    typed, fts, shown = CASES[name]
    assert bigram_match_query(typed) == fts
    assert display_query(fts) == shown
    assert bigram_match_query(fts) == fts  # idempotent: Datasette's links carry the rewritten query
    assert bigram_match_query(shown) == fts  # what the box shows searches the same


@pytest.mark.parametrize("typed", list(REFUSED), ids=lambda t: t[:12] or "empty")
def test_queries_with_nothing_to_search_are_refused_with_a_reason(typed):
    with pytest.raises(ValueError, match=REFUSED[typed]):
        parse_query(typed)


def test_words_to_highlight_are_the_searched_runs_not_the_excluded_ones():
    assert parse_query('乡村振兴 OR abc -扶贫 "湖南，长沙"').words() == ["乡村振兴", "abc", "湖南", "长沙"]

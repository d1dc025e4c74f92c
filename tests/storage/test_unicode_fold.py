"""storage.unicode_fold.nfkc gives exactly what unicodedata.normalize("NFKC") gives."""

from __future__ import annotations

import random
import unicodedata

import pytest

from storage.unicode_fold import nfkc
from tests.conftest import PROJECT_ROOT

TRICKY = [
    "",
    "乡村振兴",                                   # already normalised: returned as is
    "２０２１年，ＡＢＣ；全角　空格",               # full-width digits, letters, punctuation, U+3000
    "中\u0301文",                                # a combining accent right after an ideograph
    "\u0301\u0300abc",                           # text starting with combining marks
    "e\u0301 Ａ\u0301 ｶﾞ か\u3099き",              # compositions across a folded character
    "豈更車 ①② ㈱ ㎡ ﬁ",                          # compatibility ideographs and symbols
    "가\u1100\u1161한\u11a8",                      # Hangul syllables and conjoining jamo
    "\u4e00\u0315\u0300\u05ae\u0301\u9fff",      # marks to reorder between two ideographs
]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_strings(text):
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


def test_random_mixes_of_ideographs_and_characters_that_fold():
    pool = ["乡", "村", "振", "兴", "，", "：", "Ａ", "１", "　", "\u0301", "\u0300", "ｶ", "ﾞ", "가", "\u1161",
            "①", "㎡", "豈", "a", " ", "\n", "。", "e", "\u3099", "か"]
    rng = random.Random(20261125)
    for _ in range(3000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(1, 30)))
        assert nfkc(text) == unicodedata.normalize("NFKC", text), ascii(text)


def test_real_pages():
    pages = sorted((PROJECT_ROOT / "demo").rglob("*.html"))
    assert pages, "the demo site's pages are the corpus"
    for path in pages:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert nfkc(text) == unicodedata.normalize("NFKC", text), path

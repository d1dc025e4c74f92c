"""When the tuned path comes up short: other extractors' bodies, and a measured choice among them.

The tuned path (drop boilerplate containers, trafilatura on the pruned tree, clean lines) was
built on one set of pages; on pages nobody tuned for it sometimes keeps nothing (a content
container whose class happens to look like a footer) or a sliver of a long article. A monitor
that stores nothing for a real article is worse than one that stores a little boilerplate, so
when the tuned body is much shorter than the prose the page plainly shows, three independent
extractions of the untouched page are run and the body is chosen by how well the candidates
agree with each other, how much of the page's prose they hold and how much of their raw output
was boilerplate: never the first that returns something.

The other extractors run only then (`needs_fallback`): they cost two to three times the tuned
path, and on the pages the tuned path was built for it is already right. Measured at this
commit: no fallback on realpages (0/43), the gold set (0/50) or bench.site's pages (0/300); on
realsites-dev 26 of 637 article pages (trafilatura-recall 17, densest-block 8, readability 1),
none of them left empty where a plain library finds an article.
"""
from __future__ import annotations

import logging
import math
import re
from collections import Counter
from dataclasses import dataclass
from itertools import islice, pairwise

import lxml.html
import trafilatura
from lxml.html import HtmlElement

from .boilerplate import clean_lines, is_metadata_line
from .rules import Rules
from .scoring import tokenize
from .textlines import SKIP_TAGS, render_lines

TUNED = "tuned"
# Pages larger than this (decoded characters) get no fallback: readability-lxml scores every
# element in Python, and a hostile multi-megabyte page must not hold a crawl's worker for long.
# Real article pages are 10-300 KB; the crawl's download cap (DOWNLOAD_MAXSIZE, 10 MB) is larger.
MAX_FALLBACK_CHARS = 3_000_000
MAX_CONTAINER_LEVELS = 8  # ancestors of the densest block tried by prose_container (each rendered once)
METHODS = (TUNED, "trafilatura-recall", "readability", "densest-block")
# Stored with no body at all: an image-only notice, or one whose substance is its attachment
# (crawler/extraction_pool.py decides when such a page is still the article the list named).
NO_TEXT = "none"
_WS = re.compile(r"[\s\xa0\u3000]+")
# A line reads as prose when it holds a clause mark: menus, tool bars and footers rarely do.
_CLAUSE = re.compile(r"[，。；！？,;!?]")
# Inline children whose text counts as the text of their parent block (densest_block).
_INLINE = frozenset(("p", "span", "font", "strong", "b", "em", "i", "u", "br", "sub", "sup", "big", "small"))
_BLOCKS = frozenset(("div", "td", "article", "section", "main", "body", "li", "dd", "center", "blockquote", "font"))
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Candidate:
    """One extraction's body, cleaned by the same line filter as the tuned body."""

    method: str
    lines: list[str]      # cleaned body lines
    raw_lines: int        # lines before cleaning: their dropped share is the candidate's boilerplate share

    @property
    def chars(self) -> int:
        return sum(len(_WS.sub("", l)) for l in self.lines)

    @property
    def boilerplate_share(self) -> float:
        return 1 - len(self.lines) / self.raw_lines if self.raw_lines else 0.0


def prose_chars(lines: list[str], rules: Rules, links: set[str], min_chars: int | None = None) -> int:
    """Characters of the page's visible lines that read like an article's prose: at least
    `min_chars` (default `prose_line_min_chars`) long, with a clause mark, not boilerplate, not a
    metadata line, not mostly links' text (`links`: whitespace-free link texts; a line that is one,
    or whose characters are mostly those of long ones, is a menu's or a sidebar's teasers, a
    headline and its summary inside each <a>, written side by side). What "the page plainly holds",
    measured on the intact page."""
    min_chars = int(rules.thresholds["prose_line_min_chars"]) if min_chars is None else min_chars
    teasers = [t for t in links if len(t) >= TEASER_LINK_CHARS]
    total = 0
    for line in lines:
        # Cheapest tests first (this runs on every line of every page): a line shorter than the
        # minimum cannot hold that many non-space characters, and most short lines stop there.
        if len(line) < min_chars or not _CLAUSE.search(line):
            continue
        bare = _WS.sub("", line)
        n = len(bare)
        if n < min_chars or bare in links:
            continue
        if rules.boilerplate_re.search(line) or is_metadata_line(line, rules):
            continue
        if teasers and sum(len(t) for t in teasers if t in bare) * 2 >= n:
            continue
        total += n
    return total


TEASER_LINK_CHARS = 20  # a link's text this long (a headline with its summary) is measured inside lines


def needs_fallback(body_chars: int, page_prose: int, rules: Rules) -> bool:
    """The tuned body is empty while the page shows prose, or holds much less of it than the page."""
    if body_chars == 0:
        return page_prose > 0
    return body_chars < rules.thresholds["fallback_below_prose_share"] * page_prose


_LIST_MARK = re.compile(r"^[ \t]*[-*•·][ \t]+", re.MULTILINE)


def _candidate(method: str, text: str, rules: Rules, title: str | None, links: set[str]) -> Candidate:
    """Cleaned like the tuned body; list markers go first ("- 某某" from trafilatura's lists),
    so a list of links is seen as the links it is."""
    text = _LIST_MARK.sub("", text)
    raw = [l for l in text.split("\n") if l.strip()]
    return Candidate(method, clean_lines(text, rules, title=title, links=links), len(raw))


def trafilatura_recall(html: str, url: str | None) -> str:
    """trafilatura's own extraction of the untouched page, its recall settings."""
    return trafilatura.extract(html, url=url, favor_recall=True, include_comments=False, include_tables=True,
                               deduplicate=False) or ""


def readability_text(html: str, rules: Rules) -> str:
    """readability-lxml's main block, rendered as lines like the rest of the page."""
    from readability import Document

    summary = Document(html).summary(html_partial=True)
    if not summary.strip():
        return ""
    fragment = lxml.html.fragment_fromstring(summary, create_parent="div")
    return "\n".join(render_lines(fragment, rules))


def densest_block(root: HtmlElement) -> HtmlElement | None:
    """The block holding the most text at its own level (its text, its inline children's text and
    their tails), links excluded: where a plain article body sits in a hand-made template.

    Hand-written because the libraries that do this (readability, jusText) score paragraphs
    with English cues (class names, stop words) that Chinese CMS pages lack; this looks only at
    where the characters are.
    """
    best, best_chars = None, 0
    for el in root.iter(*_BLOCKS):
        own = _chars(el.text)
        for child in el:
            if not isinstance(child.tag, str):
                own += _chars(child.tail)
                continue
            if child.tag in _INLINE:
                own += sum(_chars(t) for t in _non_link_text(child))
            own += _chars(child.tail)
        if own > best_chars:
            best, best_chars = el, own
    return best


def prose_container(start: HtmlElement | None, rules: Rules, links: set[str], page_prose: int) -> str:
    """The nearest ancestor of the densest block that holds nearly all of the page's prose
    (`prose_container_share`), when that is not the block itself: an article written as several
    sibling blocks (pasted 方法/步骤 sections, a Word export's page divs), of which the methods
    above each keep one. *start* is the densest block (`densest_block`). Empty when no ancestor within a
    few levels below <body> holds it."""
    if start is None or not page_prose:
        return ""
    share = rules.thresholds["prose_container_share"]
    for el in islice(start.iterancestors(), MAX_CONTAINER_LEVELS):
        if el.tag in ("body", "html") or _link_share(el) > rules.thresholds["prose_container_max_link_share"]:
            break     # past the article: a wrapper holding the site's menus, link lists and footer too
        lines = render_lines(el, rules)
        if prose_chars(lines, rules, links) >= share * page_prose:
            return "\n".join(lines)
    return ""


def _link_share(el: HtmlElement) -> float:
    """Share of an element's characters that are link text."""
    total = _chars(el.text_content())
    linked = sum(_chars(a.text_content()) for a in el.iter("a"))
    return linked / total if total else 1.0


def _non_link_text(el: HtmlElement):
    """Text nodes inside *el* that are not inside a link or a skipped element."""
    if el.tag == "a" or el.tag in SKIP_TAGS:
        yield el.tail or ""
        return
    yield el.text or ""
    for child in el:
        if isinstance(child.tag, str):
            yield from _non_link_text(child)
        else:
            yield child.tail or ""
    yield el.tail or ""


def _chars(text: str | None) -> int:
    return len(_WS.sub("", text)) if text and not text.isspace() else 0


def candidates(html: str, url: str | None, root: HtmlElement, rules: Rules, title: str | None,
               links: set[str], page_prose: int = 0) -> list[Candidate]:
    """The other extractions of the untouched page (*root* must be a fresh, unpruned tree).
    A library that raises on a hostile page gives an empty candidate, never an error."""
    out = []
    try:
        densest = densest_block(root)  # both of the last two start from it
    except Exception as exc:  # noqa: BLE001 - as below: a hostile page gives empty candidates, never an error
        log.debug("densest-block failed on %s: %s", url, exc)
        densest = None
    for method, run in (("trafilatura-recall", lambda: trafilatura_recall(html, url)),
                        ("readability", lambda: readability_text(html, rules)),
                        ("densest-block", lambda: "\n".join(render_lines(densest, rules)) if densest is not None else ""),
                        ("prose-container", lambda: prose_container(densest, rules, links, page_prose))):
        try:
            text = run()
        except Exception as exc:  # noqa: BLE001 - third-party code on hostile input: a failed method finds nothing
            log.debug("%s failed on %s: %s", method, url, exc)
            text = ""
        out.append(_candidate(method, text, rules, title, links))
    return out


def _bag(lines: list[str]) -> Counter[str]:
    return Counter(tokenize("\n".join(lines)))


def _f1(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    common = sum((a & b).values())
    return 2 * common / (sum(a.values()) + sum(b.values()))


def scores(cands: list[Candidate], page_prose: int) -> list[tuple[Candidate, float, float, float]]:
    """(candidate, score, agreement, coverage) for every non-empty candidate; see `choose`."""
    live = [c for c in cands if c.chars]
    bags = {id(c): _bag(c.lines) for c in live}
    out = []
    for c in live:
        others = [_f1(bags[id(c)], bags[id(o)]) for o in live if o is not c]
        agreement = max(others) if others else 0.5
        coverage = min(1.0, c.chars / page_prose) if page_prose else 1.0
        out.append((c, agreement * coverage * (1 - c.boilerplate_share / 2), agreement, coverage))
    return out


def title_share(title: str | None, lines: list[str]) -> float:
    """Share of the title's token bigrams found in *lines* (1.0 when the title is too short to
    tell): an article's body repeats its headline's words, an unrelated block beside it does not."""
    tokens = tokenize(title)
    grams = {a + b for a, b in pairwise(tokens)}
    if len(grams) < 4:
        return 1.0
    body = tokenize("\n".join(lines))
    found = {a + b for a, b in pairwise(body)} & grams
    return len(found) / len(grams)


def _beyond(lines: list[str], tuned: list[str], title: str | None) -> list[str]:
    """What a candidate holds beyond the tuned body: its other lines, less the tuned paragraphs a
    line runs into and the headline itself. A sweep that joined the page's header (首页>栏目 标题
    作者 日期) to the first paragraph repeats the title's words without adding the article's."""
    kept = set(tuned)
    paragraphs = [t for t in tuned[:20] if len(t) >= 20]  # a header runs into the first ones
    bare_title = title.strip() if title and len(title.strip()) >= 4 else None
    out = []
    for line in lines:
        if line in kept:
            continue
        for paragraph in paragraphs:
            if paragraph in line:
                line = line.replace(paragraph, " ")
        out.append(line.replace(bare_title, " ") if bare_title else line)
    return out


def choose(cands: list[Candidate], page_prose: int, title: str | None = None,
           min_title_share: float = 0.0) -> tuple[Candidate, float]:
    """The candidate with the best score, and its confidence in [0, 1].

    score = agreement × coverage × (1 − boilerplate share / 2), where agreement is the candidate's
    best token F1 with another non-empty candidate (two independent methods that land on the same
    text are right more often than one alone; the mean would let one failed method drag down
    the two that agree), coverage its share of the page's prose (capped at
    1; a sliver of the article scores low), and the boilerplate share the part of its raw lines
    the line filter removed (a method that swept up menus and footers). The confidence is
    the geometric mean of the chosen candidate's agreement and coverage (either one low is
    enough to doubt it: two methods agreeing on a fifth of the page's prose is still a fifth),
    times the same boilerplate factor (a body picked out of a sweep of menus is a guess).

    A non-empty tuned body (the first candidate) is replaced only by a candidate whose lines
    beyond the tuned ones hold at least *min_title_share* of the title's bigrams: on a page
    with a short post and a long unrelated story beside it (realpages mh20), the story's
    methods agree with each other and cover more prose, and only the title tells them apart.
    """
    scored = scores(cands, page_prose)
    if not scored:
        return cands[0], 0.0
    tuned = cands[0] if cands[0].method == TUNED and cands[0].chars else None
    if tuned is not None:
        scored = [s for s in scored if s[0] is tuned
                  or title_share(title, _beyond(s[0].lines, tuned.lines, title)) >= min_title_share]
    best, _, agreement, coverage = max(scored, key=lambda s: s[1])
    return best, round(math.sqrt(agreement * coverage) * (1 - best.boilerplate_share / 2), 3)


def tuned_confidence(body_chars: int, page_prose: int) -> float:
    """Confidence of a tuned body that needed no fallback: its share of the page's prose (the
    tuned path also keeps short lines the prose measure skips, so a right body scores ~1)."""
    if not page_prose:
        return 1.0 if body_chars else 0.5
    return round(min(1.0, body_chars / page_prose), 3)

"""The search box's language, parsed and rewritten into an FTS5 query over the bigram index.

A query word of n ≥ 2 characters becomes the FTS5 phrase of its n-1 bigrams, which matches
exactly the texts that contain it as a substring (no dictionary, so no segmentation misses:
see bench/search.py). A 1-character word becomes a prefix query: every character of a text
starts a bigram or ends a run, so "贫"* finds it wherever it is. The tokens are the index's
own (storage/search.py).

User syntax (the search box, `_search=`, the `search` canned query): words separated by
spaces must all occur; `OR` between two words; `-word` or `NOT word` excludes; "a phrase"
keeps punctuation and spaces as separators; a trailing * is a prefix; `title:` or `text:`
before a word searches one column. Everything else is treated as text, so no input can
inject FTS5 syntax. The rewriting is idempotent (the rewritten query rewrites to itself),
because Datasette copies the rewritten `_search` into its pagination, facet and sort links,
which come back through the rewriter.

Kept out of storage/search.py (the index and its tokens) so that the parser, which is most of
the branches, is read and tested on its own: tests/storage/test_search_query.py holds its table
of cases.
"""

from __future__ import annotations

import html
import itertools
import re
import unicodedata
from dataclasses import dataclass, field

from storage.search import _CJK_RE, _SEGMENT_RE, _WORD_RE, _normalise

# Matches no row: the index never holds a CJK token longer than 2 characters.
MATCH_NOTHING = '"無匹配無"'
MAX_TOKENS = 256
COLUMNS = ("title", "text")
_COLUMN_RE = re.compile(r"^(title|text):(.*)$", re.DOTALL)
_BARE_STOP = set('"(),;、')



@dataclass
class Term:
    """One searched word or phrase: the index tokens it must match in a row."""

    raw: str
    tokens: list[str]
    prefix: bool = False
    column: str | None = None  # "title" or "text" to search one column only

    def fts(self) -> str:
        column = f"{self.column}:" if self.column else ""
        return column + '"' + " ".join(self.tokens) + '"' + (" *" if self.prefix else "")

    def display(self) -> str:
        """The term as a user would type it: the index tokens joined back into text."""
        segments: list[str] = []
        run_open = False  # the last segment is a CJK run whose end has not been seen
        for tok in self.tokens:
            cjk = bool(_CJK_RE.fullmatch(tok))
            if cjk and run_open and segments[-1][-1] == tok[0]:
                if len(tok) == 2:
                    segments[-1] += tok[1]
                else:
                    run_open = False
                continue
            segments.append(tok)
            run_open = cjk and len(tok) == 2
        text, quoted = segments[0], False
        for before, seg in itertools.pairwise(segments):
            same_script = bool(_CJK_RE.fullmatch(before)) == bool(_CJK_RE.fullmatch(seg))
            quoted = quoted or same_script
            text += (("，" if _CJK_RE.fullmatch(seg) else " ") if same_script else "") + seg
        star = "*" if self.prefix and not (_CJK_RE.fullmatch(self.tokens[-1]) and len(self.tokens[-1]) == 1) else ""
        text = f'"{text}"' if quoted else text
        return (f"{self.column}:" if self.column else "") + text + star


@dataclass
class Query:
    """AND of groups (each an OR of terms), minus the excluded terms."""

    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)

    def fts(self) -> str:
        parts = [g[0].fts() if len(g) == 1 else "(" + " OR ".join(t.fts() for t in g) + ")" for g in self.groups]
        positive = " AND ".join(parts)
        if self.excluded:
            if len(parts) > 1:
                positive = f"({positive})"
            positive += "".join(f" NOT {t.fts()}" for t in self.excluded)
        return positive

    def display(self) -> str:
        """The query in the user's syntax (for the search box): it rewrites to the same FTS5 query."""
        parts = [" OR ".join(t.display() for t in g) for g in self.groups]
        return " ".join(parts + ["-" + t.display() for t in self.excluded])

    def words(self) -> list[str]:
        """The searched strings as they appear in text, for highlighting."""
        out: list[str] = []
        for group in self.groups:
            for term in group:
                out.extend(run or word for run, word in _SEGMENT_RE.findall(term.raw))
        return out


def _term_tokens(text: str) -> tuple[list[str], bool]:
    """Index tokens a row must hold, adjacent, to contain `text`; and whether the last is a prefix.

    A CJK run inside the term must end where the term's next segment starts, so its last
    character is required as the run-end token; the term's final run may continue in the
    text, so only its bigrams are required (or, for a single character, a prefix).
    """
    segments = _SEGMENT_RE.findall(_normalise(text))
    tokens: list[str] = []
    prefix = False
    for i, (run, word) in enumerate(segments):
        last = i == len(segments) - 1
        if word:
            tokens.append(word)
            continue
        tokens.extend(run[j : j + 2] for j in range(len(run) - 1))
        if not last:
            tokens.append(run[-1])
        elif len(run) == 1:
            tokens.append(run)
            prefix = True
    return tokens, prefix


def _canonical_tokens(content: str, prefix: bool = False) -> list[str] | None:
    """The tokens of a quoted phrase that is already in index form (our own output), else None.

    `prefix`: the phrase is followed by `*`; our output ends a term on a single character only then.
    """
    pieces = content.split()
    if not pieces:
        return None
    for i, piece in enumerate(pieces):
        if _normalise(piece) != piece:
            return None
        if _CJK_RE.fullmatch(piece):
            if len(piece) > 2:
                return None
            nxt = pieces[i + 1] if i + 1 < len(pieces) else None
            # inside a run a bigram is followed by the next bigram or by its own last char
            if len(piece) == 2 and nxt is not None and (not _CJK_RE.fullmatch(nxt) or nxt[0] != piece[1]):
                return None
            if len(piece) == 1 and nxt is None and not prefix:
                return None  # our output ends a term on a single character only as a prefix
        elif not _WORD_RE.fullmatch(piece):
            return None
    return pieces


def parse_query(q: str | None) -> Query:
    """Parse the user's words; ValueError when nothing searchable is left."""
    q = unicodedata.normalize("NFKC", q or "")
    items: list[tuple[str, Term | None, bool]] = []  # ("term", term, negated) or ("or", None, False)
    negate = False
    column: str | None = None  # from a preceding "title:" or "text:"
    i, n = 0, len(q)
    while i < n:
        c = q[i]
        if c.isspace() or (c in _BARE_STOP and c != '"'):
            i += 1
            continue
        if c == '"':
            end = q.find('"', i + 1)
            end = n if end < 0 else end
            content, i = q[i + 1 : end], end + 1
            j = i
            while j < n and q[j].isspace():
                j += 1
            prefix = j < n and q[j] == "*"
            if prefix:
                i = j + 1
            canonical = _canonical_tokens(content, prefix)
            if canonical is not None:
                term = Term(content, canonical, prefix, column)
            else:
                tokens, tail_prefix = _term_tokens(content)
                term = Term(content, tokens, prefix or tail_prefix, column)
            items.append(("term", term, negate))
            negate, column = False, None
            continue
        j = i
        while j < n and not q[j].isspace() and q[j] not in _BARE_STOP:
            j += 1
        word, i = q[i:j], j
        if word in ("OR", "|"):
            items.append(("or", None, False))
            continue
        if word in ("AND", "&"):
            continue
        if word == "NOT" or word.strip("-") == "":
            negate = True
            continue
        negated = negate or word.startswith("-")
        word = word.lstrip("-")
        in_column = _COLUMN_RE.match(word)
        if in_column:
            column, word = in_column.group(1), in_column.group(2)
            if not word:  # title:"a phrase"
                negate = negated
                continue
        prefix = word.endswith("*")
        tokens, tail_prefix = _term_tokens(word)
        items.append(("term", Term(word.rstrip("*"), tokens, prefix or tail_prefix, column), negated))
        negate, column = False, None

    query = Query()
    after_or = False
    for kind, term, negated in items:
        if kind == "or":
            after_or = True
            continue
        if term is None or not term.tokens:
            after_or = False
            continue
        if negated:
            query.excluded.append(term)
        elif after_or and query.groups:
            query.groups[-1].append(term)
        else:
            query.groups.append([term])
        after_or = False
    if not query.groups:
        raise ValueError("nothing to search for: give at least one word to find")
    if sum(len(t.tokens) for g in query.groups for t in g) + sum(len(t.tokens) for t in query.excluded) > MAX_TOKENS:
        raise ValueError("search query too long")
    return query


def bigram_match_query(user_query: str | None) -> str:
    """The FTS5 MATCH expression for the user's words; ValueError if there is nothing to find."""
    return parse_query(user_query).fts()


def display_query(query: str | None) -> str:
    """A (rewritten) query in the user's syntax: `"乡村 村振 振兴" AND "扶贫"` → `乡村振兴 扶贫`."""
    try:
        return parse_query(query).display()
    except ValueError:
        return ""


def safe_match_query(user_query: str | None) -> str:
    """As bigram_match_query, but a query with nothing to find matches no row instead of raising."""
    if user_query is not None and user_query.strip() == MATCH_NOTHING:
        return MATCH_NOTHING
    try:
        return bigram_match_query(user_query)
    except ValueError:
        return MATCH_NOTHING


def highlight_snippet(text: str | None, user_query: str | None, before: int = 30, length: int = 120) -> str:
    """An HTML-escaped extract of `text` around the first match, each match in <mark>."""
    text = text or ""
    try:
        words = parse_query(user_query).words()
    except ValueError:
        words = []
    words = sorted({w for w in words if w}, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE) if words else None
    first = pattern.search(text) if pattern else None
    start = max(0, first.start() - before) if first else 0
    end = min(len(text), start + length)
    extract = text[start:end]
    pieces: list[str] = ["…" if start else ""]
    pos = 0
    for m in pattern.finditer(extract) if pattern else []:
        pieces.append(html.escape(extract[pos : m.start()]))
        pieces.append("<mark>" + html.escape(m.group()) + "</mark>")
        pos = m.end()
    pieces.append(html.escape(extract[pos:]))
    pieces.append("…" if end < len(text) else "")
    return "".join(pieces)

"""Learn the URL shape a list's records share, as an anchored regex safe to run on hostile input.

Why these generalisations (each holds across CMSs, none names a site):

* **depth and extension are kept**: an article ``a/202012/123.html`` and a column ``yydt/2.html`` differ in
  depth; ``.html`` vs ``.jhtml``/``.pdf`` are different families;
* **numeric and date directories become ``\\d{n}``**: they are ids or date folders (``202104/``,
  ``2022-12/``, ``info/1011/``), and other columns' or days' articles differ only there;
* **a directory followed by a date directory** (``<column>/2016-06-30/637.html``; the column path may
  nest 1–3 deep) and **a directory named like the list page's own column** (a segment of the page URL,
  e.g. ``dfdt`` for ``/dfdt/index.html``) become a slug class: sibling columns hold articles of the same
  shape;
* **digit runs keep their length** (±1 when lengths vary, so ids can grow): that is what separates
  ``dfdt/12345.html`` articles from ``topic/3.html`` lists and ``index_2.html`` pagers;
* **letter runs** stay literal when all records agree (``t``, ``content-``), else a letter class;
* a segment whose runs do not line up (UUIDs, hashes, ids mixing letters and digits as ``FK64UGAV0001899O``)
  becomes one character class of the characters seen, with the observed length range; an id whose runs do
  line up (``c24260a267191``) keeps its letters and lets its digit runs grow;
* **two-hex-digit directories that vary** are hash buckets (WebPlus ``/13/b7/c24260a267191/page.htm``)
  and admit any hex pair, even when the page showed only digits;
* a **distinctive file-name family** (a literal prefix with a long id, ``t20210429_61745.html``,
  ``content-3636.html``, or a UUID) is also admitted in any directory: hub pages show one family under
  many columns and depths, while bare numbers (``123.html``) never get this freedom.

Every quantified token is followed by a literal or a disjoint class, so matching is linear.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from urllib.parse import urlsplit

_TOKEN_KIND = re.compile(r"\d+|[A-Za-z]+")
_TOKENS = re.compile(r"\d+|[A-Za-z]+|[^A-Za-z\d]+")
_EXT = re.compile(r"^(.*?)(\.[A-Za-z][A-Za-z0-9]{0,5})$")
SLUG = r"[A-Za-z0-9_-]{1,64}"
MAX_ALTERNATIVES = 3
MIN_SHARE = 0.25


def shape_target(url: str) -> str:
    """What a shape is matched against: the path, plus ``?query`` when there is one."""
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def _split(target: str) -> tuple[list[str], str, str, str]:
    """(directory segments, file stem, extension, query)."""
    path, _, query = target.partition("?")
    segments = path.split("/")[1:]
    name = segments.pop() if segments else ""
    m = _EXT.match(name)
    stem, ext = (m.group(1), m.group(2)) if m else (name, "")
    return segments, stem, ext, query


_NAME_DIR = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
_DATED_DIR = re.compile(r"^(?:19|20)\d\d[-_]?\d{1,2}(?:[-_]?\d{1,2})?$")
_DATE_RUN = re.compile(r"^(?:19|20)\d\d(?:(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])?)?$")


def _digits(values: list[str], tight: bool = False) -> str:
    """A digit run: dates keep their width; ids may be one digit longer (they grow) and, unless *tight*,
    one shorter (older items). *tight* also ignores the shortest fifth of the records (one old item must
    not open the shape to ``topic/3.html``); it is used when a directory was already generalised."""
    lengths = sorted(len(v) for v in values)
    lo, hi = lengths[0], lengths[-1]
    if all(_DATE_RUN.match(v) for v in values) and lo == hi:
        return rf"\d{{{lo}}}"
    if tight:
        lo = lengths[len(lengths) // 5]
        return rf"\d{{{lo},{hi + 1}}}"
    return rf"\d{{{max(1, lo - 1)},{hi + 1}}}"


def _char_class(values: list[str]) -> str:
    chars = set("".join(values))
    parts = []
    if any(c.isdigit() for c in chars):
        parts.append("0-9")
    lower = {c for c in chars if "a" <= c <= "z"}
    upper = {c for c in chars if "A" <= c <= "Z"}
    if lower:
        parts.append("a-f" if lower <= set("abcdef") else "a-z")
    if upper:
        parts.append("A-F" if upper <= set("ABCDEF") else "A-Z")
    others = sorted(c for c in chars if not (c.isascii() and c.isalnum()))
    parts.extend(re.escape(c) if c not in "-" else r"\-" for c in others)
    lengths = [len(v) for v in values]
    return f"[{''.join(parts)}]{{{max(1, min(lengths))},{max(lengths)}}}"


def _runs(values: list[str], tight: bool = False, digits: bool = False) -> str:
    """Generalise one string position (a file stem, a query, a directory) run by run; with *digits* every
    digit run is generalised even when all records agree (a date directory such as ``2022-12``)."""
    if len(set(values)) == 1 and not digits and not (values[0].isdigit() and len(values[0]) >= 4):
        return re.escape(values[0])
    tokens = [_TOKENS.findall(v) for v in values]
    kinds = {tuple("d" if t[0].isdigit() else "a" if t[0].isalpha() else "o" for t in ts) for ts in tokens}
    if len(kinds) > 1 and all(_MIXED_ID.fullmatch(v) and not v.isdigit() and not v.isalpha() for v in values):
        return _char_class(values)      # FK64UGAV0001899O, 32-hex: ids whose letter/digit runs vary by item
    if len(kinds) != 1 or not tokens[0]:
        return _char_class(values) if any(values) else ""
    out = []
    for i, kind in enumerate(next(iter(kinds))):
        column = [ts[i] for ts in tokens]
        if kind == "d":
            same = len(set(column)) == 1 and len(column[0]) < 4 and not digits
            out.append(re.escape(column[0]) if same else _digits(column, tight))
        elif len(set(column)) == 1:
            out.append(re.escape(column[0]))
        elif kind == "a":
            cls = "a-z" if all(c.islower() for c in column) else "A-Z" if all(c.isupper() for c in column) else "A-Za-z"
            out.append(f"[{cls}]{{1,64}}")
        else:
            out.append(_char_class(column))
    return "".join(out)


_MIXED_ID = re.compile(r"[0-9A-Za-z]{12,64}")
_HEX_PAIR = re.compile(r"[0-9A-Fa-f]{2}")
HEX_PAIR = "[0-9A-Fa-f]{2}"
_HEX_PAIR_DIR = re.compile(r"(?<=/)[0-9A-Fa-f]{2}(?=/)")
_HASHY = re.compile(r"^[0-9A-Fa-f-]{16,64}$")
ANY_DIRS = r"(?:/[^/?#]{1,64}){0,8}/"


def _distinctive_name(stems: list[str]) -> bool:
    """Whether the records' file names follow a CMS article-naming convention distinctive enough to mean
    "article" in any directory: a shared letter prefix/infix with a long id (``t20210429_61745``,
    ``content-3636``, ``art_4567_3120001``, ``articleinfo-459``) or a hash/UUID. Bare numbers (``123.html``)
    are not: columns and topics are numbered too."""
    if all(_HASHY.match(s) for s in stems):
        return True
    tokens = [_TOKENS.findall(s) for s in stems]
    if len({tuple(("d" if t[0].isdigit() else "a" if t[0].isalpha() else "o") for t in ts) for ts in tokens}) != 1:
        return False
    columns = list(zip(*tokens))
    literal_letters = any(col[0].isalpha() and len(set(col)) == 1 for col in columns)
    long_id = any(col[0].isdigit() and min(len(v) for v in col) >= 3 and len(set(col)) > 1 for col in columns)
    return literal_letters and long_id


def _group_pattern(targets: list[str], column_names: set[str], page_dirs: list[str] | None = None,
                   one_item: bool = False) -> str:
    """The pattern of one family of targets; *one_item*: the list showed one address only, whose every digit
    run in its file name and query is taken for an id or a date (the column's next item will differ there)."""
    split = [_split(t) for t in targets]
    page_dirs = page_dirs or []
    depth = len(split[0][0])
    parts = [""]
    tight = False
    column_path: int | None = None    # index of the last directory of a <column path>/<date>/ layout
    for i in range(depth):
        values = [s[0][i] for s in split]
        if len(set(values)) > 1 and all(_HEX_PAIR.fullmatch(v) for v in values):
            # hash buckets (WebPlus /13/b7/c24260a267191/page.htm): a page whose buckets happen to be all
            # digits must still admit the next article filed under /4a/
            parts.append(HEX_PAIR if not all(v.isdigit() for v in values) else rf"(?:{HEX_PAIR}|{_digits(values)})")
        elif all(v.isdigit() for v in values):
            parts.append(_digits(values))
        elif all(_DATED_DIR.match(v) for v in values):
            parts.append(_runs(values, digits=True))
        elif i + 1 < depth and all(_NAME_DIR.match(v) for v in values) and all(
                _DATED_DIR.match(s[0][i + 1]) or _DATE_RUN.match(s[0][i + 1]) for s in split):
            # <column>/<date>/<id>.html: a date archive sits under each column, so the column varies
            parts.append(SLUG)
            if all(_NAME_DIR.match(s[0][j]) for s in split for j in range(i)):
                column_path = i
        elif len(set(values)) == 1 and values[0] in column_names:
            parts.append(SLUG)
            tight = True
        elif (page_dirs and i == len(page_dirs) and i + 1 == depth and _NAME_DIR.match(values[0])
              and all(s[0][:i] == page_dirs for s in split)):
            # <column>/<sub-column>/<id>.html under the list's own folder: a page of 自闭症 items today,
            # of 言语障碍 items on the next, so the sub-column varies
            parts.append(SLUG)
        else:
            parts.append(_runs(values))
    name = _runs([s[1] for s in split], tight, digits=one_item) + re.escape(split[0][2])
    parts.append(name)
    pattern = "/".join(parts)
    if column_path is not None:
        # columns nest (dh/jjh/2016-10-10/…, tzgg/2016-06-30/…): the column path may be 1 to 3 deep
        deepest = max(3, column_path + 2)
        pattern = f"(?:/{SLUG}){{1,{deepest}}}/" + "/".join(parts[column_path + 2:])
    if split[0][3]:
        return pattern + r"\?" + _runs([s[3] for s in split], digits=one_item)
    if len(split) >= 2 and _distinctive_name([s[1] for s in split]):
        # the same article family filed under other columns, sub-sites or depths (hub and portal pages)
        pattern += "|" + ANY_DIRS + name
    return pattern


def _family(target: str) -> tuple[int, str, bool]:
    segments, _, ext, query = _split(target)
    return len(segments), ext.lower(), bool(query)


def _main_skeleton(targets: list[str]) -> list[str]:
    """The records of a family whose run pattern (digits → 9, letters → a) most share, when at least 60 %
    do: category links (``xwgg/xxyw/sx.html``) among ``info/1030/17830.html`` items do not blur the shape.
    UUID and hash names have no majority pattern and are kept whole."""
    skeletons = Counter(_skeleton(t) for t in targets)
    top, count = skeletons.most_common(1)[0]
    if count >= 0.6 * len(targets):
        return [t for t in targets if _skeleton(t) == top]
    return targets


def _skeleton(target: str) -> str:
    """Digit runs → 9, letter runs → a, and a two-hex-digit directory (a hash bucket: /13/, /b7/) → x."""
    return _TOKEN_KIND.sub(_kind, _HEX_PAIR_DIR.sub("x", target))


def _kind(m: re.Match[str]) -> str:
    return "9" if m.group()[0].isdigit() else "a"


def distinctive_family(urls: list[str]) -> bool:
    """Whether most (80 %) of these URLs share one article-naming family (see _distinctive_name): a list of
    photo news captioned 学生宿舍 is still a list of articles when it links ``content-3636.html``…"""
    stems = [_split(shape_target(u))[1] for u in urls]
    if len(stems) < 3:
        return False
    top = _main_skeleton(stems)
    return len(top) >= 0.8 * len(stems) and _distinctive_name(top)


# A date in the path: a date directory (/2014-10-11/, /20200101/, /202001/, /2020/1/13/, an e-paper's
# /2023-02/10/) or a TRS file name (/t20200101_123). CMSs file articles by publication date; columns, menus
# and pagers never carry one.
_DATE_IN_PATH = re.compile(r"/(?:19|20)\d\d-?[01]\d-?[0-3]\d/|/(?:19|20)\d\d[01]\d/|/t(?:19|20)\d{6}_\d"
                           r"|/(?:19|20)\d\d/[01]?\d/[0-3]?\d/|/(?:19|20)\d\d-[01]\d/[0-3]\d/")
IN_COLUMN_SHARE = 0.8      # records of a column list that must stay in its directory and carry a date


def dated_in_column(urls: list[str], page_url: str) -> bool:
    """Whether most (80 %) of these URLs lie under the list page's own directory and carry a date path.

    The structural evidence for an undated list of short titles (瓷砖铺贴方案, 办事指南): a column's articles
    are filed below the column (``/cpyfw/zszx/2014-10-11/927.html`` for ``/cpyfw/zszx/index.html``) by
    publication date, whatever the CMS (EmpireCMS, PHPCMS, TRS, Hexo/WordPress date permalinks), while a menu
    of short names points up and across to other columns' directories and ``index`` pages, without dates.
    """
    if len(urls) < 3:
        return False
    page = urlsplit(page_url)
    column = page.path if page.path.endswith("/") else page.path.rsplit("/", 1)[0] + "/"
    inside = 0
    for url in urls:
        parts = urlsplit(url)
        if parts.netloc == page.netloc and parts.path.startswith(column) and _DATE_IN_PATH.search(parts.path):
            inside += 1
    return inside >= IN_COLUMN_SHARE * len(urls)


def learn_shape(urls: list[str], page_url: str) -> str | None:
    """An anchored regex over :func:`shape_target` that the given record URLs share (None if no URLs).

    Records are grouped by (depth, extension, has-query); every family holding at least a quarter of the
    records (at most three) gets an alternative, so a list mixing e.g. HTML notices and PDF attachments keeps
    both, while a stray external link does not widen the shape.
    """
    targets = [shape_target(u) for u in urls if u]
    if not targets:
        return None
    families: dict[tuple[int, str, bool], list[str]] = defaultdict(list)
    for t in targets:
        families[_family(t)].append(t)
    ranked = sorted((_main_skeleton(g) for g in families.values()), key=len, reverse=True)
    kept = [g for g in ranked if len(g) >= max(2, MIN_SHARE * len(targets))][:MAX_ALTERNATIVES] or ranked[:1]
    page_path, _, _, _ = _split(shape_target(page_url))
    page_stem = _split(shape_target(page_url))[1]
    column_names = {s for s in page_path + [page_stem] if s and not s.isdigit()} - {"index", "list", "default"}
    one_item = len(set(targets)) == 1   # a column of one item (short_lists.py)
    alternatives = [_group_pattern(g, column_names, page_path, one_item) for g in kept]
    return "^(?:" + "|".join(alternatives) + ")$"


def compile_shape(shape: str) -> re.Pattern[str] | None:
    """The compiled shape, or None for a stored shape that no longer compiles."""
    try:
        return re.compile(shape)
    except re.error:
        return None

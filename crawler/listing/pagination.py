"""The next list pages: static pager links, TRS ``createPageHTML``, ``?page=`` and JEECMS ``.jhtml`` pagers,
and Hanweb jpage record groups (jpage.py, posted).

A pager link is recognised by structure, not by a site list: it stays in the list page's directory (or
the VSB-style sub-directory named after the page), its file name is a page-number family
(``index_2``, ``list-3``, ``index1``, ``7``) or only its ``page``-like query parameter changes, and it is
either labelled like a pager control or in the same name family as the current page. Pretty-URL engines
(WordPress, Hexo, Hugo, Typecho) page as ``<list path>page/N/``; a link marked ``rel="next"`` (the HTML
standard's next page, never used by menus) is followed wherever it points on the same host. An ASP.NET
``__doPostBack`` pager's next-page control is named (``Pagination.postback``) for the crawl to post the page's
form with; other pagers that need a POST form (``goToPageURL``) or a script call are reported, not followed.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from itertools import islice
from urllib.parse import parse_qsl, urljoin, urlsplit

from lxml.html import HtmlElement

from .jpage import jpage_pages
from .links import MAX_URL, PageLink, resolve_url
from .model import Pagination

MAX_GENERATED = 500        # createPageHTML(100000, …) must not become 100,000 URLs
MAX_SCRIPT = 200_000       # characters of one script searched for a pager call
_PAGER_ANCHOR = re.compile(
    r"^(?:\d{1,5}|下一?页|上一?页|下页|上页|尾页|末页|首页|第一页|最后一页|后页|前页|>{1,2}|<{1,2}|»|«|›|‹"
    r"|next|prev(?:ious)?|last|first)$", re.IGNORECASE)
# index_2 / list-3 / index1 / 7 / list_12_2 (DedeCMS: type id, then page) / 12_2 (SiteServer channel 12, page 2)
_PAGE_NAME = re.compile(r"^(?:([A-Za-z]{1,20})[_-]?)?(?:\d{1,9}[_-])?(\d{1,6})\.([A-Za-z]{2,6})$")
_PAGE_PARAM = re.compile(r"^(?:page|pageno|pageindex|page_index|pagenum|pagenumber|pagenow|pn|p|pg|cp|cpage|curpage"
                         r"|currentpage|page_no|start|offset)$", re.IGNORECASE)
_PAGE_NUMBER = re.compile(r"(?<!\d)\d{1,4}$")
# An unlabelled pager control says nothing (an image), a number, arrows, or a pager word (第2页, 下一頁, Next », an
# e-paper's 第02版：要闻 / 下一版). Other words (新闻资讯) are a channel's or an article's title, even on a file
# named like a page (index11.html).
_WORD = re.compile(r"[A-Za-z\u4e00-\u9fff]")
_PAGER_WORD = re.compile(r"页|頁|版|next|prev|last|first|older|newer", re.IGNORECASE)
_PAGED_PATH = re.compile(r"(?<=/)page/\d{1,5}/?$")      # <list path>page/N/ of pretty-URL engines
# A list page's own "first page" file: from index_2.html, list-3.html or a directory URL, 首页 → index.html is
# page 1; from tzgg.htm (a VSB column page, whose page 1 is itself) 首页 → index.htm is the site home.
_FIRST_PAGE_STEMS = ("index", "default", "list")
# createPageHTML(n, cur, "index", "html") and the variant with the pager's element id first:
# createPageHTML('page_div', n, cur, 'index', 'shtml', records); or all four as variables, the function
# defined inline (www.gov.cn: var sPageName = "index"; … createPageHTML(nPageCount, nPageIndex, sPageName, sPageExt))
_CREATE_PAGE = re.compile(
    r"""(?<!\w)(?<!function )createPageHTML\(\s*(?:['"][\w-]{1,40}['"]\s*,\s*)?(\w{1,32})\s*,\s*(\w{1,32})\s*,"""
    r"""\s*(?:['"]([\w-]{1,64})['"]|([A-Za-z_$][\w$]{0,31}))\s*,\s*(?:['"](\w{1,8})['"]|([A-Za-z_$][\w$]{0,31}))""")
# TRS 2018+ templates: new Pager({size: n, current: cur, prefix: 'index', suffix: 'html'})
_PAGER_OBJECT = re.compile(r"\bPager\(\s*\{([^{}]{0,400})\}")
_FIELD = re.compile(r"""\b(size|current|prefix|suffix)\s*:\s*['"]?([\w-]{1,64})""")
_COUNT_PAGE = re.compile(r"\bcountPage\s*=\s*(\d{1,7})")
_JS_CALL = re.compile(r"^javascript:\s*([\w.$]{1,64})\s*\(", re.IGNORECASE)
# ASP.NET WebForms: javascript:__doPostBack('ctl00$Main$Pager','2') posts the page's form with these two values
_POSTBACK = re.compile(r"""__doPostBack\(\s*(['"])([\w$:.\-]{1,200})\1\s*,\s*(['"])([^'"]{0,100})\3\s*\)""")
_NEXT_LABEL = re.compile(r"^(?:下一?页|下页|后页|next|>|›|»)$", re.IGNORECASE)
POSTBACK_WITHOUT_NEXT = "ASP.NET __doPostBack pager without a next-page control"
_UNSUPPORTED_JS = (("__doPostBack", POSTBACK_WITHOUT_NEXT),
                   ("goToPageURL", "POST form pager (goToPageURL)"))
_HASH_PAGE = re.compile(r"^#[\w!/=&.-]{0,40}?\d")     # #page=2, #!/list/3 (a bare # or ### is the current page)
# Pagers a script renders from a count, whose later pages exist only as script calls or API requests: said
# so (with the record count when the page gives one) when the page links no other pages.
_SCRIPT_PAGERS = (
    (re.compile(r"\.pagination\(\s*\{[^}]{0,300}?\btotal\s*:\s*\d"), "jQuery pagination plugin (pages rendered by script)",
     re.compile(r"\btotal\s*:\s*(\d{1,7})\b")),
    # TRS 动静结合 columns: pageChnlInfo = {recordCount: '107', …}; require(['list2.trsapi'], …) then pages
    # through listApi: {url: "/…/search"}
    (re.compile(r"""require\(\s*\[\s*['"]list\d?\.trsapi['"]"""),
     "TRS list API pager (list2.trsapi: later pages only through its search API)",
     re.compile(r"""\brecordCount\s*:\s*['"]?(\d{1,7})\b""")),
    (re.compile(r"\blaypage\.render\(\s*\{"), "layui laypage pager (pages rendered by script)",
     re.compile(r"\bcount\s*:\s*(\d{1,7})\b")),
    # Hanweb's newer columns: loadPageData(params, 'unitid') with params = {current, perPage, …}; the page's
    # channel data holds several columns' counts, so none is reported
    (re.compile(r"\bloadPageData\s*\(\s*\w+\s*,"), "Hanweb loadPageData pager (pages drawn by script)", None),
)
COUNT_WINDOW = 2000   # characters around a pager's call searched for its record count


def _strip_anchor(text: str) -> str:
    return text.strip(" []【】()（）").replace(" ", "")


def _var_value(scripts: str, name: str) -> int | None:
    if name.isdigit():
        return int(name)
    m = re.search(rf"\b{re.escape(name)}\s*=\s*(\d{{1,7}})", scripts)
    return int(m.group(1)) if m else None


def _var_text(scripts: str, name: str) -> str | None:
    """A script variable's string value (var sPageExt = "htm"), when it is written as a literal."""
    m = re.search(rf"""\b{re.escape(name)}\s*=\s*['"]([\w-]{{1,64}})['"]""", scripts)
    return m.group(1) if m else None


def _page_file(scripts: str, call: re.Match[str]) -> tuple[str, str] | None:
    """A createPageHTML call's page name and extension, literal or from string variables; None when
    they are not written anywhere (the function's own parameters, a value computed at run time)."""
    name = call.group(3) or _var_text(scripts, call.group(4))
    ext = call.group(5) or _var_text(scripts, call.group(6))
    return (name, ext) if name and ext and ext.isalnum() else None


def _script_pages(scripts: str, page_url: str) -> tuple[list[str], str | None]:
    """TRS pagers written by script: ``createPageHTML(n, cur, "index", "html")`` or a bare ``countPage``.

    TRS names page 1 ``index.html`` and page k+1 ``index_k.html``; ``cur`` is the 0-based current page.
    """
    m, file = next(((c, f) for c in _CREATE_PAGE.finditer(scripts) if (f := _page_file(scripts, c))), (None, None))
    obj = None if m else _PAGER_OBJECT.search(scripts)
    fields = dict(_FIELD.findall(obj.group(1))) if obj else {}
    current = 0
    if m and file:
        count, (name, ext) = _var_value(scripts, m.group(1)), file
        current = _var_value(scripts, m.group(2)) or 0
        kind = "createPageHTML"
    elif "size" in fields:
        count, current = _var_value(scripts, fields["size"]), _var_value(scripts, fields.get("current", "0")) or 0
        name, ext = fields.get("prefix", "index"), fields.get("suffix", "html")
        kind = "Pager"
    else:
        c = _COUNT_PAGE.search(scripts)
        if not c:
            return _href_pages(scripts, page_url)
        count, kind = int(c.group(1)), "countPage"
        name, ext = "index", (urlsplit(page_url).path.rsplit(".", 1)[-1] if "." in urlsplit(page_url).path else "html")
    if not count or count < 2:
        return [], kind
    # from a later page (cur > 0) the first page is a page to follow too
    first = [urljoin(page_url, f"{name}.{ext}")] if current > 0 else []
    return first + [urljoin(page_url, f"{name}_{i}.{ext}") for i in range(1, min(count, MAX_GENERATED + 1))], kind


# A pager's handler that goes to a page by its number: location.href = '…/column/4697443?pageIndex=' + pageIndex
# (Lonsun's Ls.pagination, many hand-written pagers); the page count is in the pager's options nearby.
_HREF_PAGE = re.compile(r"""location(?:\.href)?\s*=\s*(['"])([^'"<>\s]{1,300}?[?&](\w{1,20})=)\1\s*\+\s*\(?\s*\w{1,30}""")
_PAGE_COUNT = re.compile(r"\b(?:pageCount|pagecount|totalPages?|totalpage|pages)\s*[:=]\s*['\"]?(\d{1,7})\b")


def _href_pages(scripts: str, page_url: str) -> tuple[list[str], str | None]:
    """Pages 2..N of a pager whose handler navigates to a URL ending in a page parameter plus the page's
    number, N the page count written beside it: same host only, at most MAX_GENERATED."""
    m = _HREF_PAGE.search(scripts)
    if m is None or not _PAGE_PARAM.match(m.group(3)):
        return [], None
    count = (_PAGE_COUNT.search(scripts, m.end(), m.end() + COUNT_WINDOW)
             or _PAGE_COUNT.search(scripts, max(0, m.start() - COUNT_WINDOW), m.start()))
    base = urljoin(page_url, m.group(2))
    if count is None or urlsplit(base).netloc != urlsplit(page_url).netloc:
        return [], None
    return [f"{base}{i}" for i in range(2, min(int(count.group(1)), MAX_GENERATED) + 1)], "script href"


def _script_pager(scripts: str) -> str | None:
    """What a pager rendered by script is, for the report, with its record count when the page gives it:
    in the call, else just before it (TRS sets it in a variable first)."""
    for marker, reason, count_re in _SCRIPT_PAGERS:
        m = marker.search(scripts)
        if m and count_re is None:
            return reason
        if m:
            count = (count_re.search(scripts, m.start(), m.end() + COUNT_WINDOW // 5)
                     or count_re.search(scripts, max(0, m.start() - COUNT_WINDOW), m.start()))
            return f"{reason}, {count.group(1)} records" if count else reason
    return None


def _directory(path: str) -> str:
    return path.rsplit("/", 1)[0] + "/"


def _is_pager_url(url: str, page_url: str, labelled: bool) -> str | None:
    """The pager kind of *url* relative to the page, or None."""
    page, cand = urlsplit(page_url), urlsplit(url)
    if cand.netloc != page.netloc:
        return None
    if cand.path == page.path:
        if cand.query == page.query:
            return None
        mine, theirs = dict(parse_qsl(page.query)), dict(parse_qsl(cand.query))
        changed = {k for k in set(mine) | set(theirs) if mine.get(k) != theirs.get(k)}
        numeric = all(theirs.get(k, "").isdigit() or k not in theirs for k in changed)
        # a known page parameter, or any numeric parameter on a link labelled like a pager control
        if changed and numeric and (labelled or all(_PAGE_PARAM.match(k) for k in changed)):
            return "query"
        return None
    # from /archives/ or /archives/page/3/, the pages are /archives/page/N/
    list_path = _PAGED_PATH.sub("", page.path if page.path.endswith("/") else _directory(page.path))
    paged = _PAGED_PATH.search(cand.path)
    if paged and paged.start() == len(list_path) and cand.path.startswith(list_path):
        return "links"
    page_dir = _directory(page.path)
    page_name = page.path.rsplit("/", 1)[-1]
    stem = page_name.rsplit(".", 1)[0]
    cand_dir, cand_name = _directory(cand.path), cand.path.rsplit("/", 1)[-1]
    cand_stem = cand_name.rsplit(".", 1)[0]
    # VSB keeps page N of xwgg/xxyw.html at xwgg/xxyw/N.html, so from there the first page is one level up;
    # only from a numbered page: from /index/xwzx.htm, ../index.htm labelled 首页 is the site's home.
    back_to_first = labelled and stem.isdigit() and cand_dir + cand_stem + "/" == page_dir
    if cand_dir not in (page_dir, page_dir + stem + "/") and not back_to_first:
        return None
    if back_to_first:
        return "links"
    m = _PAGE_NAME.match(cand_name)
    family = re.sub(r"[_-]?\d+$", "", stem)
    kind = "jhtml" if cand_name.endswith(".jhtml") else "links"
    # Unlabelled, a link is a pager only in the page's own name family and with a page-sized number: five
    # digits and more are ids (left_100187.jhtml is a sibling channel of left_100186.jhtml, not page 100187).
    if (labelled or _PAGE_NUMBER.search(cand_stem)) and cand_dir == page_dir and re.fullmatch(
            re.escape(family or stem) + r"[_-]\d{1,6}", cand_stem):
        return kind      # <page stem>_N, whatever the stem (SiteServer 12_2.html)
    if m:
        if labelled or (_PAGE_NUMBER.search(cand_stem) and ((family and m.group(1) == family)
                                                            or m.group(1) in ("index", "list"))):
            return kind
        return None
    first_page_family = not family or family in _FIRST_PAGE_STEMS
    if labelled and (cand_stem == family or (cand_stem in _FIRST_PAGE_STEMS and first_page_family)):
        return kind
    return None


def _is_rel_next(element: HtmlElement, url: str, page_url: str) -> bool:
    """A same-host ``<a rel="next">``/``<link rel="next">``: the next page by the HTML standard's own word."""
    rel = (element.get("rel") or "")[:100].lower().split()
    return "next" in rel and urlsplit(url).netloc == urlsplit(page_url).netloc


# Pager controls that go nowhere: javascript:void(0), javascript:;, # — a script's click handlers page.
_GOES_NOWHERE = re.compile(r"^(?:javascript:\s*(?:void\s*\(\s*0?\s*\)\s*)?;?|#)$", re.IGNORECASE)
_FORWARD = re.compile(r"^(?:下一?页|下页|尾页|末页|最后一页|后页|next|last|>{1,2}|»|›)$", re.IGNORECASE)
VOID_PAGER = "pager controls that go nowhere (javascript:void): the list and its pages are drawn by script"
# 第<span></span>页 共<span></span>页 总共<span></span>条: the counters a script fills, empty in the page
_EMPTY_COUNTER = re.compile(r"(?:第|共)\s*(?:页|条)")
PAGER_TEXT_CHARS = 300


def void_pager(links: list[PageLink]) -> bool:
    """Whether the page shows a pager a script drives: two or more controls (首页, 下一页, 末页, 2 …) whose
    links go nowhere, one of them forward, beside page counters with no number in them. A static
    column's last (or only) page writes its forward controls javascript:; too, but with its counts
    (共1页) filled; and this is asked only where no list was found."""
    controls = [lk for lk in links if not lk.url and _GOES_NOWHERE.match(lk.raw.strip())
                and _PAGER_ANCHOR.match(_strip_anchor(lk.anchor or lk.title))]
    if len(controls) < 2 or not any(_FORWARD.match(_strip_anchor(lk.anchor or lk.title)) for lk in controls):
        return False
    box = controls[0].element.getparent()
    for _ in range(2):
        if box is None:
            return False
        text = "".join(islice(box.itertext(), 200))[:PAGER_TEXT_CHARS * 4]
        if _EMPTY_COUNTER.search("".join(text.split())):
            return True
        box = box.getparent()
    return False


# A page-jump drop-down (DedeCMS's sldd, old ASP lists): <select onchange="location.href=this.options[…].value">
# The option's value itself is where it goes (a URL computed from it, icama's 'index_'+this.value+'.jhtml',
# is the jhtml pager's business).
_JUMP_TO_VALUE = re.compile(
    r"(?:location(?:\.href)?\s*=|window\.open\(|location\.(?:assign|replace)\()\s*"
    r"this\.(?:value|options\s*\[\s*this\.selectedIndex\s*\]\.value)\b", re.IGNORECASE)
_PAGE_OPTION = re.compile(r"^\s*(?:第\s*)?\d{1,5}\s*(?:页)?\s*$")
MAX_SELECTS = 5


def _select_pages(root: HtmlElement, page_url: str) -> list[str]:
    """The pages a jump drop-down offers: each option's value, when its text is a page number and the
    select's onchange goes to the chosen value (at most MAX_SELECTS such drop-downs read)."""
    out: list[str] = []
    jumps = 0
    for select in root.iter("select"):
        onchange = (select.get("onchange") or "")[:300]
        if not _JUMP_TO_VALUE.search(onchange):
            continue
        jumps += 1
        for option in select.iter("option"):
            value = (option.get("value") or "").strip()
            if (value and not value.isdigit() and _PAGE_OPTION.match(option.text_content()[:20])
                    and (url := resolve_url(value, page_url))):
                out.append(url)
                if len(out) >= MAX_GENERATED:
                    return out
        if jumps >= MAX_SELECTS:
            break
    return out


def find_pagination(root: HtmlElement, links: list[PageLink], page_url: str,
                    is_article: Callable[[str], bool] = lambda url: False) -> Pagination:
    """Pager pages of this list page, in page order, deduplicated, without the page itself."""
    urls: list[str] = []
    kinds: list[str] = []
    unsupported: str | None = None
    postback: tuple[str, str] | None = None
    seen = {page_url}

    def add(url: str, kind: str) -> None:
        if kind != "jpage":  # a fragment is never sent; only a jpage group's name carries one (its form)
            url = url.split("#", 1)[0]
        if url not in seen and len(url) <= MAX_URL:
            seen.add(url)
            urls.append(url)
            if kind not in kinds:
                kinds.append(kind)

    for link in links:
        label = _strip_anchor(link.anchor or link.title)
        labelled = bool(_PAGER_ANCHOR.match(label))
        raw = link.raw.strip()
        call = _POSTBACK.search(raw) if "__doPostBack" in raw else None
        if call is not None and postback is None and _NEXT_LABEL.match(label):
            postback = (call.group(2), call.group(4))
            continue
        for marker, reason in _UNSUPPORTED_JS:
            if marker in raw:
                unsupported = unsupported or reason
        if not link.url:
            if labelled and _HASH_PAGE.match(raw):
                unsupported = unsupported or "hash-fragment pager (JavaScript)"
            call = _JS_CALL.match(raw)
            if labelled and call and call.group(1).lower() not in ("void",):
                unsupported = unsupported or f"JavaScript pager ({call.group(1)})"
            continue
        if is_article(link.url):
            continue
        if _is_rel_next(link.element, link.url, page_url):
            add(link.url, "rel-next")
            continue
        if not labelled and _WORD.search(label) and not _PAGER_WORD.search(label):
            continue
        kind = _is_pager_url(link.url, page_url, labelled)
        if kind:
            add(link.url, kind)

    for url in _select_pages(root, page_url):
        if not is_article(url) and _is_pager_url(url, page_url, True):
            add(url, "select")

    for head_link in root.iter("link"):
        href = head_link.get("href") or ""
        next_url = resolve_url(href, page_url) if href else None
        if next_url and _is_rel_next(head_link, next_url, page_url):
            add(next_url, "rel-next")
    scripts = "\n".join((s.text or "")[:MAX_SCRIPT] for s in root.iter("script"))[: MAX_SCRIPT * 5]
    generated, kind = _script_pages(scripts, page_url)
    for url in generated:
        add(url, kind or "script")
    if not urls and unsupported is None:
        unsupported = _script_pager(scripts)
    groups, jpage_problem = jpage_pages(root, page_url)
    for name in groups:
        add(name, "jpage")
    unsupported = unsupported or jpage_problem
    if postback is not None:
        kinds.append("postback")
        if unsupported == POSTBACK_WITHOUT_NEXT:
            unsupported = None
    return Pagination(urls=urls, kind="+".join(kinds) or None, unsupported=unsupported, postback=postback)

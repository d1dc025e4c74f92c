"""Hanweb (大汉) jpage pagers: a column's later record groups, asked for by POST from ``dataproxy.jsp``.

A Hanweb column page carries its first records in a datastore island (datastore.py) and hands the rest to a
script call such as::

    $('#25630').jpage({proxyUrl: '/module/web/jpage/dataproxy.jsp', perPage: 15, groupSize: 3, totalRecord: 176,
                       ajaxParam: {col: 1, appid: 1, webid: 49, path: '/', columnid: 7372, unitid: 25630, …}})

jpage.js then asks for each group of ``perPage × groupSize`` records as ``POST
proxyUrl?startrecord=46&endrecord=90&perpage=15`` with *ajaxParam* as the form, and the answer is a datastore
of those records. Hanweb runs a large share of provincial and county portals (Jiangsu, Zhejiang, Shandong,
Beijing's bureaus, …), so without this only a column's first group is ever listed.

The configuration object is found with tree-sitter's JavaScript grammar and read as literals only (a value the
script computes makes the pager unsupported, never guessed). When it has no *ajaxParam*, the form is read from
the ``<nextgroup>`` link of the datastore (``dataproxy.jsp?page=1&webid=…&columnid=…``), which names the same
fields.

A later group is named like any list page, by one string: its URL, then ``#post:`` and the form it is posted
with. The fragment is never sent; it keeps two columns of one site, which post to the same URL, apart in the
crawl's page bookkeeping and in what a 304's replay asks for again.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from urllib.parse import parse_qsl, urlencode, urlsplit

from lxml.etree import XPath
from lxml.html import HtmlElement
from tree_sitter import Parser

from .js_values import js_string
from .links import MAX_URL, resolve_url
from .script_links import capped_join, inline_scripts, javascript_language, literal_fields

POST_MARK = "#post:"
MAX_SCRIPT = 500_000     # characters of inline script searched for the call
MAX_NODES = 200_000      # syntax nodes walked
MAX_GROUPS = 500         # totalRecord: 10000000 must not become a million requests
MAX_FORM_FIELDS = 40
MAX_VALUE = 256
_CURSOR_FIELDS = frozenset({"page", "startrecord", "endrecord", "perpage"})


@dataclass
class JpagePager:
    """What a page's jpage call says: where to post, how many records in all, per page and per group, the form."""

    proxy_url: str
    total: int
    per_page: int
    group: int
    form: dict[str, str]

    def pages(self) -> list[str]:
        """The names of groups 2…n (the page itself shows the first), at most MAX_GROUPS."""
        names = []
        joiner = "&" if "?" in self.proxy_url else "?"
        for start in range(self.group + 1, self.total + 1, self.group):
            end = min(start + self.group - 1, self.total)
            query = urlencode({"startrecord": start, "endrecord": end, "perpage": self.per_page})
            names.append(post_page(f"{self.proxy_url}{joiner}{query}", self.form))
            if len(names) >= MAX_GROUPS:
                break
        return names


def post_page(url: str, form: dict[str, str]) -> str:
    """The name of a page fetched by POSTing *form* to *url* (see the module docstring)."""
    return f"{url}{POST_MARK}{urlencode(form)}"


def split_post_page(name: str) -> tuple[str, str | None]:
    """(URL, form body) of a page name; the body is None for a plain GET page."""
    url, mark, body = name.partition(POST_MARK)
    return (url, body) if mark else (name, None)


# The datastore's <nextgroup> link, as parse_html inlines it (the link, without its wrapper element).
_NEXT_GROUP_LINK = XPath('//a[contains(@href, "dataproxy")]')


def jpage_pages(root: HtmlElement, base: str) -> tuple[list[str], str | None]:
    """The names of the page's later jpage groups, or why a jpage pager that is there cannot be followed
    (([], None): there is none)."""
    source = capped_join((s.text or "" for s in inline_scripts(root) if "proxyUrl" in (s.text or "")), MAX_SCRIPT)
    if "dataproxy" not in source:
        if _next_group_form(root, base):
            # a datastore that names its next group, with no jpage() call to say how many: more
            # records are there, and the operator should know why they are not followed
            return [], "Hanweb jpage pager: the datastore names dataproxy.jsp, but no jpage() settings are on the page"
        return [], None
    config = _config_object(source)
    if config is None:
        return [], "Hanweb jpage pager: its settings are not written as literals in the page's script"
    proxy = resolve_url(str(config.get("proxyUrl") or ""), base)
    if proxy is None or urlsplit(proxy).netloc != urlsplit(base).netloc:
        return [], "Hanweb jpage pager: its proxyUrl is not on the page's site"
    total, per_page = _count(config.get("totalRecord")), _count(config.get("perPage"))
    literal = config.get("ajaxParam")
    form = ({name: js_string(value)[:MAX_VALUE] for name, value in islice(literal.items(), MAX_FORM_FIELDS)}
            if isinstance(literal, dict) else _next_group_form(root, base))
    if not total or not per_page or not form:
        missing = [name for name, value in (("totalRecord", total), ("perPage", per_page), ("ajaxParam", form))
                   if not value]
        return [], f"Hanweb jpage pager: no literal {', '.join(missing)} in the page's script"
    group = per_page * (_count(config.get("groupSize")) or 1)
    pages = JpagePager(proxy, total, per_page, group, form).pages()
    if any(len(name) > MAX_URL for name in pages):
        return [], "Hanweb jpage pager: its form is too long to follow"
    return pages, None


def _count(value: object) -> int:
    """A positive count from a literal (``15`` or ``'15'``), else 0."""
    text = str(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
    return int(text) if text.isdigit() and 0 < len(text) <= 9 and int(text) > 0 else 0


def _config_object(source: str) -> dict[str, object] | None:
    """The first object literal with a ``proxyUrl`` naming dataproxy, its literal fields read."""
    tree = Parser(javascript_language()).parse(source.encode("utf-8", "replace"))
    stack = [tree.root_node]
    for _ in range(MAX_NODES):
        if not stack:
            break
        node = stack.pop()
        if node.type == "object":
            fields = literal_fields(node, nested=True)
            if "dataproxy" in str(fields.get("proxyUrl") or ""):
                return fields
        stack.extend(reversed(node.named_children))
    return None


def _next_group_form(root: HtmlElement, base: str) -> dict[str, str]:
    """The form fields of the datastore's ``<nextgroup>`` link (``dataproxy.jsp?page=1&webid=…``), without its
    page cursor; empty when there is none."""
    for anchor in _NEXT_GROUP_LINK(root):
        url = resolve_url(anchor.get("href") or "", base)
        if url and "dataproxy" in urlsplit(url).path:
            pairs = [(k, v[:MAX_VALUE]) for k, v in parse_qsl(urlsplit(url).query, keep_blank_values=True)
                     if k.lower() not in _CURSOR_FIELDS]
            return dict(pairs[:MAX_FORM_FIELDS])
    return {}

"""Render the demo site's pages from the HTML files in demo/templates/ (string.Template).

Why: each source imitates a real site family (TRS government CMS, Founder e-paper, news portal,
spam mirror) with its own boilerplate, so an extractor is tested against the noise it will meet.
Content comes from Article records; per-request noise (view counters, server time, rotating
"热点新闻") comes from a Noise object and is deliberately *not* part of the ETag.
"""
from __future__ import annotations

import datetime as _dt
import random
import re
import time
import zlib
from dataclasses import dataclass, field
from functools import cache
from html import escape
from importlib import resources
from string import Template
from urllib.parse import quote

from .article import Article
from .content import PAPER_ISSUE, PAPER_PAGES
from .state import SiteState

WEEKDAYS = ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"]


@dataclass
class Noise:
    """Template noise that changes on every request (and must not change the ETag)."""
    hit: int = 0                     # server-wide request counter: views grow on every request
    rng: random.Random = field(default_factory=random.Random)
    now: str = field(default_factory=lambda: time.strftime("%Y-%m-%d %H:%M:%S"))

    def views(self) -> int:
        return 12000 + 3 * self.hit + self.rng.randint(0, 2)


@cache
def _template(name: str) -> Template:
    return Template(resources.files(__package__).joinpath(f"templates/{name}.html").read_text("utf-8"))


@cache
def _parts(source: str) -> dict[str, Template]:
    """Split templates/<source>_parts.html on '<!-- part: NAME -->' markers."""
    text = resources.files(__package__).joinpath(f"templates/{source}_parts.html").read_text("utf-8")
    chunks = re.split(r"^<!-- part: (\w+) -->\n", text, flags=re.MULTILINE)
    return {chunks[i]: Template(chunks[i + 1]) for i in range(1, len(chunks), 2)}


def render(name: str, **values: object) -> str:
    return _template(name).substitute(**{k: v for k, v in values.items()})


def part(source: str, name: str, **values: object) -> str:
    return _parts(source)[name].substitute(**values)


def e(s: str) -> str:
    return escape(s, quote=True)


def _paras(paragraphs: list[str], style: str = "") -> str:
    return "\n".join(f"<p{style}>{e(p)}</p>" for p in paragraphs)


def _stable_pick(items: list[Article], key: str, k: int) -> list[Article]:
    """Deterministic choice (so it is content, not noise): e.g. a news page's 相关新闻."""
    return random.Random(zlib.crc32(key.encode())).sample(items, min(k, len(items)))


# ---------------------------------------------------------------------------------------------
# gov: TRS-style government information disclosure
# ---------------------------------------------------------------------------------------------
GOV_LIST_NAME = lambda i: "index.html" if i == 0 else f"index_{i}.html"


def _gov_frame(state: SiteState, noise: Noise, private_link: bool = False) -> dict[str, str]:
    live = state.live("gov")
    hot = noise.rng.sample(live, min(5, len(live)))  # rotates on every request
    hot_html = "\n".join(f'      <li><a href="{a.path}" title="{e(a.title)}">{e(a.title)}</a></li>' for a in hot)
    extra_hot = noise.rng.sample(state.corpus.s["hot_news"], 3)
    hot_html += "\n" + "\n".join(f'      <li><span>{e(t)}</span></li>' for t in extra_hot)
    link = ' <a href="/private/oa.html">内部办公系统</a>' if private_link else ""
    return {
        "header": part("gov", "header", now=noise.now),
        "footer": part("gov", "footer", now=noise.now, private_link=link),
        "sidebar": part("gov", "sidebar", hot=hot_html),
    }


def gov_list(state: SiteState, index: int, noise: Noise) -> str:
    pages = state.list_pages("gov")
    items = "\n".join(
        f'      <li><a href="./{a.path[len("/gov/"):]}" target="_blank" title="{e(a.title)}">{e(a.title)}</a><span class="date">{a.date}</span></li>'
        for a in pages[index])
    if index == 0:
        items += '\n      <li class="more"><a href="./about.html">政府信息公开指南</a></li>'
    n = len(pages)
    pager = [f'      <a href="{GOV_LIST_NAME(0)}">首页</a>']
    if index > 0:
        pager.append(f'<a href="{GOV_LIST_NAME(index - 1)}">上一页</a>')
    if index < n - 1:
        pager.append(f'<a href="{GOV_LIST_NAME(index + 1)}">下一页</a>')
    pager.append(f'<a href="{GOV_LIST_NAME(n - 1)}">尾页</a> <span>第{index + 1}页/共{n}页</span>')
    return render("gov_list", items=items, page_index=index, page_count=n, pager=" ".join(pager),
                  **_gov_frame(state, noise, private_link=(index == 0)))


def gov_article(state: SiteState, art: Article, noise: Noise) -> str:
    m = art.metadata
    rows = [("索引号", m.get("索引号", ""), "分类", m.get("分类", "")),
            ("发文机关", m.get("发文机关", ""), "发文日期", m.get("发文日期", ""))]
    if "成文日期" in m:
        rows.append(("成文日期", m["成文日期"], "主题词", m.get("主题词", "")))
    meta_rows = "\n".join(
        f'      <tr><td class="t1">{a}：</td><td class="t2">{e(b)}</td><td class="t1">{c}：</td><td class="t2">{e(d)}</td></tr>'
        for a, b, c, d in rows)
    meta_rows += (f'\n      <tr><td class="t1">名称：</td><td class="t2" colspan="3">{e(m.get("名称", art.title))}</td></tr>'
                  f'\n      <tr><td class="t1">文号：</td><td class="t2" colspan="3">{e(m.get("文号", ""))}</td></tr>')
    body = []
    doc_no = m.get("文号")
    for p in art.paragraphs:
        if doc_no and p == doc_no:
            body.append(f'<p align="center">{e(p)}</p>')
        elif re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日|永州市乡村振兴局", p):
            body.append(f'<p align="right">{e(p)}</p>')
        else:
            body.append(f'<p style="text-indent: 2em;">{e(p)}</p>')
    atts = art.extra.get("attachments", [])
    att_html = ""
    if atts:
        att_html = '      <div class="attachments"><p>附件：</p>\n' + "\n".join(
            f'        <p><a href="{p}" target="_blank">{i}.{e(art.title[:18])}附表{i}.{p.rsplit(".", 1)[1]}</a></p>'
            for i, p in enumerate(atts, 1)) + "\n      </div>"
    live = state.live("gov")
    idx = next((i for i, a in enumerate(live) if a.path == art.path), None)
    pn = []
    if idx is not None and idx > 0:
        pn.append(f'        <p>上一篇：<a href="{live[idx - 1].path}">{e(live[idx - 1].title)}</a></p>')
    if idx is not None and idx + 1 < len(live):
        pn.append(f'        <p>下一篇：<a href="{live[idx + 1].path}">{e(live[idx + 1].title)}</a></p>')
    return render("gov_article", title=e(art.title), category=e(m.get("分类", "")), date=art.date, time=art.time,
                  source=e(m.get("来源", "")), keywords=e(m.get("主题词", "")), meta_rows=meta_rows,
                  views=noise.views(), body="\n".join(body), attachments=att_html, prevnext="\n".join(pn),
                  **_gov_frame(state, noise))


# ---------------------------------------------------------------------------------------------
# paper: Founder-style e-paper, served as GBK
# ---------------------------------------------------------------------------------------------
def paper_dir(date: str = PAPER_ISSUE) -> str:
    y, m, d = date.split("-")
    return f"/paper/html/{y}-{m}/{d}/"


def _paper_frame(state: SiteState, page: int, noise: Noise, current: str | None = None) -> dict[str, object]:
    pages = state.list_pages("paper")
    n = len(pages)
    nav = "\n".join(f'        <tr><td><a href="node_{p}.htm" id="pageLink">第{p:02d}版：{PAPER_PAGES[p]}</a></td></tr>'
                    for p in range(1, n + 1))
    cur = ' class="cur"'
    titles = "\n".join(
        f'        <tr><td><a href="{a.path.rsplit("/", 1)[1]}"{cur if a.path == current else ""}>{e(a.title)}</a></td></tr>'
        for a in pages[page - 1])
    d = _dt.date.fromisoformat(PAPER_ISSUE)
    return {
        "page": page, "page2": f"{page:02d}", "page_name": PAPER_PAGES[page],
        "issue_cn": f"{d.year}年{d.month}月{d.day}日", "weekday": WEEKDAYS[d.weekday()],
        "prev_page": f'<a href="node_{page - 1}.htm">上一版</a>' if page > 1 else "",
        "next_page": f'<a href="node_{page + 1}.htm">下一版</a>' if page < n else "",
        "page_nav": nav, "title_nav": titles,
        "footer": part("paper", "footer", views=noise.views(), now=noise.now),
    }


def paper_node(state: SiteState, page: int, noise: Noise) -> str:
    return render("paper_node", **_paper_frame(state, page, noise))


def paper_article(state: SiteState, art: Article, noise: Noise) -> str:
    page = art.extra.get("page", 1)
    on_page = state.list_pages("paper")[page - 1]
    idx = next((i for i, a in enumerate(on_page) if a.path == art.path), 0)
    fname = lambda a: a.path.rsplit("/", 1)[1]
    prev_a = f'<a href="{fname(on_page[idx - 1])}">上一篇</a>' if idx > 0 else "上一篇"
    next_a = f'<a href="{fname(on_page[idx + 1])}">下一篇</a>' if idx + 1 < len(on_page) else "下一篇"
    return render("paper_article", title=e(art.title), subtitle=(f'        <h2 class="subtitle">{e(art.metadata["副题"])}</h2>\n' if art.metadata.get("副题") else ""),
                  byline=e(art.metadata.get("作者", "")), body=_paras(art.paragraphs),
                  prev_article=prev_a, next_article=next_a, **_paper_frame(state, page, noise, art.path))


# ---------------------------------------------------------------------------------------------
# news: portal republication
# ---------------------------------------------------------------------------------------------
NEWS_LIST_NAME = lambda i: "index.html" if i == 0 else f"index_{i + 1}.html"


def _news_frame(state: SiteState, noise: Noise) -> dict[str, str]:
    live = state.live("news")
    hot = noise.rng.sample(live, min(6, len(live)))
    hot_html = "\n".join(f'      <li><a href="{a.path}">{e(a.title)}</a></li>' for a in hot)
    return {
        "header": part("news", "header", now=noise.now),
        "sidebar": part("news", "sidebar", hot=hot_html),
        "footer": part("news", "footer", online=noise.views() % 5000, now=noise.now),
    }


def news_list(state: SiteState, index: int, noise: Noise) -> str:
    pages = state.list_pages("news")
    items = "\n".join(
        f'      <li><a href="{a.path}" target="_blank">{e(a.title)}</a><span class="time">{a.date}</span>'
        f'<p class="summary">{e(a.paragraphs[0][:60])}…</p></li>'
        for a in pages[index])
    n = len(pages)
    pager = []
    if index > 0:
        pager.append(f'<a href="{NEWS_LIST_NAME(index - 1)}">上一页</a>')
    for i in range(n):
        pager.append(f"<span class=\"cur\">{i + 1}</span>" if i == index else f'<a href="{NEWS_LIST_NAME(i)}">{i + 1}</a>')
    if index < n - 1:
        pager.append(f'<a href="{NEWS_LIST_NAME(index + 1)}">下一页</a>')
    return render("news_list", items=items, pager="      " + " ".join(pager),
                  page_suffix=f"_第{index + 1}页" if index else "", **_news_frame(state, noise))


def news_article(state: SiteState, art: Article, noise: Noise) -> str:
    m = art.metadata
    live = state.live("news")
    idx = next((i for i, a in enumerate(live) if a.path == art.path), None)
    pn = []
    if idx is not None and idx > 0:
        pn.append(f'      <li>上一篇：<a href="{live[idx - 1].path}">{e(live[idx - 1].title)}</a></li>')
    if idx is not None and idx + 1 < len(live):
        pn.append(f'      <li>下一篇：<a href="{live[idx + 1].path}">{e(live[idx + 1].title)}</a></li>')
    others = [a for a in live if a.path != art.path]
    related = "\n".join(f'        <li><a href="{a.path}">{e(a.title)}</a><span>{a.date}</span></li>'
                        for a in _stable_pick(others, art.path, 4))
    author = f'<span>作者：{e(m["作者"])}</span>&nbsp;' if m.get("作者") else ""
    return render("news_article", title=e(art.title), description=e(art.paragraphs[0][:80]),
                  source=e(m.get("来源", "")), pubtime=e(m.get("发布时间", art.date)), author_span=author,
                  views=noise.views(), body=_paras(art.paragraphs), editor=e(m.get("责任编辑", "")),
                  prevnext="\n".join(pn), related=related, **_news_frame(state, noise))


# ---------------------------------------------------------------------------------------------
# mirror: spam site copying stories
# ---------------------------------------------------------------------------------------------
def _kw(word: str) -> str:
    return f'<a href="/mirror/search.html?kw={quote(word)}">{e(word)}</a>'


def _mirror_frame(state: SiteState, noise: Noise) -> dict[str, str]:
    s = state.corpus.s
    latest = "\n".join(f'      <li><a href="{a.path}">{e(a.title)}</a></li>' for a in state.live("mirror")[:6])
    return {
        "header": part("mirror", "header", hot_search=" ".join(_kw(w) for w in s["hot_search"])),
        "sidebar": part("mirror", "sidebar", products="".join(f"<li>{_kw(w)}</li>" for w in s["hot_search"][:5]),
                        latest=latest),
        "footer": part("mirror", "footer", seo_footer=" ".join(_kw(w) for w in s["seo_keywords"]),
                       views=noise.views(), now=noise.now),
        "seo": e(",".join(s["seo_keywords"][:4])),
    }


def mirror_list(state: SiteState, index: int, noise: Noise) -> str:
    pages = state.list_pages("mirror")
    items = "\n".join(
        f'      <li><span class="date">{a.date}</span><a href="{a.path}" title="{e(a.title)}">{e(a.title)}</a>'
        f'<p>{e(a.paragraphs[0][:50])}...</p></li>'
        for a in pages[index])
    n = len(pages)
    pager = ['<li><a href="list_1.html">首页</a></li>']
    if index > 0:
        pager.append(f'<li><a href="list_{index}.html">上一页</a></li>')
    pager += [f'<li class="thisclass">{i}</li>' if i == index + 1 else f'<li><a href="list_{i}.html">{i}</a></li>'
              for i in range(1, n + 1)]
    if index < n - 1:
        pager.append(f'<li><a href="list_{index + 2}.html">下一页</a></li>')
    pager.append(f'<li><a href="list_{n}.html">末页</a></li>')
    return render("mirror_list", items=items, pager="      <ul>" + "".join(pager) + "</ul>",
                  page_suffix=f"_第{index + 1}页" if index else "", **_mirror_frame(state, noise))


def mirror_article(state: SiteState, art: Article, noise: Noise) -> str:
    m = art.metadata
    s = state.corpus.s
    live = state.live("mirror")
    idx = next((i for i, a in enumerate(live) if a.path == art.path), None)
    pn = []
    if idx is not None and idx > 0:
        pn.append(f'      <p>上一篇：<a href="{live[idx - 1].path}">{e(live[idx - 1].title)}</a></p>')
    if idx is not None and idx + 1 < len(live):
        pn.append(f'      <p>下一篇：<a href="{live[idx + 1].path}">{e(live[idx + 1].title)}</a></p>')
    games = random.Random(zlib.crc32(art.path.encode())).sample(s["spam_games"], 4)
    tags = " ".join(_kw(w) for w in random.Random(art.path).sample(s["seo_keywords"], 3))
    return render("mirror_article", title=e(art.title), description=e(art.paragraphs[0][:80]),
                  pubtime=e(m.get("发布时间", art.date)), views=noise.views(), source=e(m.get("来源", "")),
                  author=f" 作者：{e(m['作者'])}" if m.get("作者") else "",
                  body=_paras(art.paragraphs, ' style="text-indent:2em"'), prevnext="\n".join(pn),
                  games="\n".join(f"      <p>{_kw(g)}</p>" for g in games), tags=tags,
                  **_mirror_frame(state, noise))


# ---------------------------------------------------------------------------------------------
# misc pages
# ---------------------------------------------------------------------------------------------
SITE_NAMES = {"gov": "永州市乡村振兴局", "paper": "湖南日报数字报", "news": "四海资讯", "mirror": "工作台厂家"}
HOMES = {"gov": "/gov/index.html", "paper": paper_dir() + "node_1.htm", "news": "/news/list/index.html",
         "mirror": "/mirror/list_1.html"}


def simple_page(title: str, content_html: str, noise: Noise, source: str | None = None) -> str:
    return render("simple_page", charset="gbk" if source == "paper" else "utf-8", title=e(title), content=content_html, now=noise.now,
                  home=HOMES.get(source or "", "/"), site=e(SITE_NAMES.get(source or "", "govwatch 演示站点")))


def error_page(status: int, home: str = "/") -> str:
    reason = "该信息已被删除或撤回。" if status == 410 else "请检查您输入的网址是否正确。"
    return render("error", status=status, reason=reason, home=home)

"""A synthetic TRS-style government site of N static pages, for nginx to serve.

Why static files: the crawl benchmark has to measure govwatch, not the server. nginx answers
static files with gzip, ETag and Last-Modified (→ 304 on a conditional GET) exactly as the
real CMS-published sites do, at a cost that stays out of the crawler's CPU figures.

Pages are rendered with the demo site's own templates (`demo.templates`) and sentence pool
(`demo.content.Corpus`), so the extractor meets the same boilerplate it meets in the demo:

- light pages (~11 KB): the TRS government article (`gov_article`), metadata table, 字体/打印
  bar, 扫一扫/ICP footer (no 附件 links: the site has no attachment files);
- heavy pages (~100 KB): a news-portal article (`news_article`) wrapped in the mega-menus,
  channel link lists, inline scripts and styles of a provincial portal front end.

Every article lives at a TRS URL `/gov/YYYY/MM/tYYYYMMDD_ID.html`. Three list sections link them:

- `/gov/index.html`, `index_1.html`, …: every page (the mix);
- `/gov/light/index.html`, …: the light pages only (the light-mix crawl);
- `/gov/sample/index.html`, …: the first `sample` light pages (the database-growth crawls).

The content carries no clock: regenerating with the same seed gives identical bytes, and nginx
derives ETag/Last-Modified from the file's mtime and size, so an unchanged site answers 304.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from demo import templates
from demo.article import Article
from demo.content import Corpus

LIST_PER_PAGE = 25  # links per list page, as on most TRS 通知公告 columns (15–25)
# Fixed times, so a regenerated site is byte-identical (nginx's ETag is mtime + size).
FIXED_NOW = "2023-06-30 09:00:00"
FIXED_MTIME = 1688086800  # 2023-06-30T01:00:00Z
SECTIONS = ("", "light/", "sample/")
ROBOTS = "User-agent: *\nDisallow: /private/\nAllow: /\n"


@dataclass
class SitePage:
    """One generated article page: its URL path, the file that holds it and its kind."""

    path: str
    file: Path
    heavy: bool
    size: int


@dataclass
class Site:
    """A generated site on disk: the document root, its article pages and its list sections."""

    root: Path
    pages: list[SitePage]
    lists: dict[str, list[str]] = field(default_factory=dict)  # section → list page paths

    @property
    def light(self) -> list[SitePage]:
        return [p for p in self.pages if not p.heavy]

    @property
    def heavy(self) -> list[SitePage]:
        return [p for p in self.pages if p.heavy]

    def start_path(self, section: str = "") -> str:
        return f"/gov/{section}index.html"

    def summary(self) -> dict[str, float | int]:
        light, heavy = self.light, self.heavy
        return {
            "pages": len(self.pages),
            "light_pages": len(light),
            "heavy_pages": len(heavy),
            "light_kb_mean": round(sum(p.size for p in light) / max(1, len(light)) / 1024, 1),
            "heavy_kb_mean": round(sum(p.size for p in heavy) / max(1, len(heavy)) / 1024, 1),
            "list_pages": len(self.lists.get("", [])),
        }


class _Window:
    """The slice of site state a template needs for one page.

    demo.templates asks the state for the whole live list (for 上一篇/下一篇 and the rotating
    热点 sidebar); handing it every article would make generation quadratic in N, so each
    page sees a few random articles followed by its own neighbours.
    """

    def __init__(self, corpus: Corpus, live: list[Article]) -> None:
        self.corpus = corpus
        self._live = live

    def live(self, source: str) -> list[Article]:
        return self._live


def generate_site(
    root: Path, pages: int = 5000, heavy_share: float = 0.2, *, sample: int = 1000, seed: int = 20230630
) -> Site:
    """Write `pages` article pages (a `heavy_share` of them heavy) and their list pages under `root`."""
    corpus = Corpus(seed)
    rng = random.Random(seed)
    articles = [_article(corpus, rng, i) for i in range(pages)]
    heavy_at = set(rng.sample(range(pages), round(pages * heavy_share)))
    site = Site(root=root, pages=[])
    for i, art in enumerate(articles):
        window = rng.sample(articles, min(5, pages)) + articles[max(0, i - 1): i + 2]
        noise = templates.Noise(hit=i, rng=random.Random(i), now=FIXED_NOW)
        state = _Window(corpus, window)
        if i in heavy_at:
            html = _portal_page(templates.news_article(state, _as_news(art), noise), rng)
        else:
            html = templates.gov_article(state, art, noise)
        site.pages.append(_write(root, art.path, html, heavy=i in heavy_at))
    light = [a for i, a in enumerate(articles) if i not in heavy_at]
    groups = {"": articles, "light/": light, "sample/": light[:sample]}
    for section, members in groups.items():
        site.lists[section] = _write_lists(root, corpus, rng, section, members)
    (root / "robots.txt").write_text(ROBOTS, encoding="utf-8")
    os.utime(root / "robots.txt", (FIXED_MTIME, FIXED_MTIME))
    return site


def _article(corpus: Corpus, rng: random.Random, i: int) -> Article:
    """A gov article with its own TRS id; titles are numbered so all N are distinct."""
    date = (dt.date(2023, 6, 30) - dt.timedelta(days=i // 4)).isoformat()
    pool = corpus.s["gov_titles"]
    title = f"{pool[i % len(pool)]}（{i + 1}）"
    corpus._ids.clear()  # the demo's id pool holds 90,000 ids; we number articles ourselves
    art = corpus.gov_article(date, title=title, paragraphs=corpus.body(rng.randint(16, 22)), serial=i + 1)
    # The corpus links some notices to 附件 files this static site does not have: every such link
    # was a 404 the crawl asked for (~0.7 a page since attachments are fetched, issue 23), work and
    # requests bare trafilatura never sees. bench.attachments links real files where it measures them.
    art.extra["attachments"] = []
    y, m, d = date.split("-")
    art.path = f"/gov/{y}/{m}/t{y}{m}{d}_{100000 + i}.html"
    art.order = -i
    return art


def _as_news(art: Article) -> Article:
    """The same story as a portal republishes it (来源/发布时间/责任编辑 byline)."""
    meta = {"来源": art.metadata.get("来源", ""), "发布时间": f"{art.date} {art.time[:5]}", "责任编辑": "周小云"}
    paragraphs = art.paragraphs * 2  # portal features run longer than notices
    return Article("news", art.path, art.title, paragraphs, art.date, art.time, meta, "utf-8", None, order=art.order)


def _portal_page(html: str, rng: random.Random) -> str:
    """Wrap an article in ~90 KB of portal furniture: mega-menus, channel lists, scripts, styles."""
    channels = ["要闻", "时政", "湖南", "民生", "财经", "教育", "文旅", "健康", "法治", "乡村振兴", "专题", "视频"]
    blocks = []
    for name in channels:
        links = "\n".join(
            f'<li><a href="/portal/{name}/{rng.randint(100000, 999999)}.html" target="_blank" '
            f'title="{escape(t)}">{escape(t)}</a><span class="t">06-{rng.randint(1, 30):02d}</span></li>'
            for t in (f"{name}：{rng.choice(_HEADLINES)}（{k}）" for k in range(22))
        )
        blocks.append(f'<div class="channel-box"><h3><a href="/portal/{name}/">{name}</a></h3><ul>\n{links}\n</ul></div>')
    mega = "\n".join(
        f'<li class="menu"><a href="/portal/{c}/">{c}</a><div class="sub">'
        + "".join(f'<a href="/portal/{c}/{k}/">{c}{k}</a>' for k in range(18)) + "</div></li>"
        for c in channels
    )
    script = "\n".join(
        f"var _hm{k}=_hm{k}||[];(function(){{var hm=document.createElement('script');"
        f"hm.src='https://stat.example.cn/hm.js?{rng.getrandbits(64):016x}';var s=document.getElementsByTagName"
        f"('script')[0];s.parentNode.insertBefore(hm,s);}})();" for k in range(90)
    )
    style = "\n".join(f".c{k} li a{{color:#{rng.getrandbits(24):06x};font-size:{12 + k % 5}px;line-height:24px}}"
                      for k in range(160))
    head = f"<style type=\"text/css\">\n{style}\n</style>\n<script type=\"text/javascript\">\n{script}\n</script>\n</head>"
    top = f'<body>\n<div class="portal-nav"><ul>\n{mega}\n</ul></div>'
    bottom = '<div class="portal-channels">\n' + "\n".join(blocks) + "\n</div>\n</body>"
    return html.replace("</head>", head, 1).replace("<body>", top, 1).replace("</body>", bottom, 1)


_HEADLINES = [
    "全省乡村振兴重点帮扶县工作推进会召开", "湘江新区产业项目集中签约", "防汛抗旱工作部署会议召开",
    "高标准农田建设进度过半", "农村人居环境整治提升五年行动", "中小学暑期安全教育提醒", "新一批省级文明村镇名单公布",
    "长株潭都市圈建设取得新进展", "县域商业体系建设示范县名单", "防返贫监测帮扶集中排查", "文旅消费季活动启动",
]


def _write(root: Path, path: str, html: str, heavy: bool = False) -> SitePage:
    file = root / path.lstrip("/")
    file.parent.mkdir(parents=True, exist_ok=True)
    data = html.encode("utf-8")
    file.write_bytes(data)
    os.utime(file, (FIXED_MTIME, FIXED_MTIME))
    return SitePage(path=path, file=file, heavy=heavy, size=len(data))


def _write_lists(root: Path, corpus: Corpus, rng: random.Random, section: str, members: list[Article]) -> list[str]:
    """TRS list pages index.html, index_1.html, … with 首页/上一页/下一页/尾页 and createPageHTML."""
    chunks = [members[i: i + LIST_PER_PAGE] for i in range(0, len(members), LIST_PER_PAGE)] or [[]]
    name = templates.GOV_LIST_NAME
    paths = []
    for index, chunk in enumerate(chunks):
        items = "\n".join(
            f'      <li><a href="{_href(section, a.path)}" target="_blank" title="{escape(a.title)}">'
            f'{escape(a.title)}</a><span class="date">{a.date}</span></li>'
            for a in chunk
        )
        n = len(chunks)
        pager = [f'      <a href="{name(0)}">首页</a>']
        if index > 0:
            pager.append(f'<a href="{name(index - 1)}">上一页</a>')
        if index < n - 1:
            pager.append(f'<a href="{name(index + 1)}">下一页</a>')
        pager.append(f'<a href="{name(n - 1)}">尾页</a> <span>第{index + 1}页/共{n}页</span>')
        noise = templates.Noise(hit=index, rng=random.Random(index), now=FIXED_NOW)
        frame = templates._gov_frame(_Window(corpus, rng.sample(members, min(5, len(members)))), noise)
        html = templates.render("gov_list", items=items, page_index=index, page_count=n, pager=" ".join(pager), **frame)
        path = f"/gov/{section}{name(index)}"
        _write(root, path, html)
        paths.append(path)
    return paths


def _href(section: str, path: str) -> str:
    """Relative links like TRS (./2021/06/t….html) in the main column; absolute in sub-sections."""
    return "./" + path[len("/gov/"):] if not section else path

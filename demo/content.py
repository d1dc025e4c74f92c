"""Deterministic article corpus for the demo site, built from seed-derived Chinese prose.

Why: tests need stable counts, titles and bodies, and the monitor's copy detection needs bodies that
are realistic but *distinct* between original stories.  The paragraph pool in corpus.txt comes from
real page captures; here it is split into sentences and dealt out with a seeded RNG so each
original article gets its own mix (two originals share a sentence or two at most), while the
mirror's copies duplicate a news/gov story verbatim (recorded in ``copy_of``).
"""
from __future__ import annotations

import calendar
import datetime as _dt
import random
import re
from importlib import resources
from pathlib import Path

from .article import Article

DEFAULT_SEED = 20221217
PAPER_ISSUE = "2022-12-17"
PAPER_PAGES = {1: "头版", 2: "要闻", 3: "要闻", 4: "乡村振兴"}
GOV_ORGAN = "永州市乡村振兴局"
GOV_CODE = "MB1L79532"

COUNTS = {"gov": 14, "paper": 14, "news": 14, "mirror": 12}
MIRROR_COPIES = (("news", 5), ("gov", 3))          # 8 of the 12 mirror articles are copies


def load_corpus(path: Path | None = None) -> dict[str, list[str]]:
    """Parse corpus.txt ("[section]" headers, one item per line) into {section: [items]}."""
    text = path.read_text("utf-8") if path else resources.files(__package__).joinpath("corpus.txt").read_text("utf-8")
    sections: dict[str, list[str]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r"\[(\w+)\]", line)
        if m:
            current = sections.setdefault(m.group(1), [])
        elif current is not None:
            current.append(line)
    return sections


def split_sentences(paragraph: str) -> list[str]:
    """Split a Chinese paragraph into sentences, keeping closing quotes with their sentence."""
    parts = re.findall(r"[^。！？]+(?:[。！？]+[”’）)]*|$)", paragraph)
    out = []
    for p in parts:
        p = p.strip()
        if len(p) < 6:
            if out and p:
                out[-1] += p
            continue
        if p[-1] not in "。！？”’）)":
            p += "。"
        out.append(p)
    return out


class Corpus:
    """The sentence pool plus the name lists, with a seeded RNG for every random choice."""

    def __init__(self, seed: int = DEFAULT_SEED, sections: dict[str, list[str]] | None = None):
        self.rng = random.Random(seed)
        self.s = sections or load_corpus()
        self.sentences = [s for p in self.s["paragraphs"] for s in split_sentences(p)]
        self.used_titles: set[str] = set()
        self._ids: set[int] = set()

    # -- small helpers -------------------------------------------------------------------------
    def pick(self, section: str) -> str:
        return self.rng.choice(self.s[section])

    def uid(self, lo: int, hi: int) -> int:
        while True:
            n = self.rng.randint(lo, hi)
            if n not in self._ids:
                self._ids.add(n)
                return n

    def title(self, source: str) -> str:
        """Next unused title for a source (falls back to numbered variants when exhausted)."""
        pool = self.s[f"{source}_titles"] if f"{source}_titles" in self.s else self.s["news_titles"]
        for t in pool:
            if t not in self.used_titles:
                self.used_titles.add(t)
                return t
        n = 2
        while True:
            for t in pool:
                cand = f"{t}（{n}）"
                if cand not in self.used_titles:
                    self.used_titles.add(cand)
                    return cand
            n += 1

    def body(self, n_sentences: int | None = None, subhead: bool | None = None) -> list[str]:
        """A fresh body: sampled sentences grouped 1-3 per paragraph, sometimes with a subhead."""
        n = n_sentences or self.rng.randint(8, 13)
        sents = self.rng.sample(self.sentences, n)
        paras: list[str] = []
        i = 0
        while i < len(sents):
            k = self.rng.randint(1, 3)
            paras.append("".join(sents[i:i + k]))
            i += k
        if (self.rng.random() < 0.5) if subhead is None else subhead:
            paras.insert(self.rng.randint(1, max(1, len(paras) - 1)), self.pick("subheads"))
        return paras

    def person(self, exclude: tuple[str, ...] = ()) -> str:
        while True:
            p = self.pick("people")
            if p not in exclude:
                return p

    def clock(self, lo: int = 8, hi: int = 18, seconds: bool = False) -> str:
        t = f"{self.rng.randint(lo, hi):02d}:{self.rng.randint(0, 59):02d}"
        return t + (f":{self.rng.randint(0, 59):02d}" if seconds else ":00")

    # -- per-source builders -------------------------------------------------------------------
    def gov_article(self, date: str, title: str | None = None, paragraphs: list[str] | None = None,
                    serial: int = 1) -> Article:
        y, m, d = date.split("-")
        title = title or self.title("gov")
        notice = title.startswith("关于") or "通知" in title
        doc_no = f"永乡振发〔{y}〕{self.rng.randint(3, 60)}号" if notice else ""
        meta = {
            "索引号": f"{GOV_CODE}/{y}-{serial:05d}",
            "分类": self.pick("gov_categories"),
            "发文机关": GOV_ORGAN,
            "发文日期": date,
            "名称": title,
            "文号": doc_no,
            "来源": GOV_ORGAN if notice else self.rng.choice([GOV_ORGAN, "湖南省人民政府扶贫办网站"]),
        }
        if self.rng.random() < 0.5:
            written = _dt.date.fromisoformat(date) - _dt.timedelta(days=self.rng.randint(1, 5))
            meta["成文日期"] = written.isoformat()
            meta["主题词"] = self.pick("gov_subject_words")
        if paragraphs is None:
            paragraphs = self.body()
            if notice:
                paragraphs = ([doc_no, "各县区乡村振兴局，市直有关单位："] + paragraphs
                              + [GOV_ORGAN, f"{int(y)}年{int(m)}月{int(d)}日"])
            elif self.rng.random() < 0.5:
                author = self.person()
                meta["作者"] = author
                paragraphs[-1] += f"（文/{author}）"
        extra: dict = {"attachments": []}
        article_id = self.uid(10000, 99999)
        if notice and self.rng.random() < 0.6:
            ext = self.rng.choice(["pdf", "docx"])
            extra["attachments"] = [f"/gov/{y}/{m}/P0{y}{m}{d}{article_id}{n}.{ext}" for n in range(1, self.rng.randint(2, 3))]
        return Article("gov", f"/gov/{y}/{m}/t{y}{m}{d}_{article_id}.html", title, paragraphs, date,
                       self.clock(), meta, "utf-8", None, extra=extra)

    def paper_article(self, page: int, title: str | None = None, paragraphs: list[str] | None = None,
                      date: str = PAPER_ISSUE) -> Article:
        y, m, d = date.split("-")
        raw = title or self.title("paper")
        title, _, subtitle = raw.partition("|")
        reporter = self.person()
        byline = f"湖南日报全媒体记者 {reporter}"
        if self.rng.random() < 0.6:
            byline += f" 通讯员 {self.person((reporter,))}"
        meta = {
            "版次": f"第{page:02d}版：{PAPER_PAGES.get(page, '要闻')}",
            "作者": byline,
            "来源": "湖南日报",
            "日期": f"{int(y)}年{int(m)}月{int(d)}日",
        }
        if subtitle:
            meta["副题"] = subtitle
        extra = {"page": page}
        return Article("paper", f"/paper/html/{y}-{m}/{d}/content_{self.uid(1200000, 1299999)}.htm",
                       title, paragraphs or self.body(), date, "00:00:00", meta, "gbk", None, extra=extra)

    def news_article(self, date: str, title: str | None = None, paragraphs: list[str] | None = None) -> Article:
        y, m, d = date.split("-")
        title = title or self.title("news")
        a, b = self.person(), None
        b = self.person((a,))
        editor = self.pick("editors")
        clock = self.clock()
        meta = {"来源": "红网时刻", "发布时间": f"{date} {clock[:5]}", "通讯员": f"{a} {b}", "责任编辑": editor}
        if paragraphs is None:
            paragraphs = self.body()
            paragraphs[0] = f"红网时刻{int(m)}月{int(d)}日讯（通讯员 {a} {b}）{paragraphs[0]}"
            if self.rng.random() < 0.5:
                meta["作者"] = self.person((a, b))
        return Article("news", f"/news/content/{y}/{m}/{y}{m}{d}_{self.uid(900000, 999999)}.html", title,
                       paragraphs, date, clock, meta, "utf-8", None)

    def mirror_article(self, date: str, title: str | None = None, paragraphs: list[str] | None = None,
                       original: Article | None = None) -> Article:
        clock = self.clock(0, 23, seconds=True)
        if original is not None:
            title, paragraphs = original.title, list(original.paragraphs)
            source = original.metadata.get("来源", "工作台厂家") if original.source == "news" else "工作台厂家"
            meta = {"来源": source, "发布时间": f"{date} {clock}"}
            if "作者" in original.metadata:
                meta["作者"] = original.metadata["作者"]
        else:
            title = title or self.title("mirror_own")
            meta = {"来源": self.rng.choice(self.s["mirror_own_sources"]), "发布时间": f"{date} {clock}"}
            if meta["来源"].startswith("《"):
                meta["作者"] = self.person()
            paragraphs = paragraphs or self.body()
        return Article("mirror", f"/mirror/news/{self.uid(1000, 9999)}.html", title, paragraphs, date, clock,
                       meta, "utf-8", original.path if original else None)


def _dates(rng: random.Random, start: str, n: int, lo: int, hi: int) -> list[str]:
    """n distinct dates going backwards from start, newest first."""
    d = _dt.date.fromisoformat(start)
    out = []
    for _ in range(n):
        out.append(d.isoformat())
        d -= _dt.timedelta(days=rng.randint(lo, hi))
    return out


def _epoch(date: str, clock: str) -> float:
    return float(calendar.timegm(_dt.datetime.fromisoformat(f"{date}T{clock}").timetuple()))


def build_default_articles(corpus: Corpus) -> list[Article]:
    """The default site: 14 gov, 14 paper, 14 news and 12 mirror articles, fully deterministic."""
    rng = corpus.rng
    arts: list[Article] = []
    gov_dates = _dates(rng, "2021-12-20", COUNTS["gov"], 5, 30)
    gov = [corpus.gov_article(d, serial=900 - 37 * i) for i, d in enumerate(gov_dates)]
    pages = [1] * 4 + [2] * 4 + [3] * 3 + [4] * 3
    paper = [corpus.paper_article(p) for p in pages]
    news_dates = _dates(rng, "2022-11-08", COUNTS["news"], 2, 9)
    news = [corpus.news_article(d) for d in news_dates]
    mirror: list[Article] = []
    originals = [a for src, k in MIRROR_COPIES for a in rng.sample(news if src == "news" else gov, k)]
    for orig in originals:
        later = _dt.date.fromisoformat(orig.date) + _dt.timedelta(days=rng.randint(1, 20))
        mirror.append(corpus.mirror_article(later.isoformat(), original=orig))
    for _ in range(COUNTS["mirror"] - len(originals)):
        mirror.append(corpus.mirror_article(f"2022-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"))
    _every_attachment_format(gov)
    for group in (gov, paper, news, mirror):
        # lists show the newest first: order follows date (then time), paper keeps its page layout order
        ranked = sorted(group, key=lambda a: (a.date, a.time), reverse=True) if group is not paper else group
        for i, a in enumerate(ranked):
            a.order = len(ranked) - i
            a.last_modified = _epoch(a.date, a.time if a.source != "paper" else "05:30:00")
        arts.extend(group)
    return arts


def _every_attachment_format(gov: list[Article]) -> None:
    """Give the first two notices with attachments an XLSX and an OFD one, so the demo serves every
    format govwatch reads (the corpus draws only PDF and DOCX). Done after every random draw, so
    the rest of the default content is what it always was."""
    with_files = [a for a in gov if a.extra.get("attachments")]
    for art, ext in zip(with_files, ("xlsx", "ofd"), strict=False):
        last = art.extra["attachments"][-1]
        stem, number = last.rsplit(".", 1)[0][:-1], len(art.extra["attachments"]) + 1
        art.extra["attachments"] = [*art.extra["attachments"], f"{stem}{number}.{ext}"]

"""A scripted monitoring history for the digest tests, written through the store's own writers.

The day under test is DAY (Asia/Shanghai). Event times are set by SQL afterwards, the only
way to place them on given days; copies get `copy_of` and a `republished` event by SQL too,
as the copy detector would.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from storage import open_db
from storage.articles import FetchedArticle, record_gone, record_page
from storage.runs import close_run, start_run
from storage.sources import sync_sources

DAY = date(2026, 3, 10)
SHANGHAI = ZoneInfo("Asia/Shanghai")
SOURCES = [
    {"name": "gov", "title": "示范市乡村振兴局", "schedule": "every 1h"},
    {"name": "news", "title": "示范新闻网", "schedule": "every 1h"},
    {"name": "mirror", "title": "彩神资讯", "schedule": "every 1h"},
    {"name": "quiet", "title": "安静的县政府", "schedule": "every 1h"},
    {"name": "broken", "title": "坏掉的网站", "schedule": "every 1h"},
]


def utc(local: str) -> str:
    """'2026-03-10 09:00' in Shanghai → the stored UTC form."""
    moment = datetime.strptime(local, "%Y-%m-%d %H:%M:%S" if local.count(":") == 2 else "%Y-%m-%d %H:%M")
    return moment.replace(tzinfo=SHANGHAI).astimezone(ZoneInfo("UTC")).isoformat(timespec="seconds")


@dataclass
class History:
    path: Path
    ids: dict[str, int]  # label → article id
    versions: dict[str, int]  # label → version id of its latest event


class Script:
    """Writes articles and events, then moves each event to the time the story needs."""

    def __init__(self, path: Path) -> None:
        self.db = open_db(path)
        sync_sources(self.db, SOURCES)
        self.ids: dict[str, int] = {}
        self.versions: dict[str, int] = {}
        self.urls: dict[str, str] = {}

    def run(self, source: str, local: str, status: str = "ok", message: str | None = None) -> int:
        run_id = start_run(self.db, source, trigger="test")
        close_run(self.db, run_id, status, message=message)
        self.db.execute("update crawl_runs set started_at = ?, finished_at = ? where id = ?",
                        [utc(local), utc(local), run_id])
        self.db.conn.commit()
        return run_id

    def page(self, label: str, source: str, local: str, title: str, text: str, *, published: str = "2026-03-10",
             run: int | None = None, url: str | None = None) -> None:
        run_id = run or self.run(source, local)
        url = self.urls.setdefault(label, url or f"http://{source}.example.cn/2026/03/t20260310_{len(self.urls) + 1}.html")
        record_page(self.db, run_id, FetchedArticle(url=url, source=source, body=f"<h1>{title}</h1>".encode(),
                                                    title=title, text=text, published=published))
        self._place(local)
        self.ids.setdefault(label, self.db["articles"].rows_where("url = ?", [url]).__next__()["id"])

    def gone(self, label: str, local: str) -> None:
        article = self.db["articles"].get(self.ids[label])
        record_gone(self.db, self.run(article["source"], local), article["url"], 404)
        self._place(local)

    def copy(self, label: str, original: str, local: str, url: str) -> None:
        source_article = self.db["articles"].get(self.ids[original])
        self.page(label, "mirror", local, source_article["title"], source_article["text"], url=url)
        copy_id = self.ids[label]
        self.db.execute("update articles set copy_of = ? where id = ?", [self.ids[original], copy_id])
        self.db.execute("insert into events (article_id, kind, run_id, source, at, version_id) "
                        "select id, 'republished', null, source, ?, current_version_id from articles where id = ?",
                        [utc(local), copy_id])
        self.db.conn.commit()

    def _place(self, local: str) -> None:
        last = next(self.db.query("select id, version_id from events order by id desc limit 1"))
        self.db.execute("update events set at = ? where id = ?", [utc(local), last["id"]])
        self.db.conn.commit()
        self._last_version = last["version_id"]


def write_history(path: Path) -> History:
    s = Script(path)
    # the day before: an old notice and an old news story
    s.page("old-notice", "gov", "2026-03-09 10:00", "关于下达乡村振兴补助资金的通知",
           "永乡振发〔2026〕3号\n各区县乡村振兴局：\n现将补助资金下达给你们。")
    s.page("old-news", "news", "2026-03-09 11:00", "乡村振兴示范村名单公示", "经评审，以下村庄入选。\n公示期五天。")
    # DAY: three new stories, an edit, a withdrawal, two copies
    s.page("plan", "gov", "2026-03-10 09:00", "2026年乡村振兴重点工作安排",
           "为全面推进乡村振兴，现将重点工作安排如下。\n一、巩固拓展脱贫攻坚成果。\n二、发展特色产业。")
    s.page("hiring", "gov", "2026-03-10 09:30", "示范市乡村振兴局2026年公开招聘工作人员公告",
           "根据工作需要，公开招聘工作人员3名。\n报名时间为3月15日至3月20日。")
    s.page("spring", "news", "2026-03-10 10:00", "全省春耕生产有序推进", "各地抢抓农时。\n农机下田忙。")
    s.page("measures", "news", "2026-03-10 10:30", "我省出台稳就业新举措",
           "新举措共十条。\n其中第六条提出以产业发展助推乡村振兴。")
    s.page("old-notice", "gov", "2026-03-10 11:00", "关于下达乡村振兴补助资金的通知",
           "永乡振发〔2026〕3号\n各区县乡村振兴局：\n现将补助资金（第二批）下达给你们。")
    s.versions["old-notice"] = s._last_version
    s.db.execute("update article_versions set diff_summary = ? where id = ?",
                 ["正文：“补助资金”改为“补助资金（第二批）”", s._last_version])
    s.db.conn.commit()
    s.gone("old-news", "2026-03-10 12:00")
    s.versions["old-news"] = s._last_version
    s.copy("plan-copy", "plan", "2026-03-10 13:00", "http://mirror.example.cn/news/101.html")
    s.copy("old-notice-copy", "old-notice", "2026-03-10 14:00", "http://mirror.example.cn/news/102.html")
    s.page("late", "news", "2026-03-10 23:59:59", "深夜发布的乡村振兴快讯", "23时59分发布。")
    # the next day: outside DAY
    s.page("next-day", "news", "2026-03-11 00:00", "次日零点的乡村振兴新闻", "零点发布。")
    # a source that used to publish daily and stopped a month ago; one whose last crawl failed
    for day in ("2026-02-04", "2026-02-05", "2026-02-06", "2026-02-07"):
        s.page(f"quiet-{day}", "quiet", f"{day} 08:00", f"{day} 县政府工作动态", "动态。")
    s.run("broken", "2026-03-10 06:00", status="failed", message="HTTP 503 on every list page")
    s.db.close()
    return History(path, s.ids, s.versions)


def write_config(path: Path, **overrides) -> Path:
    """A subscriptions file: "all" follows everything, "rural" filters on 乡村振兴 minus 招聘."""
    document = {
        "datasette_url": "http://127.0.0.1:8001/govwatch",
        "smtp": {"host": "127.0.0.1", "port": 1},
        "retry": {"attempts": 2, "backoff_s": 0},
        "subscriptions": [
            {"name": "all", "title": "全部", "sources": "all", "formats": ["html", "markdown", "atom"],
             "channels": ["file://drop"]},
            {"name": "rural", "title": "乡村振兴", "recipients": ["duty@example.org"],
             "keywords": {"include": ["乡村振兴"], "exclude": ["招聘"]},
             "formats": ["html", "markdown", "atom"], "channels": ["file://drop"]},
        ],
    }
    document.update(overrides)
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path

"""Stops a crawl whose govwatch parent process has died, so no orphan crawls on unwatched.

`govwatch crawl` and `govwatch run` start each crawl as a child process and close its run
when it ends. If that parent is killed (kill -9, the OOM killer), the child would go on
crawling with nobody to enforce its time limit, and a restarted service would start a second
crawl of the same source beside it. This extension notices the parent is gone and closes the
spider with reason "parent_gone": the run is recorded "killed".

How it notices: a crawl spawned by the monitor is re-parented when the monitor dies. A crawl
forked by the fork server (crawler/fork_server.py) is the server's child, not the monitor's, so
it watches a lifeline instead: the read end of a pipe whose write end only the monitor holds
(GOVWATCH_LIFELINE_FD); EOF there means the monitor is gone, whatever became of the server.
"""

from __future__ import annotations

import logging
import os
import select
from typing import Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call
from scrapy.utils.defer import _schedule_coro

logger = logging.getLogger(__name__)


class ParentWatchExtension:
    """Every GOVWATCH_PARENT_CHECK_S seconds, checks that the process that started us is alive."""

    def __init__(self, crawler: Crawler, parent_pid: int, interval: float, lifeline_fd: int = -1) -> None:
        self.crawler = crawler
        self.parent_pid = parent_pid
        self.interval = interval
        self.lifeline_fd = lifeline_fd
        self.task = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        interval = crawler.settings.getfloat("GOVWATCH_PARENT_CHECK_S", 1.0)
        lifeline_fd = crawler.settings.getint("GOVWATCH_LIFELINE_FD", -1)
        # Only crawls started by govwatch (which opens their run) have a parent to watch.
        if not crawler.settings.get("GOVWATCH_RUN_ID") or interval <= 0 or (lifeline_fd < 0 and os.getppid() == 1):
            raise NotConfigured
        extension = cls(crawler, os.getppid(), interval, lifeline_fd)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self) -> None:
        self.task = create_looping_call(self.check)
        self.task.start(self.interval, now=False)

    def spider_closed(self) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()

    def parent_alive(self) -> bool:
        if self.lifeline_fd < 0:
            return os.getppid() == self.parent_pid
        # Nobody writes to the lifeline: readable means EOF (or an error), i.e. the monitor is gone.
        readable, _, _ = select.select([self.lifeline_fd], [], [], 0)
        return not readable

    def check(self) -> None:
        if self.parent_alive():
            return
        logger.error("the govwatch process that started this crawl (pid %s) is gone: stopping", self.parent_pid)
        self.task.stop()
        _schedule_coro(self.crawler.engine.close_spider_async(reason="parent_gone"))

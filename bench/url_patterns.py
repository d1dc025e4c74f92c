"""URL matching against crafted links: the default article pattern before and after issue 19.

    python -m bench.url_patterns

Prints the CPU seconds of one `re.search` of each pattern on links made of a long digit run
that fails at its end (what a hostile list page serves), and of a whole crafted list page's
links, with the ratio measured in the same run. The old pattern is cubic in the run's length;
the new one is linear, and URLs over 2,048 characters are dropped before matching anyway.
"""

from __future__ import annotations

import re
import time

from monitor.config import DEFAULT_ARTICLE_PATTERN

OLD_ARTICLE_PATTERN = (r"/t\d{8}_\d+\.s?html?$|/content_\d+\.s?html?$|/\d{8}_\d+\.s?html?$"
                       r"|/(?:art|article|news|detail)/[\w/-]*\d{3,}[\w-]*\.s?html?$")


def cpu_seconds(pattern: re.Pattern[str], urls: list[str]) -> float:
    started = time.process_time()
    for url in urls:
        pattern.search(url)
    return time.process_time() - started


def main() -> None:
    old, new = re.compile(OLD_ARTICLE_PATTERN), re.compile(DEFAULT_ARTICLE_PATTERN)
    print(f"{'crafted input':<44} {'old s':>9} {'new s':>9} {'old/new':>9}")
    cases = {f"one link, {n:,}-digit run": [f"http://h.gov.cn/art/{'1' * n}x"] for n in (250, 500, 1000)}
    cases["12 KB list page: 48 links of 250 digits"] = [f"http://h.gov.cn/art/{i}{'1' * 250}x" for i in range(48)]
    cases["2 MB list page: 20,000 links of 100 digits"] = [f"http://h.gov.cn/art/{i}/{'1' * 100}x"
                                                           for i in range(20_000)]
    for name, urls in cases.items():
        before, after = cpu_seconds(old, urls), cpu_seconds(new, urls)
        print(f"{name:<44} {before:>9.4f} {after:>9.4f} {before / max(after, 1e-6):>9.0f}")


if __name__ == "__main__":
    main()

"""The real-site gate of issue 17 on a fast subset: three sites of three CMSs, crawled from their
start URLs alone (the full nine are `python -m bench.realsites`).

- icama_pesticide: JEECMS, `<col>/<id>.html` beside the list, long notices;
- wgxy_school: a PHP CMS, `content-<id>.html` under dated folders, a saved page 2 with real items;
- fj_snpo: EmpireCMS, six items a page each linked twice, `javascript:;` items on later pages.

The floors are issue 17's: every site ≥ 90 % recall of its start pages' saved article links;
pooled, ≤ 10 % navigation pages stored as articles, ≥ 90 % titles equal to the list anchor,
≥ 95 % with 30+ characters of text, ≥ 80 % dated.
"""

from __future__ import annotations

import pytest

from bench import realsites

pytestmark = [
    pytest.mark.long,
    pytest.mark.slow,  # three real crawls, ~40 s
    pytest.mark.timeout(600),
    pytest.mark.skipif(not realsites.ARCHIVE.exists(), reason=f"{realsites.ARCHIVE} is not on this machine"),
]

SITES = ["icama_pesticide", "wgxy_school", "fj_snpo"]


@pytest.fixture(scope="module")
def results():
    return realsites.run(SITES, time_sources_try=False)


def test_every_site_recalls_its_start_pages_articles(results):
    scores = {s.site: s for s in results["scores"]}
    assert sorted(scores) == sorted(SITES)
    for site, score in scores.items():
        assert score.expected > 0, site
        assert score.figures["recall"] >= realsites.FLOORS["recall"], (site, score.missed, score.errors)


def test_pooled_floors(results):
    scores = results["scores"]
    pooled = realsites.pooled(scores)
    assert pooled["nav"] <= realsites.FLOORS["nav_max"], realsites.report(results, details=True)
    for name in ("titles", "text", "dates"):
        assert pooled[name] >= realsites.FLOORS[name], (name, [s.bad_titles[:3] for s in scores])


def test_title_matching_allows_cut_anchors():
    assert realsites.title_matches("关于开展2021年度 考核评估工作的通知", "关于开展2021年度考核评估工作的通知")
    assert realsites.title_matches("关于开展2021年度考核评估工作的通知", "关于开展2021年度考核…")
    assert realsites.title_matches("关于开展2021年度考核评估工作的通知", "关于开展2021年度考核...")
    assert realsites.title_matches("公益金分配使用要确保社会公益目标", "• 公益金分配使用要确保社会公益目标")
    assert realsites.title_matches("【人民日报】中国福彩33年", "【人民日报】中国福彩33年")
    assert not realsites.title_matches("福建民间组织信息网", "关于开展2021年度考核…")
    assert not realsites.title_matches("关于开展2021年度考核评估工作的通知", "")

"""The fallback of extract_page: never empty when the page shows an article, chosen by measure.

Pages are written here, shaped like the failures seen on pages nobody tuned for: a TRS article
whose content container has a footer-like class (realsites-dev cicpa_xxfb: every article came
back empty), a short post beside a long unrelated story (realpages mh20: the tuned body is
right and must stay), an image-only article (nothing to find: empty is right).
"""
from __future__ import annotations

import pytest

from crawler.extraction import extract_page
from crawler.extraction.fallback import METHODS, Candidate, choose, needs_fallback, title_share
from crawler.extraction.rules import load_rules

TITLE = "关于开展2021年度注册会计师行业诚信建设工作的通知"
PARAS = [
    ("各省、自治区、直辖市注册会计师协会：为深入贯彻落实党中央、国务院关于加强社会信用体系建设的决策部署，"
     "推动注册会计师行业诚信建设工作，现就开展2021年度行业诚信建设工作有关事项通知如下。"),
    ("一、工作目标。通过开展诚信建设工作，进一步完善行业诚信档案，健全守信激励和失信惩戒机制，"
     "引导会计师事务所和注册会计师恪守职业道德，提升执业质量，维护公众利益。"),
    ("二、工作内容。各地方协会要结合本地实际，组织开展诚信教育、诚信承诺、诚信档案核查等活动，"
     "对发现的问题及时督促整改，并于年底前将工作情况报送我会。"),
    ("三、工作要求。各地方协会要高度重视，加强组织领导，明确责任分工，确保各项工作落到实处，"
     "对工作中遇到的问题和有关意见建议，请及时与我会联系。"),
]
NAV = "".join(f'<li><a href="/c{i}/">栏目{i}</a></li>' for i in range(12))
FOOTER = '<div class="foot"><a>版权所有：某某协会</a><a>京ICP备05032222号</a></div>'


def trs_page(content_class: str) -> str:
    """A TRS article laid out like cicpa_xxfb: the body sits in *content_class*."""
    body = "".join(f"<p>{p}</p>" for p in PARAS)
    return f"""<html><head><meta charset="utf-8"><title>{TITLE}</title></head><body>
<div class="head"><ul class="nav">{NAV}</ul></div>
<div class="content">
 <div class="location"><span>你现在的位置：</span><a href="/">首页</a>&gt;<a href="../">通知公告</a></div>
 <div class="yaowen-content-top"><h1>{TITLE}</h1><p><span>2021-04-29 17:33</span></p></div>
 <div class="{content_class}"><div class="TRS_Editor">{body}</div></div>
</div>{FOOTER}</body></html>"""


def test_content_in_a_footer_like_container_is_not_lost():
    got = extract_page(trs_page("yaowen-content-bottom"), "http://www.example.org.cn/xxfb/t20210429_1.html")
    for para in PARAS:
        assert para in got.text
    assert "版权所有" not in got.text and "栏目3" not in got.text
    assert got.body_method in METHODS
    assert 0.5 <= got.confidence <= 1 and not got.low_confidence
    assert got.title == TITLE and got.date == "2021-04-29"


def test_page_the_tuned_path_handles_needs_no_fallback():
    got = extract_page(trs_page("article-body"))
    assert got.body_method == "tuned"
    assert got.confidence >= 0.9 and not got.low_confidence
    assert all(p in got.text for p in PARAS)


def test_short_post_beside_a_long_unrelated_story_keeps_the_post():
    post = "美国官员表示，没有证据表明伊朗总统乘坐的直升机发生事故存在谋杀行为，全面调查仍在进行中。"
    story = "".join(f"<p>{p}</p>" for p in [
        "如果说在中国传唱度最高的歌曲，那这一首歌绝对算得上是家喻户晓，很多明星都翻唱过，其实原唱另有其人。",
        "他出生于一个军人家庭，自幼受到了良好的教育，高中毕业后毅然决然地走上了音乐的道路，并签约了唱片公司。",
        "在事业上有了成就的他，爱情也随之而来了，两人一见如故，尽管年龄相差十一岁，但这并不影响两人的感情。",
        "后来他被查出重病，妻子一直陪在他的身边，尽心尽力地照顾他，他的病情才得到了好转，歌迷们都十分感动。",
        "其实每一段经典的传唱都是一代人的记忆缩影，作为一个歌手，他能够凭借一首歌红遍大街小巷并持续了四十年。",
    ])
    title = "美官员否认伊朗直升机事故存在谋杀行为"
    html = f"""<html><head><title>{title}</title></head><body>
<div class="article"><h1>{title}</h1><div class="article-content"><p>{post}</p></div></div>
<div class="recommend"><div class="story"><h3>31岁一炮而红，观众都以为他隐退了</h3>{story}</div></div>
</body></html>"""
    got = extract_page(html)
    assert got.text == post
    assert got.body_method == "tuned"
    assert got.low_confidence  # the page holds far more prose than the body: an operator should look


def test_image_only_article_stays_empty():
    title = "医院开展义诊活动图片报道"
    html = f"""<html><head><title>{title}</title></head><body><ul class="menu">{NAV}</ul>
<h1>{title}</h1><div class="content"><img src="/a/1.jpg"><img src="/a/2.jpg"></div>{FOOTER}</body></html>"""
    got = extract_page(html)
    assert got.text == ""
    assert got.body_method == "tuned"


def test_needs_fallback_thresholds():
    rules = load_rules()
    share = rules.thresholds["fallback_below_prose_share"]
    assert needs_fallback(0, 10, rules)
    assert not needs_fallback(0, 0, rules)  # nothing on the page to find
    assert needs_fallback(int(1000 * share) - 1, 1000, rules)
    assert not needs_fallback(int(1000 * share) + 1, 1000, rules)


def cand(method: str, lines: list[str], raw: int | None = None) -> Candidate:
    return Candidate(method, lines, raw if raw is not None else len(lines))


def test_choose_prefers_what_independent_methods_agree_on_not_the_first():
    article = PARAS
    first = cand("tuned", [PARAS[0][:30]])
    cands = [first, cand("trafilatura-recall", article), cand("readability", article),
             cand("densest-block", ["栏目一 栏目二 栏目三 栏目四", "版权所有 某某协会"])]
    chosen, confidence = choose(cands, page_prose=sum(len(p) for p in PARAS), title=TITLE, min_title_share=0.0)
    assert chosen.lines == article and chosen.method in ("trafilatura-recall", "readability")
    assert confidence > 0.8


def test_choose_penalises_a_candidate_that_was_mostly_boilerplate():
    cands = [cand("tuned", []), cand("trafilatura-recall", PARAS, raw=40), cand("readability", PARAS, raw=4)]
    chosen, _ = choose(cands, page_prose=sum(len(p) for p in PARAS))
    assert chosen.method == "readability"


def test_choose_with_nothing_found_has_zero_confidence():
    chosen, confidence = choose([cand("tuned", []), cand("readability", [])], page_prose=500)
    assert chosen.lines == [] and confidence == 0.0


def test_a_sweep_that_adds_only_the_header_run_into_the_first_paragraph_does_not_replace_the_tuned_body():
    """cs.com.cn's short news item: trafilatura's recall sweep joined the header (首页>中证快讯, the
    headline, the byline and the time) to the one paragraph, and the headline in that header passed
    the title test, so the header came into the body. What a candidate adds beyond the tuned body is
    judged without the tuned paragraphs it runs into and without the headline itself."""
    title = "南风股份：中标5870万元项目"
    para = "中证网讯（记者 王博）南风股份12月1日晚间公告，公司于近日收到中标通知书，中标金额5870万元。"
    header = f"首页>中证快讯 {title} 王博中国证券报·中证网2020-12-01 18:59 {para}"
    tuned = cand("tuned", [para])
    sweep = [cand("trafilatura-recall", [header]), cand("readability", [header])]
    chosen, _ = choose([tuned, *sweep], page_prose=400, title=title, min_title_share=0.3)
    assert chosen is tuned
    lead = "南风股份公告称，公司中标5870万元项目，为田湾核电站7、8号机组提供阀门设备，合同履行将对业绩产生积极影响。"
    more = [cand("trafilatura-recall", [lead, para]), cand("readability", [lead, para])]
    chosen, _ = choose([tuned, *more], page_prose=400, title=title, min_title_share=0.3)
    assert chosen.lines == [lead, para]  # a paragraph of the story it left out still brings the sweep in


@pytest.mark.parametrize("lines, expected", [
    (PARAS, True),           # the notice's own text repeats its headline's words
    (["如果说在中国传唱度最高的歌曲，那这一首歌绝对算得上是家喻户晓。"], False),
])
def test_title_share_tells_the_article_from_an_unrelated_block(lines, expected):
    assert (title_share(TITLE, lines) >= 0.3) is expected


@pytest.mark.slow
def test_a_huge_page_that_needs_the_fallback_stays_within_a_budget():
    """1.6 MB of prose the tuned path drops (a footer-classed wrapper, no content container) plus a
    2,000-link menu: the fallback runs and finishes; a generous budget against a pathological page,
    not a speed claim (those are in bench/)."""
    import time

    para = "<p>" + "这是一段用于测试的正文内容，它没有任何意义，只是为了让页面变得很大。" * 3 + "</p>"
    menu = "".join(f'<li><a href="/c{i}">栏目{i}</a></li>' for i in range(2000))
    blocks = "".join("<div>" + para * 5 + "</div>" for _ in range(2800))
    html = f'<html><head><title>测试</title></head><body><ul>{menu}</ul><div class="footer">{blocks}</div></body></html>'
    started = time.process_time()
    got = extract_page(html)
    assert time.process_time() - started < 60
    assert got.body_method != "tuned" and len(got.text) > 1_000_000 and "栏目7" not in got.text

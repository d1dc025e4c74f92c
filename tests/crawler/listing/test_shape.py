"""URL shapes learned from a list's records: they admit the same family and keep list/pager pages out."""
from __future__ import annotations

import hashlib
import re
import uuid

import pytest

from crawler.listing.shape import learn_shape, shape_target


def admits(shape: str, url: str) -> bool:
    return re.match(shape, shape_target(url)) is not None


def test_trs_shape_admits_other_months_and_columns_not_pagers():
    page = "http://x.gov.cn/xxgk/tzgg/index.html"
    shape = learn_shape([f"http://x.gov.cn/xxgk/tzgg/2021{m:02d}/t2021{m:02d}1{m}_{61000 + m}.html"
                         for m in range(1, 10)], page)
    assert shape.startswith("^") and shape.endswith("$")
    assert admits(shape, "http://x.gov.cn/xxgk/tzgg/202203/t20220301_71234.html")
    assert admits(shape, "http://x.gov.cn/xxgk/zcwj/202203/t20220301_71234.html")   # sibling column
    for other in ("http://x.gov.cn/xxgk/tzgg/index_2.html", "http://x.gov.cn/xxgk/tzgg/index.html",
                  "http://x.gov.cn/xxgk/tzgg/202203/", "http://x.gov.cn/about.html"):
        assert not admits(shape, other), other


def test_jeecms_id_lengths_keep_topic_lists_out():
    urls = [f"http://x.cn/dfdt/{i}.html" for i in (12345, 12001, 11877, 9876, 10020, 10111, 12222, 12223, 972)]
    shape = learn_shape(urls, "http://x.cn/dfdt/index.html")
    assert admits(shape, "http://x.cn/zwdt/13001.html")
    assert not admits(shape, "http://x.cn/topic/3.html") and not admits(shape, "http://x.cn/topic/138.html")


def test_fixed_directory_tolerates_older_shorter_ids():
    urls = [f"http://h.cn/a/2020{m:02d}/26{m:05d}.html" for m in range(1, 9)]
    shape = learn_shape(urls, "http://h.cn/yydt/index.html")
    assert admits(shape, "http://h.cn/a/201504/755536.html")
    assert not admits(shape, "http://h.cn/yydt/2.html")


def test_uuid_and_query_shapes():
    uuids = [f"http://z.cn/z/031001/2021010{d}/{uuid.UUID(hashlib.md5(bytes([d])).hexdigest())}.html"
             for d in range(1, 7)]
    shape = learn_shape(uuids, "http://z.cn/z/031001/moreinfo.html")
    assert admits(shape, "http://z.cn/z/031001/20210301/ffa1b2c3-0a1b-4c5d-8e9f-0a1b2c3d4e5f.html")
    assert not admits(shape, "http://z.cn/z/031001/moreinfo.html")
    q = learn_shape([f"http://a.cn/News/Detail.aspx?id={i}" for i in (101, 205, 330, 999)], "http://a.cn/News/List.aspx")
    assert admits(q, "http://a.cn/News/Detail.aspx?id=1234")
    assert not admits(q, "http://a.cn/News/List.aspx?page=2")


def test_minority_family_does_not_widen_the_shape():
    urls = [f"http://s.cn/info/1030/{17800 + i}.html" for i in range(8)] + ["http://s.cn/xwgg/xxyw/sx.html"]
    shape = learn_shape(urls, "http://s.cn/xwgg/xxyw.html")
    assert admits(shape, "http://s.cn/info/1165/17826.html")
    assert not admits(shape, "http://s.cn/xwgg/xxyw/sz.html")


@pytest.mark.parametrize("n", [10_000, 100_000])
def test_shape_regex_is_linear_on_long_inputs(n):
    shape = learn_shape(["http://x.cn/a/1234.html", "http://x.cn/a/23456.html", "http://x.cn/a/7777.html"],
                        "http://x.cn/a/index.html")
    # digits then no extension: a backtracking regex would explode here
    assert re.match(shape, "/a/" + "1" * n + "x") is None


def test_distinctive_file_families_are_admitted_in_any_directory_bare_numbers_are_not():
    trs = learn_shape([f"http://c.cn/xxfb/tzgg/2021{m:02d}/t2021{m:02d}0{m}_{61000 + m * 7}.html" for m in range(1, 7)],
                      "http://c.cn/index.html")
    assert admits(trs, "http://c.cn/introcicpa/about/201407/t20140708_55731.html")
    assert not admits(trs, "http://c.cn/introcicpa/about/index_1.html")
    numbers = learn_shape([f"http://p.cn/dfdt/{i}.html" for i in (12345, 12001, 11877, 10020)],
                          "http://p.cn/index.html")
    assert admits(numbers, "http://p.cn/dfdt/13000.html")
    assert not admits(numbers, "http://p.cn/topic/sub/13000.html")


def test_column_paths_above_a_date_archive_vary_and_nest():
    shape = learn_shape([f"http://f.org.cn/tzgg/2016-06-{d:02d}/{600 + d * 3}.html" for d in range(1, 7)],
                        "http://f.org.cn/index.html")
    assert admits(shape, "http://f.org.cn/xwzx/2017-01-02/700.html")
    assert admits(shape, "http://f.org.cn/dh/jjh/2016-10-10/5320.html")
    assert not admits(shape, "http://f.org.cn/tzgg/index_2.html")
    assert not admits(shape, "http://f.org.cn/tzgg/2016-06-01/index.html")


def test_mixed_letter_digit_ids_become_one_class():
    ids = ["FK64UGAV0001899O", "FK64LO0U0001899O", "FK64HFMQ0001875O", "FK663A0T0001899N"]
    shape = learn_shape([f"https://news.163.com/20/0816/19/{i}.html" for i in ids], "https://news.163.com/latest/")
    assert admits(shape, "https://news.163.com/20/0817/08/FK7T5B6P00019B3E.html")
    assert not admits(shape, "https://news.163.com/20/0817/08/index.html")


def test_hash_bucket_directories_admit_hex_after_a_page_of_digits():
    """WebPlus files articles under two hash buckets (/13/b7/c24260a267191/page.htm): a page whose buckets
    happen to be all digits must not drop the next article, filed under /4a/, as out of shape."""
    buckets = [("13", "17"), ("20", "33"), ("91", "45"), ("08", "77"), ("55", "12")]
    urls = [f"http://f.edu.cn/{a}/{b}/c24260a{267100 + i}/page.htm" for i, (a, b) in enumerate(buckets)]
    shape = learn_shape(urls, "http://f.edu.cn/24260/list.htm")
    assert admits(shape, "http://f.edu.cn/4a/b7/c24260a267191/page.htm")
    assert admits(shape, "http://f.edu.cn/13/17/c24260a1000001/page.htm")       # the id grew a digit
    assert not admits(shape, "http://f.edu.cn/24260/list2.htm")
    assert not admits(shape, "http://f.edu.cn/xw/ab/c24260a267191/page.htm")


def test_hex_buckets_with_letters_do_not_split_the_records():
    """Records under /4a/ and /13/ are one family: neither may be dropped as a minority skeleton."""
    buckets = [("13", "17"), ("20", "33"), ("91", "45"), ("4a", "b7"), ("c0", "1f")]
    urls = [f"http://f.edu.cn/{a}/{b}/c24260a{267100 + i}/page.htm" for i, (a, b) in enumerate(buckets)]
    shape = learn_shape(urls, "http://f.edu.cn/24260/list.htm")
    assert admits(shape, "http://f.edu.cn/e9/0d/c24260a267300/page.htm")
    assert admits(shape, "http://f.edu.cn/77/60/c24260a267301/page.htm")


def test_articles_filed_by_date_under_the_column_include_an_e_papers_month_and_day_folders():
    from crawler.listing.shape import dated_in_column

    page = "http://epaper.example.cn/html/2023-02/10/node_2.htm"
    assert dated_in_column([f"http://epaper.example.cn/html/2023-02/10/content_54865{i}.htm" for i in range(4)], page)
    assert dated_in_column([f"http://x.cn/cpyfw/zszx/2014-10-{i + 10}/92{i}.html" for i in range(4)],
                           "http://x.cn/cpyfw/zszx/index.html")
    # a menu pointing at other columns carries no date
    assert not dated_in_column([f"http://epaper.example.cn/html/col{i}/index.htm" for i in range(4)], page)


def test_a_sub_column_under_the_lists_own_folder_varies():
    # /zlks/index.html lists items of six sub-columns; its first page happens to show only zbz/
    shape = learn_shape([f"http://m.kb.com/zlks/zbz/{n}.html" for n in (132, 131, 129, 128, 125, 120)],
                        "http://m.kb.com/zlks/index.html")
    assert admits(shape, "http://m.kb.com/zlks/ynz/118.html")
    assert not admits(shape, "http://m.kb.com/zlks/list_3.html") and not admits(shape, "http://m.kb.com/zlks/zbz/index.html")


@pytest.mark.parametrize("one,later,not_an_item", [
    ("http://x.gov.cn/tzgg/202105/t20210507_5007.html", "http://x.gov.cn/tzgg/202106/t20210601_6001.html",
     "http://x.gov.cn/tzgg/index_1.html"),
    ("http://x.cn/a/b/show.asp?id=1234", "http://x.cn/a/b/show.asp?id=1301", "http://x.cn/a/b/show.asp?page=2"),
    ("http://x.cn/art/2021/5/7/art_123_45678.html", "http://x.cn/art/2021/6/12/art_123_45911.html",
     "http://x.cn/col/col123/index.html"),
])
def test_a_shape_learned_from_one_item_admits_the_columns_next_ones(one, later, not_an_item):
    # a column of one item (short_lists.py): its ids and dates are the runs that will differ, not literals
    shape = learn_shape([one], "http://x.gov.cn/tzgg/index.html")
    assert admits(shape, one) and admits(shape, later)
    assert not admits(shape, not_an_item)

"""Pagers as sites write them: static links, TRS scripts, query pages, JEECMS .jhtml; POST pagers reported."""
from __future__ import annotations

from crawler.listing.links import page_links, parse_html
from crawler.listing.pagination import find_pagination


def pager(body: str, url: str):
    root = parse_html(f"<html><body>{body}</body></html>")
    return find_pagination(root, page_links(root, url), url)


def test_static_links_in_page_order_deduplicated_without_the_page_itself():
    p = pager("""<a href="index.html">首页</a> <a href="index.html">1</a> <a href="index_1.html">2</a>
                 <a href="index_2.html">3</a> <a href="index_1.html">下一页</a> <a href="index_9.html">尾页</a>
                 <a href="../other/index.html">其他栏目</a> <a href="/index.html">首页</a>""",
              "http://x.gov.cn/col/index.html")
    assert p.urls == ["http://x.gov.cn/col/index_1.html", "http://x.gov.cn/col/index_2.html",
                      "http://x.gov.cn/col/index_9.html"]
    assert p.kind == "links" and p.unsupported is None


def test_list_dash_n_numbered_files_and_back_to_the_first_page():
    p = pager('<a href="index.html">首页</a><a href="list-1.html">上一页</a><a href="list-3.html">下一页</a>',
              "http://s.edu.cn/html/917/list-2.html")
    assert p.urls == ["http://s.edu.cn/html/917/index.html", "http://s.edu.cn/html/917/list-1.html",
                      "http://s.edu.cn/html/917/list-3.html"]
    hosp = pager('<a href="2.html">2</a><a href="3.html">3</a><a href="2.html">下一页</a>', "http://h.cn/yydt/index.html")
    assert hosp.urls == ["http://h.cn/yydt/2.html", "http://h.cn/yydt/3.html"]


def test_vsb_pages_live_in_a_directory_named_after_the_column():
    first = pager('<a href="xxyw/2.html">2</a><a href="xxyw/2.html">下页</a><a href="xxyw/9.html">尾页</a>',
                  "http://u.cn/xwgg/xxyw.html")
    assert first.urls == ["http://u.cn/xwgg/xxyw/2.html", "http://u.cn/xwgg/xxyw/9.html"]
    later = pager('<a href="../xxyw.html">首页</a><a href="3.html">下页</a>', "http://u.cn/xwgg/xxyw/2.html")
    assert later.urls == ["http://u.cn/xwgg/xxyw.html", "http://u.cn/xwgg/xxyw/3.html"]
    # the first page itself in a folder named like the home page (/index/xwzx.htm): ../index.htm 首页 is the
    # site's home, not this column's first page
    home = pager('<a href="../index.htm">首页</a><a href="xwzx/32.htm">2</a><a href="xwzx/32.htm">下页</a>',
                 "http://u.cn/index/xwzx.htm")
    assert home.urls == ["http://u.cn/index/xwzx/32.htm"]


def test_query_pagers_change_only_the_page_parameter():
    p = pager("""<a href="list.aspx?cid=3&amp;page=2">2</a> <a href="list.aspx?cid=3&amp;page=3">下一页</a>
                 <a href="list.aspx?cid=4">通知公告</a> <a href="detail.aspx?id=77">2</a>""",
              "http://a.cn/news/list.aspx?cid=3")
    assert p.urls == ["http://a.cn/news/list.aspx?cid=3&page=2", "http://a.cn/news/list.aspx?cid=3&page=3"]
    assert p.kind == "query"


def test_jeecms_jhtml_onclick_pager():
    p = pager("""<a href="#" onclick="location.href=encodeURI('index.jhtml')">首页</a>
                 <a href="#" onclick="location.href=encodeURI('index_2.jhtml')">下一页</a>
                 <a href="#" onclick="location.href=encodeURI('index_28.jhtml')">尾页</a> 共632条记录 1/28页""",
              "http://p.cn/dfdt/index.html")
    assert p.urls == ["http://p.cn/dfdt/index.jhtml", "http://p.cn/dfdt/index_2.jhtml", "http://p.cn/dfdt/index_28.jhtml"]
    assert p.kind == "jhtml"


def test_trs_scripts_generate_the_pages():
    p = pager('<script>var countPage = 4;//共多少页\nvar currentPage = 0;\n'
              'createPageHTML(countPage, currentPage, "index", "shtml");</script>', "http://t.gov.cn/a/b/index.shtml")
    assert p.urls == [f"http://t.gov.cn/a/b/index_{i}.shtml" for i in (1, 2, 3)]
    assert p.kind == "createPageHTML"
    bare = pager("<script>var countPage = 3;</script>", "http://t.gov.cn/a/index.html")
    assert bare.urls == ["http://t.gov.cn/a/index_1.html", "http://t.gov.cn/a/index_2.html"]
    single = pager('<script>createPageHTML(1, 0, "index", "html");</script>', "http://t.gov.cn/a/index.html")
    assert single.urls == []


def test_a_trs_pager_called_with_variables_and_defined_inline_generates_the_pages():
    """www.gov.cn's lists define createPageHTML in the page and call it with four variables: the
    definition's parameters are not the pager, the variables' string values are its file name."""
    script = """<script>var nPageCount = 20; var nPageIndex = 0; var sPageName = "index"; var sPageExt = "htm";
      function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt) { if (_nPageCount <= 1) return; }
      createPageHTML(nPageCount, nPageIndex, sPageName, sPageExt);</script>"""
    p = pager(script, "http://www.example.gov.cn/yaowen/liebiao/index.htm")
    assert p.kind == "createPageHTML"
    assert p.urls == [f"http://www.example.gov.cn/yaowen/liebiao/index_{i}.htm" for i in range(1, 20)]
    assert pager(script.replace('var sPageExt = "htm";', ""), "http://www.example.gov.cn/a/index.htm").urls == []


def test_an_aspnet_pagers_next_control_is_named_for_the_crawl_to_post():
    aspnet = pager("""<a href="javascript:__doPostBack('ctl00$Main$AspNetPager1','2')">2</a>
                      <a href="javascript:__doPostBack('ctl00$Main$AspNetPager1','2')">下一页</a>""",
                   "http://a.cn/list.aspx")
    assert aspnet.urls == [] and aspnet.unsupported is None
    assert aspnet.postback == ("ctl00$Main$AspNetPager1", "2") and aspnet.kind == "postback"
    grid = pager("""<a href="javascript:__doPostBack(&#39;GridView1&#39;,&#39;Page$Next&#39;)">›</a>""",
                 "http://a.cn/list.aspx")
    assert grid.postback == ("GridView1", "Page$Next")
    # numbers only (the last page, or a pager without 下一页): nothing to post for, said so
    last = pager("""<a href="javascript:__doPostBack('AspNetPager1','1')">1</a><span>2</span>""", "http://a.cn/list.aspx")
    assert last.postback is None and "__doPostBack" in last.unsupported


def test_post_and_script_pagers_are_reported_not_followed():
    form = pager('<a href="javascript:goToPageURL(2)">下一页</a>', "http://j.cn/col1/articlecolumn.html")
    assert form.urls == [] and "goToPageURL" in form.unsupported
    script = pager('<a href="javascript:toPage(2)">2</a><a href="javascript:toPage(3)">下一页</a>', "http://f.cn/x.html")
    assert script.urls == [] and "toPage" in script.unsupported


def test_void_pager_links_are_nothing_to_follow():
    p = pager('<a href="javascript:;">上一页</a><a href="javascript:void(0)">下一页</a><a href="#">尾页</a>',
              "http://c.cn/djgz/djdt/index.html")
    assert p.urls == [] and p.unsupported is None and p.kind is None


def test_numbered_families_of_other_cmss():
    siteserver = pager('<a href="12_2.html">2</a><a href="12_3.html">3</a><a href="13.html">其他</a>',
                       "http://s.cn/channels/12.html")
    assert siteserver.urls == ["http://s.cn/channels/12_2.html", "http://s.cn/channels/12_3.html"]
    dede = pager('<a href="list_7_2.html">2</a><a href="list_7_2.html">下一页</a><a href="list_7_9.html">末页</a>',
                 "http://d.cn/news/index.html")
    assert dede.urls == ["http://d.cn/news/list_7_2.html", "http://d.cn/news/list_7_9.html"]
    labelled = pager('<a href="list.jsp?cid=3&amp;ipage=2">下一页</a><a href="list.jsp?cid=3&amp;ipage=7">7</a>',
                     "http://j.cn/list.jsp?cid=3")
    assert labelled.urls == ["http://j.cn/list.jsp?cid=3&ipage=2", "http://j.cn/list.jsp?cid=3&ipage=7"]


def test_sibling_channels_with_id_numbers_are_not_pages():
    p = pager('<a href="left_100187.jhtml">基金公告</a><a href="index_10022.jhtml">首页频道</a>'
              '<a href="javascript:void(0)" onclick="toPage(2);">下一页</a>', "http://h.cn/front/left_100186.jhtml")
    assert p.urls == [] and "toPage" in p.unsupported


def test_trs_later_page_links_back_to_the_first():
    p = pager('<script>createPageHTML(3, 2, "index", "html");</script>', "http://t.gov.cn/a/index_2.html")
    assert p.urls == ["http://t.gov.cn/a/index.html", "http://t.gov.cn/a/index_1.html"]


def test_trs_pager_variants():
    div_first = pager("<script>createPageHTML('page_div',4, 0,'index','shtml',92);</script>", "http://g.gov.cn/x/index.shtml")
    assert div_first.urls == [f"http://g.gov.cn/x/index_{i}.shtml" for i in (1, 2, 3)]
    obj = pager("<script>new Pager({size:3, current:0, prefix:'index', suffix:'html'});</script>", "http://g.gov.cn/y/")
    assert obj.urls == ["http://g.gov.cn/y/index_1.html", "http://g.gov.cn/y/index_2.html"] and obj.kind == "Pager"


def test_breadcrumb_home_is_not_the_first_page_of_a_column_page():
    """首页 is also "Home": from a column page not named index… it is the site home, not page 1."""
    body = """<div class="crumb">当前位置: <a href="index.htm">首页</a> &gt;&gt; <a href="tzgg.htm">通知公告</a></div>
              <div class="pager"><span>首页</span><span>上页</span><span>1</span><span>下页</span><span>尾页</span></div>"""
    p = pager(body, "http://y.edu.cn/tzgg.htm")
    assert p.urls == [] and p.kind is None
    # from a later page of an index family, 首页 → index.htm is page 1
    later = pager('<a href="index.htm">首页</a><a href="index_3.htm">下一页</a>', "http://y.edu.cn/col/index_2.htm")
    assert later.urls == ["http://y.edu.cn/col/index.htm", "http://y.edu.cn/col/index_3.htm"]


def test_a_channel_heading_named_like_a_page_is_not_a_page():
    body = """<h5><a href="index11.html" title="新闻资讯">新闻资讯</a></h5>
              <div><a href="index2.html">第2页</a> <a href="index3.html"><img src="next.gif"></a>
              <a href="index4.html">下一頁 »</a> <a href="index12.html">更多新闻</a></div>"""
    p = pager(body, "http://h.cn/xwzx/index.html")
    assert p.urls == ["http://h.cn/xwzx/index2.html", "http://h.cn/xwzx/index3.html", "http://h.cn/xwzx/index4.html"]


def test_rel_next_and_page_n_directories_of_pretty_url_engines():
    p = pager("""<nav><a class="page-number" href="/archives/page/3/">3</a>
                 <a class="extend next" rel="next" href="/archives/page/2/">Next »</a></nav>
                 <a href="/tags/page/2/">标签</a> <a rel="next" href="http://other.org/x/">elsewhere</a>""",
              "https://blog.example.org/archives/")
    assert p.urls == ["https://blog.example.org/archives/page/3/", "https://blog.example.org/archives/page/2/"]
    assert "rel-next" in p.kind
    later = pager('<a href="/archives/">1</a><a href="/archives/page/3/">3</a>',
                  "https://blog.example.org/archives/page/2/")
    assert later.urls == ["https://blog.example.org/archives/page/3/"]
    head = parse_html('<html><head><link rel="next" href="list_2.html"></head><body><p>x</p></body></html>')
    p = find_pagination(head, page_links(head, "http://n.gov.cn/col/list_1.html"), "http://n.gov.cn/col/list_1.html")
    assert p.urls == ["http://n.gov.cn/col/list_2.html"] and p.kind == "rel-next"


def test_pagers_rendered_by_script_are_reported_with_their_record_count():
    # TRS 动静结合 columns page through a search API (Fujian's portals); layui draws its pager from a count.
    trs = pager("""<script>var pageChnlInfo={quickMode:"动静结合", maxStaticIndex: 5, recordCount:'107', prepage:15}</script>
                   <script>require(['list2.trsapi'], function(listModel) { listModel({
                     listApi: { url: "/fjdzapp/search" }, pagebar: { recordCount: pageChnlInfo.recordCount }})})</script>""",
                "http://www.pt.gov.cn/zwgk/ghxx/gzjzqk/index.htm")
    assert trs.urls == [] and trs.unsupported.startswith("TRS list API pager") and "107 records" in trs.unsupported
    layui = pager("<script>laypage.render({elem: 'pager', count: 230, limit: 10, jump: function(obj){}});</script>",
                  "http://l.cn/news/list.html")
    assert layui.urls == [] and "laypage" in layui.unsupported and "230 records" in layui.unsupported
    # a page that also links its next pages is followed, not reported
    linked = pager("""<a href="index_1.htm">下一页</a><script>require(['list2.trsapi'], function(m){});</script>""",
                   "http://www.pt.gov.cn/zwgk/index.htm")
    assert linked.urls == ["http://www.pt.gov.cn/zwgk/index_1.htm"] and linked.unsupported is None


def test_hanwebs_newer_script_pager_is_reported():
    p = pager("""<script>var params = {current: 1, unitid: '380055', channelCode: ['col42150'], perPage: '15'};
                 loadPageData(params, '380055');</script>""", "http://sthjt.example.gov.cn/jx/col/col42150/index.html")
    assert p.urls == [] and p.unsupported.startswith("Hanweb loadPageData pager")


def test_a_script_pager_whose_handler_goes_to_a_page_number_is_followed():
    # Lonsun's Ls.pagination: location.href = '…?pageIndex=' + pageIndex, pageCount in its options
    script = """<div class="pagination" id="page_4697443">分页</div><script>
      Ls.pagination("#page_4697443", function (pageIndex) {
        location.href = 'https://x.gov.cn/content/column/4697443?pageIndex=' + pageIndex;
      }, { isTotal: true, total: 1969, currPage: (0+1), pageCount: 99, param: "pageSize=20" });</script>"""
    found = pager(script, "https://x.gov.cn/xxdt/tzgg/index.html")
    assert found.urls[:2] == ["https://x.gov.cn/content/column/4697443?pageIndex=2",
                              "https://x.gov.cn/content/column/4697443?pageIndex=3"]
    assert len(found.urls) == 98 and found.urls[-1].endswith("pageIndex=99")
    # another host, or a parameter that is no page's, is not followed
    elsewhere = pager(script.replace("https://x.gov.cn/content", "https://evil.example/content"),
                      "https://x.gov.cn/xxdt/tzgg/index.html")
    assert elsewhere.urls == []
    not_a_page = pager(script.replace("pageIndex=' +", "columnId=' +"), "https://x.gov.cn/xxdt/tzgg/index.html")
    assert not_a_page.urls == []


def test_a_page_jump_drop_down_offers_the_pages_its_links_do_not():
    """DedeCMS's sldd drop-down (and old ASP lists'): the links show pages 2, 3 and the last; the
    drop-down every page. A drop-down whose handler builds the URL from a page number (icama's
    'index_'+this.value+'.jhtml') and one of other sites (友情链接) are not pagers of this column."""
    dede = ("<ul class='pagelist'><li><a href='list_5_2.html'>2</a></li><li><a href='list_5_3.html'>3</a></li>"
            "<li><a href='list_5_2.html'>下一页</a></li><li><a href='list_5_6.html'>末页</a></li>"
            "<li><select name='sldd' onchange='location.href=this.options[this.selectedIndex].value;'>"
            + "".join(f"<option value='list_5_{n}.html'>{n}</option>" for n in range(1, 7)) + "</select></li></ul>")
    p = pager(dede, "http://www.x.com/a/news/list_5_1.html")
    assert [u.rsplit("/", 1)[1] for u in p.urls] == [f"list_5_{n}.html" for n in (2, 3, 6, 4, 5)]
    assert p.kind == "links+select"
    computed = ("<select onchange=\"location.href=encodeURI('index_'+this.value+'.jhtml')\">"
                "<option value='1'>1</option><option value='2'>2</option></select>")
    friends = ("<select onchange='window.open(this.value)'><option value='http://www.gov.cn/'>中国政府网</option>"
               "<option value='http://www.hunan.gov.cn/'>湖南省人民政府</option></select>")
    assert pager(computed + friends, "http://x.gov.cn/dfdt/index.jhtml").urls == []
    spaced = ("<select onchange='self.location.href=this.options[this.selectedIndex].value'>"
              "<option value='/zgdw/index.html'>第 1 页</option><option value='/zgdw/index_2.html'>第 2 页</option></select>")
    assert pager(spaced, "http://x.org.cn/zgdw/index.html").urls == ["http://x.org.cn/zgdw/index_2.html"]

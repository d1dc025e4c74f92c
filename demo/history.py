"""A second day on the demo site: what the change monitor is for, in one call.

`govwatch demo` crawls the site, calls `play_second_day(site)`, and crawls again; the second
crawl then finds one of each thing the monitor reports, and one thing it must not report.
The choices are deterministic (the same articles of the default corpus every time).
"""

from __future__ import annotations

from typing import Any

from demo.server import DemoSite

# The edit: a phrase of the gov article's body replaced by a correction.
EDIT_OLD, EDIT_NEW = "乡村振兴", "乡村全面振兴"


def play_second_day(site: DemoSite) -> dict[str, Any]:
    """Change the site as a day would: returns {what: article path} for each change made.

    - new: a gov notice and a news story are published;
    - edited: a gov article gets a reworded phrase (a "changed" event with a character diff);
    - republished_only: a gov article is re-rendered with a new sidebar and counter but the
      same content (new ETag, so it is downloaded again; must raise nothing);
    - redated: a gov notice's 发文日期 moves a day (a "changed" event on the date alone);
    - withdrawn: a news story answers 404; withdrawn_by_redirect: another redirects to the
      news home page (both "withdrawn");
    - copied: the mirror copies the new gov notice verbatim (a "republished" event);
    - attachment_replaced: a gov notice's first attachment gets new bytes under the same URL and
      an unchanged page ("附件已更新": a "changed" event naming the attachment).
    """
    gov = [a for a in site.catalogue() if a["source"] == "gov"]
    news = [a for a in site.catalogue() if a["source"] == "news"]
    copied = {a["copy_of"] for a in site.catalogue() if a["copy_of"]}
    editable = [a for a in gov if EDIT_OLD in a["text"] and EDIT_OLD not in a["title"] and a["path"] not in copied]
    edited = editable[0]
    others = [a for a in gov if a["path"] != edited["path"] and a["path"] not in copied]
    redated, rerendered = others[0], others[1]
    gone, redirected = [a for a in news if a["path"] not in copied][:2]

    notice = site.publish("gov", title="关于做好第二天防汛备汛工作的通知",
                          paragraphs=["各县区乡村振兴局，市直有关单位：",
                                      "为切实做好今年防汛备汛工作，确保人民群众生命财产安全，现将有关事项通知如下。",
                                      "一、加强组织领导，压实工作责任，各地要把防汛备汛工作摆在突出位置。",
                                      "二、强化隐患排查，对重点区域逐一建立台账，落实整改措施。",
                                      "三、做好应急值守，严格执行二十四小时值班和领导带班制度。"])
    story = site.publish("news")
    site.edit(edited["path"], replace=(EDIT_OLD, EDIT_NEW))
    site.edit(rerendered["path"])
    day = redated["date"]
    site.edit(redated["path"], date=day[:-2] + f"{int(day[-2:]) % 28 + 1:02d}")
    site.withdraw(gone["path"])
    site.withdraw(redirected["path"], status=302)
    copy = site.publish("mirror", copy_of=notice.path)
    with_files = [a for a in gov if a["attachments"] and a["path"] not in (edited["path"], redated["path"], rerendered["path"])]
    replaced = with_files[0]["attachments"][0]
    site.state.replace_attachment(replaced)
    return {
        "new": [notice.path, story.path, copy.path],
        "edited": edited["path"],
        "republished_only": rerendered["path"],
        "redated": redated["path"],
        "withdrawn": gone["path"],
        "withdrawn_by_redirect": redirected["path"],
        "copied": {"copy": copy.path, "original": notice.path},
        "attachment_replaced": {"article": with_files[0]["path"], "attachment": replaced},
    }

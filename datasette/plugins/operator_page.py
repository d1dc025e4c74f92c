"""The operator page: /-/operator lists sources with schedule, next and last run, health,
and lets a signed-in operator change a schedule, pause, resume or run a source now.

Reads go through the `operator_sources` SQL view. Changes are made by running the same
`govwatch sources …` command an operator would type, so validation and messages are the
CLI's and Datasette itself never writes SQL. Only actors allowed the `govwatch-operate`
permission (by default the `operator` actor that datasette-auth-passwords signs in) may
change anything; everyone else gets the page read-only.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from datasette.utils.asgi import Response

from datasette import hookimpl

ACTION = "govwatch-operate"
DATABASE = "govwatch"
CHANGES = {"schedule", "pause", "resume", "run"}
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@hookimpl
def permission_allowed(datasette, actor, action):
    if action != ACTION:
        return None
    operators = (datasette.plugin_config("govwatch-operator") or {}).get("operators", ["operator"])
    return bool(actor and actor.get("id") in operators)


@hookimpl
def register_routes():
    return [
        (r"^/-/operator$", operator_page),
        (r"^/-/operator/(?P<name>[a-z0-9_-]+)/(?P<change>schedule|pause|resume|run)$", operator_change),
    ]


@hookimpl
def menu_links(datasette, actor):
    return [{"href": datasette.urls.path("/-/operator"), "label": "Sources (operator)"}]


async def operator_page(datasette, request):
    db = datasette.get_database(DATABASE)
    rows = [dict(r) for r in (await db.execute("select * from operator_sources")).rows]
    can_change = await datasette.permission_allowed(request.actor, ACTION, default=False)
    return Response.html(await datasette.render_template(
        "operator.html",
        {"sources": rows, "can_change": can_change, "actor": request.actor,
         "message": request.args.get("message"), "error": request.args.get("error")},
        request=request,
    ))


async def operator_change(datasette, request):
    if request.method != "POST":
        return Response.text("use the form on /-/operator", status=405)
    if not await datasette.permission_allowed(request.actor, ACTION, default=False):
        return Response.text("only a signed-in operator can change sources", status=403)
    name, change = request.url_vars["name"], request.url_vars["change"]
    form = await request.post_vars()
    args = ["sources", change]
    if change == "schedule":
        args += [name, (form.get("spec") or "").strip()]
    else:
        args += [name]
    db_path = datasette.get_database(DATABASE).path
    code, out, err = await _govwatch(*args, "--db", db_path)
    outcome = ("message", out.strip()) if code == 0 else ("error", err.strip().removeprefix("Error: "))
    return Response.redirect(datasette.urls.path("/-/operator") + "?" + _query({outcome[0]: outcome[1]}))


async def _govwatch(*args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "monitor", *args, cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    return process.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def _query(values: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(values)

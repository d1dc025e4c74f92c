"""The operator page: /-/operator lists sources with schedule, next and last run, health,
and lets a signed-in operator change a schedule, pause, resume or run a source now.

Reads go through the `operator_sources` SQL view; health is computed by `storage.health`,
the same function `govwatch sources list` and the digest use (the view's snapshot column,
written only by `govwatch run`, said "ok" for a source whose last run had failed). The page
says whether the scheduler is running, and shows times in Beijing time. Changes are made by running the same
`govwatch sources …` command an operator would type, so validation and messages are the
CLI's and Datasette itself never writes SQL. Only actors allowed the `govwatch-operate`
permission (by default the `operator` actor that datasette-auth-passwords signs in) may
change anything; everyone else gets the page read-only.

Hostile input this holds against (issue 19): a source name is checked against the config's
rule (storage/source_names.py) in the route itself and passed after `--`, so it can never be
read as an option; a command that crashes shows one line, never its traceback; the banner
after a change shows only a message this server signed, so a link cannot make the page say
anything (`?error=<text of the attacker's choice>` is ignored).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from urllib.parse import urlencode

import sqlite_utils
from datasette.utils.asgi import Response
from itsdangerous import BadSignature

from datasette import hookimpl
from storage.control import running_service
from storage.health import health_status, source_health
from storage.source_names import SOURCE_NAME_PATTERN

ACTION = "govwatch-operate"
CHANGES = {"schedule", "pause", "resume", "run"}
PROJECT_ROOT = Path(__file__).resolve().parents[2]
OUTCOME_NAMESPACE = "govwatch-operator-outcome"
MAX_SPEC_CHARS = 200
USER_ERROR_EXIT = 2  # the CLI's exit status for a problem the user can fix (one line on stderr)


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
        (rf"^/-/operator/(?P<name>{SOURCE_NAME_PATTERN})/(?P<change>schedule|pause|resume|run)$", operator_change),
        # anything else under /-/operator/ is a clear 404 (Datasette would read it as a row URL
        # of a database named "-" and fail with a 500)
        (r"^/-/operator/(?P<rest>.*)$", not_a_change),
    ]


@hookimpl
def menu_links(datasette, actor):
    return [{"href": datasette.urls.path("/-/operator"), "label": "Sources (operator)"}]


async def operator_page(datasette, request):
    db = datasette.get_database()  # the one store served, whatever its file is called
    rows, service = await db.execute_fn(_overview)
    can_change = await datasette.permission_allowed(request.actor, ACTION, default=False)
    outcome = _read_outcome(datasette, request.args.get("outcome"))
    return Response.html(await datasette.render_template(
        "operator.html",
        {"sources": rows, "can_change": can_change, "actor": request.actor, "database": db.name,
         "service": service, "sign_in_ready": sign_in_ready(datasette),
         "message": outcome.get("message"), "error": outcome.get("error")},
        request=request,
    ))


def _overview(conn) -> tuple[list[dict], dict | None]:
    """The view's rows with each source's health from storage.health, and the live scheduler."""
    store = sqlite_utils.Database(conn)
    service = running_service(store)
    rows = []
    for row in store.query("select * from operator_sources"):
        flags = source_health(store, row["name"])
        rows.append({**row, "health": [f"{f.problem}: {f.detail}" for f in flags], "status": health_status(flags),
                     "next_run_at": row["next_run_at"] if service else None})
    return rows, service


def sign_in_ready(datasette) -> bool:
    """Whether anyone can sign in: datasette-auth-passwords has at least one password hash."""
    config = datasette.plugin_config("datasette-auth-passwords") or {}
    return any(value for key, value in config.items() if key.endswith("_password_hash"))


async def not_a_change(request):
    return Response.text("not a source change: /-/operator/<source name>/(schedule|pause|resume|run)", status=404)


async def operator_change(datasette, request):
    if request.method != "POST":
        return Response.text("use the form on /-/operator", status=405)
    if not await datasette.permission_allowed(request.actor, ACTION, default=False):
        return Response.text("only a signed-in operator can change sources", status=403)
    name, change = request.url_vars["name"], request.url_vars["change"]
    form = await request.post_vars()
    values = [name]
    if change == "schedule":
        spec = (form.get("spec") or "").strip()
        if len(spec) > MAX_SPEC_CHARS or "\n" in spec:
            return _redirect_with(datasette, "error", f"schedule for {name} refused: not a schedule (one short line)")
        values.append(spec)
    # "--" ends the options: whatever the values hold, the CLI reads them as values.
    code, out, err = await _govwatch("sources", change, "--db", datasette.get_database().path, "--", *values)
    if code == 0:
        return _redirect_with(datasette, "message", out.strip())
    if code == USER_ERROR_EXIT:
        return _redirect_with(datasette, "error", err.strip().removeprefix("Error: "))
    sys.stderr.write(f"govwatch sources {change} {name} failed with exit {code}:\n{err}\n")  # for the server log
    return _redirect_with(datasette, "error", f"{change} {name} failed unexpectedly (exit {code}); "
                                               "the server log has the details")


def _redirect_with(datasette, kind: str, text: str) -> Response:
    """Back to the page with an outcome this server signed: only it can put words in the banner."""
    signed = datasette.sign({"kind": kind, "text": text}, OUTCOME_NAMESPACE)
    return Response.redirect(datasette.urls.path("/-/operator") + "?" + urlencode({"outcome": signed}))


def _read_outcome(datasette, signed: str | None) -> dict[str, str]:
    if not signed:
        return {}
    try:
        outcome = datasette.unsign(signed, OUTCOME_NAMESPACE)
    except BadSignature:
        return {}
    return {outcome["kind"]: outcome["text"]} if outcome.get("kind") in ("message", "error") else {}


async def _govwatch(*args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "monitor", *args, cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    return process.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")

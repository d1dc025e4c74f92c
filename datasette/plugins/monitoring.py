"""What standard monitoring scrapes: `/-/healthz` (is govwatch working?) and `/-/metrics`
(Prometheus text format: runs, pages, errors, last success per source).

Both read only through SQL views of the store (storage/schema.py m010): `service_liveness`
says whether the `govwatch run` service beats (the same view `govwatch sources run` asks),
`source_metrics` sums the runs table and carries the health flags the service computed after
its last run (monitor/health.py is the one place that computes health; nothing is re-derived
here). A source's flags never make /-/healthz fail: a site that is down is news for the
operator page, not a reason for an orchestrator to restart govwatch.

/-/healthz answers 200 when the database answers and a service is alive, 503 otherwise, with
a JSON body that says which. The exposition format is written here by hand (about twenty
lines): prometheus_client's registry describes the process it runs in, while these figures are
rows of the database, and its text format is all that is needed from it.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from datasette.utils.asgi import Response

from datasette import hookimpl

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# (metric, type, help, column of source_metrics)
SOURCE_METRICS = (
    ("govwatch_runs_total", "counter", "Crawl runs started, by source.", "runs"),
    ("govwatch_runs_running", "gauge", "Crawl runs in progress, by source.", "running"),
    ("govwatch_pages_fetched_total", "counter", "Pages fetched by all runs, by source.", "pages_fetched"),
    ("govwatch_bytes_downloaded_total", "counter", "Bytes downloaded by all runs, by source.", "bytes_downloaded"),
    ("govwatch_errors_total", "counter", "Fetch errors recorded by all runs, by source.", "errors"),
    ("govwatch_last_success_timestamp_seconds", "gauge", "End of the source's last run with status ok.",
     "last_success_at"),
    ("govwatch_last_run_timestamp_seconds", "gauge", "Start of the source's last run.", "last_run_at"),
)


@hookimpl
def register_routes():
    return [(r"^/-/healthz$", healthz), (r"^/-/metrics$", metrics)]


async def healthz(datasette) -> Response:
    db = datasette.get_database()
    report: dict[str, Any] = {"database": db.name}
    try:
        service = (await db.execute("select * from service_liveness order by id desc limit 1")).rows
        flagged = (await db.execute(
            "select source, health_flags from source_metrics where enabled and not paused and health_flags != ''")).rows
    except sqlite3.Error as exc:
        report.update(status="down", problem=f"database: {exc}")
        return Response.json(report, status=503)
    last = dict(service[0]) if service else None
    report["service"] = {"alive": bool(last and last["alive"]), "pid": last and last["pid"],
                         "host": last and last["host"], "beat_at": last and last["beat_at"]}
    report["sources_flagged"] = {row["source"]: row["health_flags"] for row in flagged}
    alive = report["service"]["alive"]
    report["status"] = "ok" if alive else "down"
    if not alive:
        report["problem"] = "no `govwatch run` service has beaten in the last 30 s"
    return Response.json(report, status=200 if alive else 503)


async def metrics(datasette) -> Response:
    db = datasette.get_database()
    try:
        sources = [dict(r) for r in (await db.execute("select * from source_metrics")).rows]
        service = (await db.execute("select alive, beat_at from service_liveness order by id desc limit 1")).rows
        articles = (await db.execute(
            "select source, status, count(*) as n from articles group by source, status")).rows
        events = (await db.execute("select source, kind, count(*) as n from events group by source, kind")).rows
        outcomes = (await db.execute(
            "select source, status, count(*) as n from crawl_runs group by source, status")).rows
    except sqlite3.Error as exc:
        return Response(f"# database unreadable: {_one_line(str(exc))}\ngovwatch_up 0\n", status=503,
                        content_type=CONTENT_TYPE)
    lines = _family("govwatch_up", "gauge", "1 when the database answered this scrape.", [({}, 1)])
    alive = bool(service and service[0]["alive"])
    lines += _family("govwatch_service_up", "gauge", "1 when a `govwatch run` service beat in the last 30 s.",
                     [({}, int(alive))])
    if service and service[0]["beat_at"]:
        lines += _family("govwatch_service_heartbeat_timestamp_seconds", "gauge", "The service's last heartbeat.",
                         [({}, _epoch(service[0]["beat_at"]))])
    for name, kind, text, column in SOURCE_METRICS:
        samples = [({"source": s["source"]}, _epoch(s[column]) if column.endswith("_at") else s[column])
                   for s in sources]
        lines += _family(name, kind, text, [(labels, v) for labels, v in samples if v is not None])
    # Every status (ok, degraded, failed, killed, stopped…): `last_success` is the last clean run,
    # and an alert on "degraded for a day" needs the degraded runs counted, not hidden.
    lines += _family("govwatch_runs_by_status_total", "counter", "Crawl runs, by source and status.",
                     [({"source": r["source"], "status": r["status"]}, r["n"]) for r in outcomes])
    lines += _family("govwatch_source_healthy", "gauge",
                     "0 when the service's last health check flagged the source (see /-/operator).",
                     [({"source": s["source"]}, int(not s["health_flags"])) for s in sources
                      if s["health_flags"] is not None])
    lines += _family("govwatch_articles", "gauge", "Articles held, by source and status.",
                     [({"source": r["source"], "status": r["status"]}, r["n"]) for r in articles])
    lines += _family("govwatch_events_total", "counter", "Change events recorded, by source and kind.",
                     [({"source": r["source"], "kind": r["kind"]}, r["n"]) for r in events])
    return Response("\n".join(lines) + "\n", content_type=CONTENT_TYPE)


def _family(name: str, kind: str, text: str, samples: list[tuple[dict[str, Any], float | int]]) -> list[str]:
    lines = [f"# HELP {name} {text}", f"# TYPE {name} {kind}"]
    for labels, value in samples:
        label_text = ",".join(f'{key}="{_label(val)}"' for key, val in labels.items())
        lines.append(f"{name}{{{label_text}}} {value}" if labels else f"{name} {value}")
    return lines


def _label(value: Any) -> str:
    """A label value as the exposition format requires: backslash, quote and newline escaped."""
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _one_line(text: str) -> str:
    return json.dumps(text)[1:-1]


def _epoch(iso: str | None) -> int | None:
    if not iso:
        return None
    try:
        return int(datetime.fromisoformat(iso).timestamp())
    except ValueError:
        return None

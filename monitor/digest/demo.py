"""The demo's digest: what `govwatch demo` shows a monitoring officer after its crawl."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor.digest.contents import build_digest, site_root
from monitor.digest.delivery import RenderedDigest, write_documents
from monitor.digest.period import range_period
from monitor.digest.subscriptions import load_subscriptions
from monitor.locations import PROJECT_ROOT
from storage import open_db

DEMO_SUBSCRIPTIONS = PROJECT_ROOT / "subscriptions.yaml"


def demo_digest(db_path: str | Path, *, config_path: str | Path = DEMO_SUBSCRIPTIONS,
                out: str | Path | None = None, datasette_url: str | None = None) -> Path:
    """Write every subscription's digest of the last 24 hours; return the first one's HTML file.

    The demo crawl has just happened, so "yesterday" would be empty: the last 24 hours hold
    it. Files go to `out`, by default a `digests/` folder beside the database (data/digests/
    for data/govwatch.db, where the shipped subscriptions' file drop also writes); nothing
    is mailed and nothing is logged as sent. `datasette_url` overrides the file's, for a
    demo served on another port.
    """
    settings = load_subscriptions(config_path)
    if datasette_url:
        old_site = site_root(settings.datasette_url)
        settings.datasette_url = datasette_url.rstrip("/")
        if settings.digest_url and settings.digest_url.startswith(old_site):  # served by the same site
            settings.digest_url = site_root(settings.datasette_url) + settings.digest_url[len(old_site):]
    folder = Path(out) if out else Path(db_path).parent / "digests"
    now = datetime.now(UTC).replace(microsecond=0)
    period = range_period(now - timedelta(hours=24), now + timedelta(seconds=1), settings.timezone)
    db = open_db(db_path)
    written: list[Path] = []
    try:
        for subscription in settings.subscriptions:
            if "html" not in subscription.formats:
                subscription = subscription.model_copy(update={"formats": ["html", *subscription.formats]})
            written += write_documents(RenderedDigest(build_digest(db, period, subscription, settings)), folder)
    finally:
        db.close()
    html = [p for p in written if p.suffix == ".html"]
    if not html:
        raise ValueError(f"{config_path}: no subscriptions to build a demo digest for")
    return html[0]

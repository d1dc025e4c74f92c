"""Source health lives in storage/health.py, so the operator page (which may not import
monitor/) computes the same answer as the CLI, the service and the digest."""

from storage.health import (  # noqa: F401 — re-exported for monitor/ callers
    FEWER_SHARE,
    MIN_HISTORY,
    SILENCE_FACTOR,
    HealthFlag,
    all_source_health,
    articles_seen,
    health_status,
    run_reason,
    source_health,
)

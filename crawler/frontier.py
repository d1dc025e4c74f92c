"""The shared Redis frontier of distributed crawling: key layout, atomic scripts, serialisation.

Both sides use this module: the scheduler side (`monitor.distributed`: enqueue a run, write
the store, close runs) and the worker side (`crawler.distributed`: Scrapy's scheduler and
pipelines). It imports redis but not Scrapy, so the monitor can enqueue without loading the
crawler.

Every state change that must not be split by a crash is one Lua script, run atomically by
Redis: "seen + queued + counted" for a new request, "popped + leased" for a worker taking
one, "lease released + counted down (+ run end)" when a request is finished. The scripts
touch keys they compute from run ids, so they need a single Redis server (or a primary with
replicas/Sentinel), not Redis Cluster.

Keys, under a prefix (default "govwatch"):

    {p}:ring                    LIST   runs with work, rotated on every pop (round robin)
    {p}:deadlines               ZSET   run → time limit (epoch s); the store writer enforces it
    {p}:run:{id}:context        STRING the run's source config and recheck state (JSON); its
                                       absence means "closed": late requests are dropped
    {p}:run:{id}:frontier       ZSET   serialised requests by -priority, then first in first out
    {p}:run:{id}:seq            STRING the order of arrival, for the above
    {p}:run:{id}:seen           SET    request fingerprints (the run's duplicate filter)
    {p}:run:{id}:pending        STRING requests queued or in flight; 0 → the crawl ended
    {p}:run:{id}:stats          HASH   pages, bytes
    {p}:source:{name}:run       STRING the source's run in progress (one at a time)
    {p}:workers                 HASH   worker id → description
    {p}:worker:{id}:alive       STRING heartbeat, expires after the lease TTL
    {p}:worker:{id}:leases      HASH   "run:seq" → serialised request, while it is in flight
    {p}:lease_seq               STRING lease counter
    {p}:requeued                STRING requests handed back from dead workers, ever (for operators)
    {p}:items                   STREAM pages and outcomes for the store writer (group "writers")
    {p}:writer                  STRING the one store writer's lock

Per-run keys expire with the run's context (time limit + a margin), so a run nobody closes
cannot pin memory, and a re-crawl starts with an empty duplicate filter.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

import redis

DEFAULT_PREFIX = "govwatch"
STREAM_GROUP = "writers"
SEED_URL = "data:,govwatch-seed"


@dataclass(frozen=True)
class Keys:
    """Names of the Redis keys under one prefix."""

    prefix: str = DEFAULT_PREFIX

    @property
    def ring(self) -> str:
        return f"{self.prefix}:ring"

    @property
    def deadlines(self) -> str:
        return f"{self.prefix}:deadlines"

    @property
    def workers(self) -> str:
        return f"{self.prefix}:workers"

    @property
    def items(self) -> str:
        return f"{self.prefix}:items"

    @property
    def writer_lock(self) -> str:
        return f"{self.prefix}:writer"

    def run(self, run_id: int | str, part: str) -> str:
        return f"{self.prefix}:run:{run_id}:{part}"

    def source_run(self, source: str) -> str:
        return f"{self.prefix}:source:{source}:run"

    def alive(self, worker: str) -> str:
        return f"{self.prefix}:worker:{worker}:alive"

    def leases(self, worker: str) -> str:
        return f"{self.prefix}:worker:{worker}:leases"

    def run_parts(self, run_id: int | str) -> list[str]:
        return [self.run(run_id, part) for part in ("context", "frontier", "seen", "pending", "stats", "seq")]


# Counting a request down; at zero the run's end goes into the item stream, *after* every item
# the run's workers pushed (each worker pushes a request's items before finishing it).
_COUNT_DOWN = """
local function count_down(p, run)
  local base = p .. ':run:' .. run
  if redis.call('EXISTS', base .. ':context') == 0 then return -2 end
  local left = redis.call('DECR', base .. ':pending')
  if left <= 0 then
    redis.call('XADD', p .. ':items', '*', 'kind', 'run_end', 'run', run)
  end
  return left
end
"""

# ARGV: prefix, run, fingerprint, blob, -priority, dont_filter (1/0), parent lease field, leases key
ENQUEUE = _COUNT_DOWN + """
local p, run = ARGV[1], ARGV[2]
local base = p .. ':run:' .. run
local released = 0
if ARGV[7] ~= '' then released = redis.call('HDEL', ARGV[8], ARGV[7]) end
if redis.call('EXISTS', base .. ':context') == 0 then return -1 end
local ttl = redis.call('TTL', base .. ':context')
if ARGV[6] ~= '1' then
  if redis.call('SADD', base .. ':seen', ARGV[3]) == 0 then
    if released == 1 then count_down(p, run) end
    return 0
  end
  if ttl > 0 and redis.call('TTL', base .. ':seen') == -1 then redis.call('EXPIRE', base .. ':seen', ttl) end
end
-- Same priority: first in, first out (a bare ZSET would order equal scores by the bytes).
local score = tonumber(ARGV[5]) * 4294967296 + redis.call('INCR', base .. ':seq')
if ttl > 0 and redis.call('TTL', base .. ':seq') == -1 then redis.call('EXPIRE', base .. ':seq', ttl) end
redis.call('ZADD', base .. ':frontier', score, ARGV[4])
if ttl > 0 and redis.call('TTL', base .. ':frontier') == -1 then redis.call('EXPIRE', base .. ':frontier', ttl) end
if released == 0 then redis.call('INCR', base .. ':pending') end
return 1
"""

# KEYS: ring, this worker's leases. ARGV: prefix. Returns {lease field, blob} or nil.
POP = """
local ring, leases, p = KEYS[1], KEYS[2], ARGV[1]
local n = redis.call('LLEN', ring)
for i = 1, n do
  local run = redis.call('LMOVE', ring, ring, 'LEFT', 'RIGHT')
  if not run then return nil end
  local got = redis.call('ZPOPMIN', p .. ':run:' .. run .. ':frontier')
  if got[1] then
    local field = run .. ':' .. redis.call('INCR', p .. ':lease_seq')
    redis.call('HSET', leases, field, got[1])
    return {field, got[1]}
  end
end
return nil
"""

# ARGV: prefix, run, lease field, leases key, pages, bytes
FINISH = _COUNT_DOWN + """
local p, run = ARGV[1], ARGV[2]
if redis.call('HDEL', ARGV[4], ARGV[3]) == 0 then return -3 end
local base = p .. ':run:' .. run
if redis.call('EXISTS', base .. ':context') == 1 then
  redis.call('HINCRBY', base .. ':stats', 'pages', ARGV[5])
  redis.call('HINCRBY', base .. ':stats', 'bytes', ARGV[6])
end
return count_down(p, run)
"""

# ARGV: prefix, worker to release regardless of its heartbeat ('' = only dead ones).
# A dead worker's leased requests go back to their run's frontier; their count is unchanged
# (they were never finished), so the run cannot end while they are outstanding.
REQUEUE = """
local p, force = ARGV[1], ARGV[2]
local workers = redis.call('HKEYS', p .. ':workers')
if force ~= '' then workers = {force} end
local moved = 0
for _, w in ipairs(workers) do
  if w == force or redis.call('EXISTS', p .. ':worker:' .. w .. ':alive') == 0 then
    local leases = p .. ':worker:' .. w .. ':leases'
    local all = redis.call('HGETALL', leases)
    for i = 1, #all, 2 do
      local run = string.match(all[i], '^([^:]+):')
      local base = p .. ':run:' .. run
      if redis.call('EXISTS', base .. ':context') == 1 then
        redis.call('ZADD', base .. ':frontier', 0, all[i + 1])
        moved = moved + 1
      end
    end
    redis.call('DEL', leases)
    redis.call('HDEL', p .. ':workers', w)
  end
end
if moved > 0 then redis.call('INCRBY', p .. ':requeued', moved) end
return moved
"""


class Frontier:
    """The scripts above, bound to one Redis connection and prefix."""

    def __init__(self, server: redis.Redis, prefix: str = DEFAULT_PREFIX) -> None:
        self.server = server
        self.keys = Keys(prefix)
        self._enqueue = server.register_script(ENQUEUE)
        self._pop = server.register_script(POP)
        self._finish = server.register_script(FINISH)
        self._requeue = server.register_script(REQUEUE)

    def enqueue(self, run_id: int, fingerprint: str, blob: bytes, score: float, *, dont_filter: bool = False,
                parent_lease: str | None = None, worker: str = "") -> int:
        """Queue a request of a run: 1 queued, 0 duplicate, -1 run closed.

        `parent_lease` is the lease of the request this one continues (a retry or a redirect
        made by a downloader middleware): the new request takes over its count.
        """
        args = [self.keys.prefix, run_id, fingerprint, blob, score, int(dont_filter), parent_lease or "",
                self.keys.leases(worker) if worker else ""]
        return int(self._enqueue(keys=[], args=args))

    def pop(self, worker: str) -> tuple[str, bytes] | None:
        """Lease the next request of the next run in the ring, or None."""
        got = self._pop(keys=[self.keys.ring, self.keys.leases(worker)], args=[self.keys.prefix])
        if not got:
            return None
        field, blob = got
        return (field.decode() if isinstance(field, bytes) else field), blob

    def finish(self, worker: str, lease: str, pages: int = 1, size: int = 0) -> int:
        """Release a finished request's lease; returns the run's outstanding count (<0: not ours)."""
        run_id = lease.split(":", 1)[0]
        return int(self._finish(keys=[], args=[self.keys.prefix, run_id, lease, self.keys.leases(worker), pages, size]))

    def requeue_dead(self, worker: str | None = None) -> int:
        """Put the leases of dead workers (or of `worker`, leaving) back; returns how many."""
        return int(self._requeue(keys=[], args=[self.keys.prefix, worker or ""]))

    def register_worker(self, worker: str, description: str, ttl_s: float) -> None:
        with self.server.pipeline() as pipe:
            pipe.hset(self.keys.workers, worker, description)
            pipe.set(self.keys.alive(worker), "1", px=int(ttl_s * 1000))
            pipe.execute()

    def heartbeat(self, worker: str, ttl_s: float) -> None:
        self.server.set(self.keys.alive(worker), "1", px=int(ttl_s * 1000))

    def context(self, run_id: int | str) -> dict[str, Any] | None:
        raw = self.server.get(self.keys.run(run_id, "context"))
        return json.loads(raw) if raw else None


# --- serialisation: JSON, not pickle -----------------------------------------------------
# Requests and items cross machines through Redis; unpickling what is read from a shared
# server would run whatever anyone with access to it wrote. Bytes and non-string dict keys
# (Scrapy's headers are bytes → [bytes]) are tagged.

def _tag(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"$b": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {k: _tag(v) for k, v in value.items()}
        return {"$d": [[_tag(k), _tag(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return [_tag(v) for v in value]
    return value


def _untag(value: dict[str, Any]) -> Any:
    if len(value) == 1:
        if "$b" in value:
            return base64.b64decode(value["$b"])
        if "$d" in value:
            return {k: v for k, v in value["$d"]}
    return value


def dumps(obj: Any) -> bytes:
    """Serialise a request dict (Scrapy's `Request.to_dict`) for the frontier."""
    return json.dumps(_tag(obj), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def loads(data: bytes | str) -> Any:
    return json.loads(data, object_hook=_untag)


def seed_request(run_id: int) -> bytes:
    """The first request of a run: a `data:` URL whose callback yields the source's start requests.

    Built as a plain dict so the scheduler side needs no Scrapy; being an ordinary leased
    request, a seed taken by a worker that dies is handed to another like any page.
    """
    return dumps({
        "url": SEED_URL, "callback": "seed_run", "errback": "failed", "method": "GET", "headers": {},
        "body": b"", "cookies": {}, "encoding": "utf-8", "priority": 0, "dont_filter": True, "flags": [],
        "cb_kwargs": {}, "meta": {"govwatch_run": run_id, "download_slot": "govwatch-seed"},
    })

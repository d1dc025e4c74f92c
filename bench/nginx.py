"""nginx, run unprivileged in the foreground with a throw-away config, serving a generated site.

Why nginx rather than the demo's Python server: the benchmark must measure the crawler, and
a real server answers like the real sites do — gzip on the fly, ETag and Last-Modified from
the file, 304 to a conditional GET — at a cost far below the crawler's. Content-Type is
`text/html` with no charset (`charset off`), as on most Chinese government sites: the
charset is only in `<meta>`, which is what makes Scrapy sniff encodings. Attachments (PDF, Word,
Excel, OFD) have their own types and are not gzipped, as real servers send them: served as
`text/html`, each 0.69 MB PDF was gzipped on the fly, ~1 s of nginx CPU per attachment crawl
on the same two cores (found with bench/attachment_timeline.py on branch att23).

`if_modified_since before` (nginx's default is `exact`) answers 304 to an If-Modified-Since at or
after the file's time, as Apache and most CMS front ends do; urlwatch sends the time of its last
check there rather than the page's Last-Modified, and `exact` would deny it every 304.

Each request is logged as "status bytes_sent uri", so a phase's bytes on the wire are read
from the access log rather than trusted from the client.
"""

from __future__ import annotations

import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Self

ARTICLE_URI = re.compile(rb"/t\d{8}_\d+\.html")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

CONFIG = """\
worker_processes 1;
daemon off;
master_process off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    types {{ text/html html htm; text/plain txt; application/pdf pdf; application/msword doc;
            application/vnd.openxmlformats-officedocument.wordprocessingml.document docx;
            application/vnd.openxmlformats-officedocument.spreadsheetml.sheet xlsx; application/ofd ofd; }}
    default_type text/html;
    charset off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    etag on;
    if_modified_since before;
    gzip on;
    gzip_comp_level 1;
    gzip_min_length 256;
    gzip_types text/html text/plain;
    gzip_vary on;
    log_format bench '$status $bytes_sent $request_uri';
    access_log {prefix}/access.log bench;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        root {root};
    }}
}}
"""


@dataclass
class Traffic:
    """What nginx served in one phase: requests, bytes on the wire, and requests by status."""

    requests: int = 0
    bytes_sent: int = 0
    article_requests: int = 0
    article_bytes: int = 0
    article_not_modified: int = 0  # article pages answered 304 (list pages may answer 304 too)
    by_status: dict[int, int] = field(default_factory=dict)


class Nginx:
    """`with Nginx(root) as server:` serves `root` on 127.0.0.1:<free port> until the block ends."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.prefix = Path(tempfile.mkdtemp(prefix="govwatch-bench-nginx-"))
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def access_log(self) -> Path:
        return self.prefix / "access.log"

    def start(self, timeout_s: float = 10.0) -> None:
        (self.prefix / "tmp").mkdir()
        self.port = _free_port()
        conf = self.prefix / "nginx.conf"
        conf.write_text(CONFIG.format(prefix=self.prefix, port=self.port, root=self.root.resolve()))
        self.process = subprocess.Popen(
            [NGINX, "-p", str(self.prefix), "-c", str(conf), "-e", str(self.prefix / "error.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode(errors="replace") if self.process.stderr else ""
                raise RuntimeError(f"nginx exited with {self.process.returncode}: {err.strip()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"nginx did not listen on port {self.port} within {timeout_s}s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful: finish the access log
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        shutil.rmtree(self.prefix, ignore_errors=True)

    def log_offset(self) -> int:
        """Where the access log ends now: pass it to `traffic_since` after a phase."""
        return self.access_log.stat().st_size if self.access_log.exists() else 0

    def traffic_since(self, offset: int) -> Traffic:
        """Requests and bytes nginx logged after `offset`, in all and for article pages."""
        traffic = Traffic()
        if not self.access_log.exists():
            return traffic
        with self.access_log.open("rb") as log:
            log.seek(offset)
            for line in log:
                parts = line.split(b" ", 2)
                if len(parts) < 3:
                    continue
                status, sent = int(parts[0]), int(parts[1])
                traffic.requests += 1
                traffic.bytes_sent += sent
                if ARTICLE_URI.search(parts[2]):
                    traffic.article_requests += 1
                    traffic.article_bytes += sent
                    traffic.article_not_modified += status == 304
                traffic.by_status[status] = traffic.by_status.get(status, 0) + 1
        return traffic

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])

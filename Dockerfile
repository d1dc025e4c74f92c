# govwatch: one image, two containers on one volume (not built in CI; see README "Running in production"):
#   docker build -t govwatch .
#   docker volume create govwatch-data
#   docker run -d --name govwatch-run   -v govwatch-data:/data govwatch run
#   docker run -d --name govwatch-serve -v govwatch-data:/data -p 8001:8001 govwatch serve --host 0.0.0.0
# Both must see the same /data: SQLite's WAL needs one machine and a local filesystem (no NFS).
# Put your sources.yaml (and subscriptions.yaml, if digests are wanted) in the volume first.
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    LANG=C.UTF-8 \
    GOVWATCH_DB=/data/govwatch.db \
    GOVWATCH_CONFIG=/data/sources.yaml \
    GOVWATCH_BACKUP_DIR=/data/backups \
    GOVWATCH_BACKUP_EVERY="every 6h" \
    GOVWATCH_BACKUP_KEEP=28

# DOC/WPS attachments are read by these converters (crawler/attachments/legacy_word.py); PDF
# text in a Chinese font the file does not embed is sized from this font, and lost without one
# (crawler/attachments/pdf.py).
RUN apt-get update && apt-get install -y --no-install-recommends antiword catdoc fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --create-home --home-dir /home/govwatch --uid 10001 govwatch \
    && mkdir -p /data /opt/govwatch && chown govwatch:govwatch /data

WORKDIR /opt/govwatch
# Requirements first, so a code change does not reinstall every package.
COPY requirements.txt pyproject.toml README.md ./
RUN pip install -r requirements.txt
COPY . .
# Editable, as bootstrap.sh installs it: crawls run `scrapy crawl` from the project folder
# (scrapy.cfg) and Datasette reads datasette/ beside the code.
RUN pip install --no-deps -e . \
    && python -m compileall -q crawler monitor storage demo datasette/plugins

USER govwatch
VOLUME ["/data"]
EXPOSE 8001
# Healthy while a `govwatch run` service beats (the same rule as /-/healthz): true for both
# containers, since both read the one store.
HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os,sys; from storage import open_db; from storage.control import running_service; sys.exit(0 if running_service(open_db(os.environ['GOVWATCH_DB'], migrate=False)) else 1)"]
# SIGTERM lets the service stop its crawls (20 s) and close their runs: give it the time.
STOPSIGNAL SIGTERM
ENTRYPOINT ["govwatch"]
CMD ["run"]

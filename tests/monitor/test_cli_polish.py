"""The command line a new operator meets: --version, whole command descriptions, a --db that does
not depend on the current folder, and `serve` on a busy port as one line and exit 2."""

from __future__ import annotations

import socket
import subprocess
import sys
import tomllib

import pytest

from tests.conftest import PROJECT_ROOT


def govwatch_in(folder, *args: str, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    import os

    environment = {k: v for k, v in os.environ.items() if k != "GOVWATCH_DB"}
    environment["PYTHONPATH"] = str(PROJECT_ROOT)
    return subprocess.run([sys.executable, "-m", "monitor", *args], cwd=folder, capture_output=True, text=True,
                          check=False, timeout=60, env={**environment, **(env or {})})


def test_version(tmp_path):
    result = govwatch_in(tmp_path, "--version")
    version = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert result.returncode == 0 and result.stdout.strip() == f"govwatch, version {version}"


def test_help_lists_whole_descriptions(tmp_path):
    text = " ".join(govwatch_in(tmp_path, "--help", env={"COLUMNS": "80"}).stdout.split())
    assert "Inspect and change sources; a running `govwatch run` picks changes up within seconds." in text
    assert "Daily digests for monitoring staff: new, edited, withdrawn and republished articles, per subscription." \
        in text


@pytest.mark.slow
def test_default_db_is_the_projects_not_the_current_folders(tmp_path):
    project_db = str(PROJECT_ROOT / "data" / "govwatch.db")
    # click wraps help at the terminal's width, and a deep checkout's path wraps with it: compare without spaces
    help_text = "".join(govwatch_in(tmp_path, "sources", "list", "--help").stdout.split())
    assert "".join(f"[default: {project_db}]".split()) in help_text
    result = govwatch_in(tmp_path, "sources", "list")  # run from another folder, without --db
    assert result.returncode == 0 or project_db in result.stderr
    assert not (tmp_path / "data").exists()  # nothing was made where the command ran


@pytest.mark.slow
def test_serve_on_a_busy_port_is_one_line_and_exit_2(tmp_path):
    from storage import open_db

    db_path = tmp_path / "govwatch.db"
    open_db(db_path).close()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = govwatch_in(tmp_path, "serve", "--db", str(db_path), "--port", str(port))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"127.0.0.1:{port}" in lines[0] and "--port" in lines[0]
    assert "Traceback" not in result.stderr and "Errno 98" not in result.stderr


def test_sources_list_says_failed_and_why_under_the_table(tmp_path):
    from storage import open_db
    from storage.runs import close_run, record_fetch_error, start_run
    from storage.sources import sync_sources

    db_path = tmp_path / "govwatch.db"
    db = open_db(db_path)
    sync_sources(db, [{"name": "county-government-portal", "schedule": "every 1h"}])
    run = start_run(db, "county-government-portal")
    record_fetch_error(db, run, "county-government-portal", "http://county.example.cn/", "DNS lookup failed")
    close_run(db, run, "failed", message="crawl ended: finished")
    db.close()
    result = govwatch_in(tmp_path, "sources", "list", "--db", str(db_path))
    assert result.returncode == 0, result.stderr
    assert any(line.startswith("│ county-government-portal │ failed") for line in result.stdout.splitlines())
    why = [line for line in result.stdout.splitlines() if line.startswith("county-government-portal: failed")]
    assert why and "DNS lookup failed (http://county.example.cn/)" in " ".join(result.stdout.split())


def test_every_command_is_listed_and_each_lazy_one_loads_under_its_name():
    """The commands of other modules are imported on use (monitor/lazy_commands.py): a mapping
    that names a wrong attribute or a renamed command must fail here, not at an operator's prompt."""
    import click

    from monitor.cli import main
    from monitor.lazy_commands import LazyGroup

    ctx = click.Context(main)
    names = main.list_commands(ctx)
    assert {"crawl", "run", "digest", "export-warc", "worker", "store-writer", "enqueue", "sources"} <= set(names)
    sources = main.get_command(ctx, "sources")
    assert {"list", "add", "try", "enable", "disable", "profile"} <= set(sources.list_commands(ctx))
    for group in (main, sources):
        for name in group.lazy_subcommands:
            command = group.get_command(ctx, name)
            assert isinstance(command, click.Command) and command.name == name
    misnamed = LazyGroup(lazy_subcommands={"digest": "monitor.warc_export:export_warc"})
    with pytest.raises(TypeError, match="is not the click command 'digest'"):
        misnamed.get_command(ctx, "digest")


@pytest.mark.parametrize("args, message", [
    (["crawl", "--config", "{bad}"], "source #1: expected a mapping"),
    (["sources", "frobnicate"], "No such command"),
    (["crawl", "--parallel", "0"], "--parallel"),
    (["digest", "--force"], "--force only matters with --send"),
    (["digest", "--config", "{bad}"], "bad.yaml"),
])
def test_a_bad_command_line_is_refused_before_the_store_or_scrapy_is_loaded(tmp_path, args, message):
    """A typo answers at once: one line, exit 2, without importing the store's sqlite-utils
    (and numpy), the crawler's Scrapy or the digest's renderers it will never use."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("sources:\n  - just a string\n", encoding="utf-8")
    argv = [a.format(bad=bad) for a in args] + ["--db", str(tmp_path / "absent.db")]
    probe = ("import sys\nfrom monitor.cli import main\n"
             f"try:\n    main({argv!r}, prog_name='govwatch')\n"
             "except SystemExit as stop:\n"
             "    print('exit', stop.code, sorted(m for m in ('sqlite_utils', 'numpy', 'scrapy', 'apprise', 'jinja2')"
             " if m in sys.modules), file=sys.stderr)\n")
    result = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            timeout=60, check=False)
    assert message in result.stderr, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "exit 2 []", result.stderr
    assert not (tmp_path / "absent.db").exists()

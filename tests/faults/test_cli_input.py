"""Bad input to the real `govwatch` command: one clear message and a non-zero exit, never a traceback.

Every bad config value, unknown source, bad cron line and unreadable database (garbage, a
directory, a read-only file) is tried on the commands that meet it.
"""

from __future__ import annotations

import ctypes
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from monitor.config import load_sources, source_as_record
from storage import open_db
from storage.sources import sync_sources
from tests.conftest import PROJECT_ROOT, govwatch

pytestmark = [pytest.mark.long, pytest.mark.slow, pytest.mark.timeout(120)]

GOOD = 'sources:\n  - name: x\n    start_urls: ["http://127.0.0.1:9/gov/index.html"]\n'
BAD_CONFIGS = {
    "negative delay": (GOOD + "    politeness: {download_delay: -1}\n", "field 'politeness.download_delay'"),
    "bad cron": (GOOD + '    schedule: "61 * * * *"\n', "field 'schedule': bad cron expression"),
    "bad schedule words": (GOOD + "    schedule: every fortnight\n", "field 'schedule'"),
    "unknown field": (GOOD + "    colour: red\n", "field 'colour': unknown field"),
    "bad regex": (GOOD + "    article_pattern: '(['\n", "field 'article_pattern': not a valid regular expression"),
    "bad time zone": (GOOD + "    timezone: Mars/Olympus\n", "unknown time zone 'Mars/Olympus'"),
    "no confirmation": (GOOD + "    confirm_withdrawal_checks: 0\n", "field 'confirm_withdrawal_checks'"),
    "start_urls not a list": ('sources:\n  - name: x\n    start_urls: "http://a.gov.cn/"\n',
                              "field 'start_urls': expected a list of URLs"),
    "not a URL": ('sources:\n  - name: x\n    start_urls: ["ftp://a.gov.cn/"]\n', "is not an http(s) URL"),
    "bad name": ('sources:\n  - name: X Y\n    start_urls: ["http://a.gov.cn/"]\n', "field 'name'"),
    "duplicate name": (GOOD + GOOD.split("\n", 1)[1], "duplicate source name 'x'"),
    "not YAML": ("sources: [\n  - name: x", "not valid YAML"),
    "no sources list": ("defaults: {}\n", "expected a mapping with a 'sources:' list"),
    "source not a mapping": ("sources:\n  - just a string\n", "source #1: expected a mapping"),
    "not UTF-8": (b"\xff\xfe sources \x00", "cannot read"),
}


def run(*args: str, readonly: bool = False) -> subprocess.CompletedProcess:
    """`govwatch ARGS`; with `readonly`, as a process that file modes apply to even as root."""
    if not readonly:
        return govwatch(*args, check=False)
    return subprocess.run([sys.executable, "-m", "monitor", *args], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=60, preexec_fn=_without_root_file_access, check=False)


def assert_clear_failure(result: subprocess.CompletedProcess, *expected: str, status: int = 2) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == status, output
    assert "Traceback" not in output, output
    message = result.stderr.strip()
    assert message.startswith(("Error:", "Usage:")), output
    for text in expected:
        assert text in output, output


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("cli")
    good = tmp / "sources.yaml"
    good.write_text(GOOD, encoding="utf-8")
    db = tmp / "govwatch.db"
    store = open_db(db)
    sync_sources(store, [source_as_record(s) for s in load_sources(good)])
    store.close()
    garbage = tmp / "garbage.db"
    garbage.write_bytes(b"this is not a database " * 200)
    directory = tmp / "directory.db"
    directory.mkdir()
    readonly_dir = tmp / "readonly"
    readonly_dir.mkdir()
    readonly = readonly_dir / "govwatch.db"
    readonly.write_bytes(db.read_bytes())
    readonly.chmod(0o444)
    readonly_dir.chmod(0o555)
    for case, (text, _) in BAD_CONFIGS.items():
        (tmp / f"{case.replace(' ', '-')}.yaml").write_bytes(text if isinstance(text, bytes) else text.encode())
    return {"tmp": tmp, "config": good, "db": db, "garbage": garbage, "directory": directory, "readonly": readonly}


def invocations(files: dict[str, Path]) -> dict[Any, tuple[list[str], bool]]:
    """Every command line the tests below judge, keyed by test case: run all at once, 4 at a time."""
    tmp = files["tmp"]
    calls: dict[Any, tuple[list[str], bool]] = {}
    for case in BAD_CONFIGS:
        calls["config", case] = (["crawl", "--db", str(tmp / "unused.db"), "--config",
                                  str(tmp / f"{case.replace(' ', '-')}.yaml")], False)
    for command, words in COMMANDS.items():
        args = [a.format(config=files["config"], tmp=tmp) for a in words]
        for kind in DATABASES:
            calls["db", command, kind] = ([*args, "--db", str(files[kind])], False)
        calls["readonly", command] = ([*args, "--db", str(files["readonly"])], True)
    return calls


@pytest.fixture(scope="module")
def results(files) -> dict[Any, subprocess.CompletedProcess]:
    calls = invocations(files)
    with ThreadPoolExecutor(4) as pool:
        done = {key: pool.submit(run, *args, readonly=readonly) for key, (args, readonly) in calls.items()}
    return {key: future.result() for key, future in done.items()}


@pytest.mark.parametrize("case", list(BAD_CONFIGS))
def test_a_bad_sources_file_is_refused_with_the_field_named(files, results, case):
    config = files["tmp"] / f"{case.replace(' ', '-')}.yaml"
    assert_clear_failure(results["config", case], str(config), BAD_CONFIGS[case][1])
    assert not (files["tmp"] / "unused.db").exists()  # refused before anything was opened


def test_a_missing_sources_file(files):
    missing = files["tmp"] / "missing.yaml"
    result = govwatch("crawl", "--db", str(files["db"]), "--config", str(missing), check=False)
    assert_clear_failure(result, f"{missing}: file not found")


def test_an_unknown_source_to_crawl(files):
    result = govwatch("crawl", "--db", str(files["db"]), "--config", str(files["config"]), "nosuch", check=False)
    assert_clear_failure(result, "unknown source(s) nosuch", "configured: x")


@pytest.mark.parametrize("command", ["crawl", "run"])
def test_no_crawl_slots_is_refused(files, command):
    result = govwatch(command, "--db", str(files["db"]), "--config", str(files["config"]), "--parallel", "0",
                      check=False)
    assert_clear_failure(result, "--parallel")


@pytest.mark.parametrize("command", [["pause", "nosuch"], ["resume", "nosuch"], ["schedule", "nosuch", "every 2h"]])
def test_an_unknown_source_to_change(files, command):
    result = govwatch("sources", *command, "--db", str(files["db"]), check=False)
    assert_clear_failure(result, "unknown source 'nosuch'", "known: x")


@pytest.mark.parametrize("spec", ["61 * * * *", "every fortnight", "* * *"])
def test_a_bad_schedule_is_refused(files, spec):
    result = govwatch("sources", "schedule", "x", spec, "--db", str(files["db"]), check=False)
    assert_clear_failure(result, "schedule for x refused")


def test_run_now_without_a_service(files):
    result = govwatch("sources", "run", "x", "--db", str(files["db"]), check=False)
    assert_clear_failure(result, "no `govwatch run` service is running")


def test_adding_a_source_from_a_missing_or_bad_snippet(files):
    assert_clear_failure(govwatch("sources", "add", str(files["tmp"] / "nope.yaml"), "--db", str(files["db"]),
                                  check=False), "No such file")
    snippet = files["tmp"] / "snippet.yaml"
    snippet.write_text("name: y\nstart_urls: [http://b.gov.cn/]\nschedule: '0 25 * * *'\n", encoding="utf-8")
    assert_clear_failure(govwatch("sources", "add", str(snippet), "--db", str(files["db"]), check=False),
                         "field 'schedule'")


# -- unreadable databases ---------------------------------------------------------------------------

COMMANDS = {
    "crawl": ["crawl", "--config", "{config}"],
    "sources list": ["sources", "list"],
    "sources schedule": ["sources", "schedule", "x", "every 2h"],
    "sources pause": ["sources", "pause", "x"],
    "serve": ["serve", "--port", "0"],
    "digest": ["digest", "--out", "{tmp}/digests"],
}
DATABASES = {"garbage": "file is not a database", "directory": "unable to open database file"}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("kind", list(DATABASES))
def test_an_unreadable_database(files, results, command, kind):
    assert_clear_failure(results["db", command, kind], f"cannot open database {files[kind]}", DATABASES[kind])


def _without_root_file_access() -> None:
    """In the child: drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, so root obeys file modes too."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_read_only_database(files, results, command):
    assert_clear_failure(results["readonly", command], f"cannot open database {files['readonly']}",
                         "readonly database")


def test_extract_of_a_missing_file(files):
    missing = files["tmp"] / "missing.html"
    result = govwatch("extract", str(missing), check=False)
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    assert '"error": "FileNotFoundError: [Errno 2] No such file or directory' in result.stdout

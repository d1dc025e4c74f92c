"""The deployment files name only what exists: commands, options, environment variables, and a
container health check that tells a live service from none."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.backups import BackupSettings
from storage import open_db
from storage.control import service_heartbeat, service_started
from tests.conftest import PROJECT_ROOT, govwatch

UNITS = sorted((PROJECT_ROOT / "deploy" / "systemd").glob("*.service"))
ENV_FILE = PROJECT_ROOT / "deploy" / "systemd" / "govwatch.env"
DOCKERFILE = PROJECT_ROOT / "Dockerfile"


def env_file() -> dict[str, str]:
    pairs = (line.split("=", 1) for line in ENV_FILE.read_text().splitlines() if line and not line.startswith("#"))
    return {key: value for key, value in pairs}


@pytest.mark.parametrize("unit", UNITS, ids=[u.name for u in UNITS])
def test_unit_runs_a_real_command_with_real_options(unit):
    (exec_start,) = re.findall(r"^ExecStart=(.+)$", unit.read_text(), re.MULTILINE)
    program, command, *args = shlex.split(exec_start)
    assert program.endswith("/govwatch")
    help_text = govwatch(command, "--help").stdout
    for option in (a for a in args if a.startswith("--")):
        assert option in help_text, f"{unit.name}: govwatch {command} has no {option}"


def test_environment_file_sets_only_variables_govwatch_reads():
    code = "\n".join(p.read_text() for p in [*PROJECT_ROOT.glob("monitor/**/*.py"), PROJECT_ROOT / "datasette/metadata.yml"])
    settings = env_file()
    for key in settings:
        assert key in code, f"{ENV_FILE.name}: nothing reads {key}"
    BackupSettings(Path(settings["GOVWATCH_BACKUP_DIR"]), settings["GOVWATCH_BACKUP_EVERY"],
                   int(settings["GOVWATCH_BACKUP_KEEP"]), settings["GOVWATCH_BACKUP_COMPRESS"])


@pytest.mark.slow
def test_container_health_check_follows_the_service(tmp_path):
    (check,) = re.findall(r"^\s*CMD (\[.+\])$", DOCKERFILE.read_text().split("HEALTHCHECK", 1)[1], re.MULTILINE)[:1]
    argv = json.loads(check)
    assert argv[0] == "python"
    db_path = tmp_path / "govwatch.db"
    db = open_db(db_path)

    def healthy() -> bool:
        env = {**os.environ, "GOVWATCH_DB": str(db_path), "PYTHONPATH": str(PROJECT_ROOT)}
        return subprocess.run([sys.executable, *argv[1:]], check=False, env=env, cwd=tmp_path, timeout=60).returncode == 0

    assert not healthy()
    service_id = service_started(db)
    assert healthy()
    service_heartbeat(db, service_id, stopped=True)
    assert not healthy()

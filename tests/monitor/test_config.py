"""sources.yaml validation: good files load, every bad line is named in one message."""

from pathlib import Path

import pytest

from monitor.config import ConfigError, load_sources, parse_source_snippet

PROJECT_SOURCES = Path(__file__).resolve().parents[2] / "sources.yaml"

GOOD = """
defaults: {schedule: every 2h}
sources:
  - name: a
    start_urls: ["{demo}/gov/index.html"]
  - name: b
    start_urls: ["https://example.gov.cn/list/index.html"]
    schedule: "0 8 * * 1-5"
    politeness: {autothrottle: false}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_project_sources_file_loads_with_demo_and_real_examples():
    sources = {s.name: s for s in load_sources(PROJECT_SOURCES, demo_url="http://127.0.0.1:9")}
    demo = [s for s in sources.values() if s.start_urls[0].startswith("http://127.0.0.1:9/")]
    assert len(demo) >= 4
    real = [s for s in sources.values() if s not in demo]
    assert real and all(not s.enabled and "untested offline" in (s.notes or "") for s in real)


def test_defaults_apply_and_demo_placeholder_expands(tmp_path):
    a, b = load_sources(write(tmp_path, GOOD), demo_url="http://127.0.0.1:1234/")
    assert a.start_urls == ["http://127.0.0.1:1234/gov/index.html"]
    assert a.schedule == "every 2h" and b.schedule == "0 8 * * 1-5"
    assert a.resolved_domains() == ["127.0.0.1"]
    assert b.politeness.autothrottle is False and a.politeness.autothrottle is True


@pytest.mark.parametrize(
    ("line", "field", "words"),
    [
        ("schedule: every soon", "schedule", "cron"),
        ("schedule: '61 * * * *'", "schedule", "bad cron"),
        ("start_urls: [ftp://x]", "start_urls", "http"),
        ("article_pattern: '(['", "article_pattern", "regular expression"),
        ("timezone: Mars/Olympus", "timezone", "time zone"),
        ("shedule: every 1h", "shedule", "unknown field"),
        ("max_list_pages: 0", "max_list_pages", "greater than"),
    ],
)
def test_bad_line_is_named_by_file_source_and_field(tmp_path, line, field, words):
    path = write(tmp_path, f"sources:\n  - name: county\n    start_urls: [http://x.gov.cn/]\n    {line}\n")
    with pytest.raises(ConfigError) as error:
        load_sources(path)
    message = str(error.value)
    assert str(path) in message and "'county'" in message and field in message and words in message


def test_duplicate_names_missing_file_and_bad_yaml(tmp_path):
    dup = write(tmp_path, "sources:\n  - {name: a, start_urls: [http://x/]}\n  - {name: a, start_urls: [http://y/]}\n")
    with pytest.raises(ConfigError, match="duplicate source name"):
        load_sources(dup)
    with pytest.raises(ConfigError, match="file not found"):
        load_sources(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_sources(write(tmp_path, "sources: [\n"))
    with pytest.raises(ConfigError, match="'sources:' list"):
        load_sources(write(tmp_path, "- just a list\n"))


def test_snippet_for_sources_add():
    source = parse_source_snippet("name: x\nstart_urls: [http://x.gov.cn/]\nschedule: every 30m\n")
    assert source.name == "x"
    with pytest.raises(ConfigError, match="field 'name'"):
        parse_source_snippet("name: 'Bad Name'\nstart_urls: [http://x/]\n")

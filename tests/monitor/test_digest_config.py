"""subscriptions.yaml: the shipped example loads; mistakes are refused naming file, subscription and field."""

from __future__ import annotations

import pytest
import yaml

from monitor.config import ConfigError
from monitor.digest.subscriptions import check_sources_exist, load_subscriptions
from tests.conftest import PROJECT_ROOT


def write(tmp_path, document) -> str:
    path = tmp_path / "subscriptions.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return str(path)


def test_shipped_example_loads_and_drops_files_for_the_demo():
    settings = load_subscriptions(PROJECT_ROOT / "subscriptions.yaml")
    assert settings.digest_time == "07:30" and settings.timezone == "Asia/Shanghai"
    assert settings.datasette_url == "http://127.0.0.1:8001/govwatch"
    assert all("file://data/digests" in s.channels for s in settings.subscriptions)
    rural = settings.subscription("rural-revitalisation")
    assert "乡村振兴" in rural.keywords.include and "招聘" in rural.keywords.exclude
    check_sources_exist(settings, {"demo-gov", "demo-news", "demo-paper", "demo-mirror"}, "subscriptions.yaml")


@pytest.mark.parametrize("document, message", [
    ({"subscriptions": [{"name": "a", "channels": ["email"]}]},
     "subscription 'a': channel 'email' needs at least one address in 'recipients'"),
    ({"subscriptions": [{"name": "a", "formats": ["pdf"]}]}, "subscription 'a': field 'formats.0'"),
    ({"subscriptions": [{"name": "a", "channels": ["carrier-pigeon"]}]},
     "subscription 'a': field 'channels': unknown channel 'carrier-pigeon'"),
    ({"subscriptions": [{"name": "a", "channels": ["nosuchservice://x"]}]},
     "subscription 'a': field 'channels': Apprise does not understand the channel nosuchservice://"),
    ({"subscriptions": [{"name": "a", "recipients": ["not-an-address"]}]},
     "subscription 'a': field 'recipients': 'not-an-address' is not an email address"),
    ({"subscriptions": [{"name": "a", "keywords": {"include": ["乡村振兴"], "exlcude": ["招聘"]}}]},
     "subscription 'a': field 'keywords.exlcude': unknown field"),
    ({"subscriptions": [{"name": "a"}, {"name": "a"}]}, "subscription 'a': field 'name': duplicate"),
    ({"subscriptions": ["a"]}, "subscription #1: expected a mapping"),
    ({"smtp": {"password": "hunter2"}, "subscriptions": []}, "'password' must not be written in the file"),
    ({"smtp": {"port": 0}}, "field 'smtp.port'"),
    ({"digest_time": "7h30"}, "field 'digest_time'"),
    ({"timezone": "Beijing"}, "unknown time zone 'Beijing'"),
    ({"datasette_url": "localhost:8001"}, "field 'datasette_url': 'localhost:8001' is not an http(s) URL"),
])
def test_mistakes_are_named(tmp_path, document, message):
    path = write(tmp_path, document)
    with pytest.raises(ConfigError) as caught:
        load_subscriptions(path)
    assert str(caught.value).startswith(path) and message in str(caught.value)


def test_unknown_source_is_named(tmp_path):
    path = write(tmp_path, {"subscriptions": [{"name": "a", "sources": ["demo-gov", "demo-gvo"]}]})
    with pytest.raises(ConfigError, match=r"subscription 'a': field 'sources': unknown source\(s\) demo-gvo"):
        check_sources_exist(load_subscriptions(path), {"demo-gov"}, path)


def test_secrets_come_from_the_environment(tmp_path):
    settings = load_subscriptions(write(tmp_path, {
        "smtp": {"username": "bot", "password_env": "DIGEST_SMTP_PASSWORD"},
        "subscriptions": [{"name": "a", "channels": ["wecombot://${WECOM_KEY}"]}],
    }))
    assert settings.smtp.password_env == "DIGEST_SMTP_PASSWORD"
    assert settings.subscriptions[0].channels == ["wecombot://${WECOM_KEY}"]

"""Load rules.yaml once and precompile everything in it."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from lxml.etree import XPath

from .labels import label_key, label_pattern, load_labels

RULES_PATH = Path(__file__).with_name("rules.yaml")


@dataclass(frozen=True)
class Rules:
    labels: dict[str, str]            # written label -> canonical label
    fields: dict[str, list[str]]      # field -> canonical labels by priority
    date_labels: frozenset[str]
    person_fields: frozenset[str]
    weak_labels: frozenset[str]
    volatile_labels: frozenset[str]   # recognised (so never body) but not kept: they change on every visit
    label_re: re.Pattern[str]         # any label followed by a colon
    cell_label_re: re.Pattern[str]    # a cell that holds only a label
    bracketed_label_re: re.Pattern[str]  # a label in brackets opening a field: 【索引号】…, [发文机关] …
    value_stop_re: re.Pattern[str]
    boilerplate_re: BoilerplateLines  # the boilerplate line patterns; .search(line) as with one regex
    edge_boilerplate_re: BoilerplateLines  # those marked `where: outside-body` (see clean_lines)
    drop_tags: tuple[str, ...]
    drop_containers: tuple[tuple[re.Pattern[str], int | None, int | None], ...]  # (class/id regex, max_chars, max_p_chars)
    drop_container_any: re.Pattern[str]  # all drop_containers patterns in one: a cheap first test per element
    content_xpaths: tuple[XPath, ...]
    script_date_res: tuple[re.Pattern[str], ...]
    thresholds: dict[str, float]


# The lists of rules.yaml whose entries are single rules, each saying which kind of page it is for,
# and the key holding the rule itself (what the ablation removes one at a time).
RULE_LISTS = {"boilerplate_lines": "pattern", "drop_tags": "tag", "drop_containers": "pattern",
              "content_xpaths": "xpath", "script_dates": "pattern"}


def read_rules_data(path: str | Path | None = None) -> dict:
    """rules.yaml as plain data (what `rules_from_data` compiles)."""
    return yaml.safe_load(Path(path or RULES_PATH).read_text(encoding="utf-8"))


def _values(data: dict, name: str, where: str | None = None) -> list[str]:
    """The rules of one list: an entry is a mapping ({for: …, pattern: …}) or the bare value. A
    boilerplate line rule may say `where: outside-body`: it holds only for lines outside the body
    (a notice's 联系电话：… line is its text, the same line in a footer is not)."""
    key = RULE_LISTS[name]
    return [e[key] if isinstance(e, dict) else e for e in data.get(name) or []
            if (e.get("where") if isinstance(e, dict) else None) == where]


# What opens a bracketed label ([发文字号], 【成文日期】, 〔主题分类〕): bracketed_label_re, textlines, boilerplate.
LABEL_BRACKETS = "[【〔［"


@lru_cache(maxsize=1)
def load_rules(path: str | None = None) -> Rules:
    return rules_from_data(read_rules_data(path))


def rules_from_data(data: dict) -> Rules:
    """Compile rules.yaml's data: also how the ablation builds the rules without one of them."""
    disclosure = load_labels()
    labels: dict[str, str] = {**data["labels"], **disclosure.canonical}
    alternation = "|".join(label_pattern(l) for l in sorted(labels, key=len, reverse=True))
    label_re = re.compile(
        rf"(?:(?<=^)|(?<=[\s\u3000\xa0|｜丨【\[（(,，;；]))(?P<label>{alternation})[\s\u3000\xa0]*[:：]"
    )
    cell_label_re = re.compile(rf"^[\s\u3000\xa0]*(?P<label>{alternation})[\s\u3000\xa0]*[:：]?[\s\u3000\xa0]*$")
    bracketed_label_re = re.compile(
        rf"(?:(?<=^)|(?<=[\s\u3000\xa0]))[\[【〔［][\s\u3000\xa0]*(?P<label>{alternation})[\s\u3000\xa0]*[\]】〕］][:：]?")
    containers = list(data.get("drop_containers") or [])
    return Rules(
        labels=labels,
        fields={k: list(v) for k, v in data["fields"].items()},
        date_labels=frozenset(data["date_labels"]) | disclosure.dates,
        person_fields=frozenset(data.get("person_fields", [])),
        weak_labels=frozenset(data["weak_labels"]),
        volatile_labels=frozenset(data.get("volatile_labels", [])),
        label_re=label_re,
        cell_label_re=cell_label_re,
        bracketed_label_re=bracketed_label_re,
        value_stop_re=re.compile(data["value_stop"]),
        boilerplate_re=BoilerplateLines(_values(data, "boilerplate_lines", where=None)),
        edge_boilerplate_re=BoilerplateLines(_values(data, "boilerplate_lines", where="outside-body")),
        drop_tags=tuple(_values(data, "drop_tags")),
        drop_containers=tuple(
            (re.compile(r["pattern"]), r.get("max_chars"), r.get("max_p_chars")) for r in containers
        ),
        drop_container_any=re.compile("|".join(f"(?:{r['pattern']})" for r in containers) or "(?!)"),
        content_xpaths=tuple(XPath(x) for x in _values(data, "content_xpaths")),
        script_date_res=tuple(re.compile(x) for x in _values(data, "script_dates")),
        thresholds=dict(data["thresholds"]),
    )


class BoilerplateLines:
    """The boilerplate line patterns as two regexes: the ^-anchored alternatives, tried only at
    the start of a line (`match`), and the floating ones (`search`). One alternation of all of
    them made the regex engine try every anchored pattern at every position of every line:
    twice the cost, on the extractor's busiest loop."""

    def __init__(self, patterns: list[str]) -> None:
        alternatives = [alt for p in patterns for alt in top_level_alternatives(p)]
        anchored = [a for a in alternatives if a.startswith("^")]
        floating = [a for a in alternatives if not a.startswith("^")]
        self.anchored = re.compile("|".join(f"(?:{a})" for a in anchored) or "(?!)")
        self.floating = re.compile("|".join(f"(?:{a})" for a in floating) or "(?!)")

    def search(self, line: str) -> re.Match[str] | None:
        return self.anchored.match(line) or self.floating.search(line)


def top_level_alternatives(pattern: str) -> list[str]:
    """`a|b(c|d)|e` → [a, b(c|d), e]: split on the | outside groups and character classes."""
    out: list[str] = []
    current, depth, in_class, escaped = "", 0, False, False
    for ch in pattern:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append(current)
            current = ""
            continue
        current += ch
    out.append(current)
    return out


def canonical_label(rules: Rules, written: str) -> str:
    """Written label (possibly with inner spaces, full-width forms) -> canonical label."""
    key = label_key(written)
    return rules.labels.get(key, key)

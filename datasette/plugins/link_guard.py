"""`|http_href` for every template that writes a crawled URL into an href.

The crawler already keeps only http(s) URLs (storage/links.py), but a row written before that
rule, or by another tool, must not become a `javascript:` link on the origin that serves the
operator page: the templates check again, with the same rule, and write "#" for anything else.
"""

from __future__ import annotations

from datasette import hookimpl
from storage.links import safe_href


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["http_href"] = safe_href

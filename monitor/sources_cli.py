"""`govwatch sources try / enable / disable / profile`: adding a real source from its column URL.

Registered on the `sources` group by monitor/cli.py. The work lives elsewhere (the preview in
monitor/source_try.py, the profiles in storage/list_profiles.py); these commands validate,
call it, and print. Every expected failure is one line and exit status 2.
"""

from __future__ import annotations

import json

import click

from monitor.cli_common import UserError, clear_errors, db_option, existing_db, service_note


@click.command("try")
@db_option
@click.argument("url")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.option("--add", "add_name", metavar="NAME", default=None,
              help="Also add the page as a disabled source NAME (enable it with `govwatch sources enable NAME`).")
@click.option("--articles", default=3, show_default=True, type=click.IntRange(0, 20),
              help="How many articles to fetch and extract as a preview.")
def sources_try(db_path: str, url: str, as_json: bool, add_name: str | None, articles: int) -> None:
    """Preview a list page as a source: its list, article links, pagination and first articles.

    Nothing is written, unless --add is given.
    """
    from monitor.config import ConfigError, SourceConfig, describe_validation_error, source_as_record
    from monitor.source_try import TryError, render_text, try_list_page

    source = None
    if add_name is not None:  # validated before anything is fetched
        from pydantic import ValidationError

        try:
            source = SourceConfig.model_validate({"name": add_name, "start_urls": [url], "enabled": False})
        except ValidationError as exc:
            raise UserError(f"--add {add_name}: {describe_validation_error(exc)}") from None
    try:
        result = try_list_page(url, articles=articles)
    except (TryError, ConfigError) as exc:
        raise UserError(str(exc)) from None
    click.echo(json.dumps(result, ensure_ascii=False, indent=1) if as_json else render_text(result))
    if source is not None:
        _add_tried(db_path, source_as_record(source), result)


def _add_tried(db_path: str, record: dict, result: dict) -> None:
    """Add the tried page as a disabled source, with the list profile the preview learned."""
    from storage.control import add_source
    from storage.list_profiles import save_learned_profile

    with clear_errors():
        db = existing_db(db_path, create=True)
        try:
            add_source(db, record)
        except ValueError as exc:
            raise UserError(str(exc)) from None
        if result.get("profile"):
            save_learned_profile(db, record["name"], record["start_urls"][0], result["profile"])
    click.echo(f"{record['name']}: added, disabled; `govwatch crawl {record['name']}` tries a crawl, "
               f"`govwatch sources enable {record['name']}` schedules it{service_note(db)}", err=True)


@click.command("enable")
@db_option
@click.argument("name")
def sources_enable(db_path: str, name: str) -> None:
    """Schedule a source (sources are added disabled)."""
    _set_enabled(db_path, name, True)


@click.command("disable")
@db_option
@click.argument("name")
def sources_disable(db_path: str, name: str) -> None:
    """Stop scheduling a source; `govwatch crawl NAME` still crawls it on demand."""
    _set_enabled(db_path, name, False)


def _set_enabled(db_path: str, name: str, enabled: bool) -> None:
    from storage.control import set_enabled

    with clear_errors():
        db = existing_db(db_path)
        before = set_enabled(db, name, enabled)
    note = (" (sources.yaml no longer decides this source's schedule or `enabled:`; "
            "`govwatch sources schedule` changes the schedule)") if before.get("origin") == "config" else ""
    click.echo(f"{name}: {'enabled' if enabled else 'disabled'}{note}{service_note(db)}")


@click.command("profile")
@db_option
@click.argument("name")
@click.option("--pin", "action", flag_value="pin", help="Keep the learned list profile: never re-learned automatically.")
@click.option("--unpin", "action", flag_value="unpin", help="Let crawls re-learn it again when it finds nothing.")
@click.option("--reset", "action", flag_value="reset", help="Forget it: the next crawl learns the list again.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def sources_profile(db_path: str, name: str, action: str | None, as_json: bool) -> None:
    """Show a source's learned list profiles (one per start URL); pin, unpin or reset them."""
    from storage.list_profiles import pin_profiles, reset_profiles, source_profiles
    from storage.sources import get_source

    with clear_errors():
        db = existing_db(db_path)
        get_source(db, name)
        if action == "reset":
            click.echo(f"{name}: {reset_profiles(db, name)} list profile(s) forgotten; the next crawl learns them again")
            return
        if action in ("pin", "unpin"):
            count = pin_profiles(db, name, action == "pin")
            if not count:
                raise UserError(f"{name}: no list profile to {action}: crawl it first (`govwatch crawl {name}`)")
            click.echo(f"{name}: {count} list profile(s) {action}ned")
            return
        profiles = source_profiles(db, name)
    if as_json:
        click.echo(json.dumps(profiles, ensure_ascii=False, indent=1))
        return
    if not profiles:
        click.echo(f"{name}: no list profile yet (the first crawl learns one per start URL)")
    for start, entry in profiles.items():
        state = "pinned" if entry["pinned"] else "learned"
        click.echo(f"{start}\n  {state} {entry['learned_at']}, re-learned {entry['relearned_count']} time(s)\n"
                   f"  {json.dumps(entry['profile'], ensure_ascii=False)}")



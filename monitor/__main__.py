"""`python -m monitor` is the `govwatch` command."""

from monitor.cli import main

main(prog_name="govwatch")

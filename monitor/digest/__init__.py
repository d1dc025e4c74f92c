"""Daily digests for monitoring staff: what was new, edited, withdrawn or republished.

`contents` decides what a subscription's digest says for a period, `renderers` turn it
into HTML, Markdown or Atom, `delivery` sends it (email, Apprise chat channels, file drop)
exactly once per day and channel, `jobs` runs it for the CLI (`command`) and the scheduler
(`jobs.send_daily_digests`), `demo.demo_digest` for `govwatch demo`.

Nothing is imported here: `govwatch digest` loads this package, and a command line it refuses
should not first load the renderers, Jinja and the store.
"""

"""``python -m demo --port 8765``: run the demo site in the foreground."""
from __future__ import annotations

import argparse

from .content import DEFAULT_SEED
from .server import serve_forever


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m demo", description="Serve the govwatch demo site.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="content seed (default: %(default)s)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    serve_forever(host=args.host, port=args.port, verbose=args.verbose, seed=args.seed)


if __name__ == "__main__":
    main()

"""`make bench`: every benchmark in turn, or the ones named (`python -m bench.run search`).

Options after `--` go to the named benchmark: `python -m bench.run search -- --sections 2000`.
"""
from __future__ import annotations

import importlib
import sys

BENCHES = {"live": "bench.live_bench", "search": "bench.search_bench"}


def main(argv: list[str]) -> None:
    names, rest = (argv[:argv.index("--")], argv[argv.index("--") + 1:]) if "--" in argv else (argv, [])
    for name in names or list(BENCHES):
        if name not in BENCHES:
            raise SystemExit(f"unknown benchmark {name!r}; known: {', '.join(BENCHES)}")
        print(f"=== {name}", flush=True)
        sys.argv = [BENCHES[name], *rest]
        importlib.import_module(BENCHES[name]).main()


if __name__ == "__main__":
    main(sys.argv[1:])

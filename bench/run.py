"""`make bench`: every benchmark in turn, or the ones named (`python -m bench.run search`).

Options after `--` go to the named benchmark: `python -m bench.run search -- --sections 2000`.
The HTTP benchmark runs on SQLite and, when BENCH_DATABASE_URL is set, on PostgreSQL too.
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import sys

BENCHES = {"http": "bench.http_bench", "views": "bench.view_after_change", "live": "bench.live_bench",
           "search": "bench.search_bench", "export": "bench.export_bench"}


def _run_http(rest: list[str]) -> None:
    mod = importlib.import_module("bench.http_bench")
    pg = os.environ.pop("BENCH_DATABASE_URL", "")
    sys.argv = ["bench.http_bench", "--docs", *rest]
    mod.main()  # SQLite
    if pg:
        os.environ["BENCH_DATABASE_URL"] = pg
        print("=== http (PostgreSQL)", flush=True)
        mod.main()
    else:
        print("(set BENCH_DATABASE_URL=postgresql+psycopg://… to run it on PostgreSQL as well)")


def main(argv: list[str]) -> None:
    names, rest = (argv[:argv.index("--")], argv[argv.index("--") + 1:]) if "--" in argv else (argv, [])
    for name in names or list(BENCHES):
        if name not in BENCHES:
            raise SystemExit(f"unknown benchmark {name!r}; known: {', '.join(BENCHES)}")
        if importlib.util.find_spec(BENCHES[name]) is None:
            print(f"=== {name}: not installed yet, skipped", flush=True)
            continue
        print(f"=== {name}", flush=True)
        if name == "http":
            _run_http(rest)
            continue
        sys.argv = [BENCHES[name], *rest]
        importlib.import_module(BENCHES[name]).main()


if __name__ == "__main__":
    main(sys.argv[1:])

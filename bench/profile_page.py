"""Profile one page in-process: the queries it runs and where its time goes (pyinstrument).

Point it at a seeded instance (see bench/seed.py) and a logged-in member:

    SAMVERKAN_INSTANCE=/tmp/seeded .venv/bin/python -m bench.profile_page /w/sydsverige/papers/100 \
        [--email tjansteman.kronoberg@demo.example] [--repeat 10]

pyinstrument comes with the [bench] extra: `.venv/bin/pip install -e '.[bench]'`.
"""
from __future__ import annotations

import argparse
import time

from bench.harness import PASSWORD


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("path")
    ap.add_argument("--email", default="tjansteman.kronoberg@demo.example")
    ap.add_argument("--password", default=PASSWORD)
    ap.add_argument("--repeat", type=int, default=10)
    args = ap.parse_args()

    from bench.inprocess import app_with_query_counter, logged_in, print_profile

    app, queries = app_with_query_counter()
    client, _token = logged_in(app, args.email, args.password)
    client.get(args.path)  # warm: templates compiled, caches filled
    queries["n"] = 0
    resp = client.get(args.path)
    print(f"{resp.status_code}, {len(resp.data)} bytes, {queries['n']} queries")
    t = time.process_time()
    for _ in range(args.repeat):
        client.get(args.path)
    print(f"CPU per request: {(time.process_time() - t) / args.repeat * 1000:.1f} ms (mean of {args.repeat})")
    print_profile(lambda: client.get(args.path))


if __name__ == "__main__":
    main()

"""CPU per paper page view when someone has just changed one section: what a working group
editing together sees all day. In-process, on a freshly seeded instance (as the HTTP
benchmark seeds it), or on the one SAMVERKAN_INSTANCE names (see bench/seed.py):

    .venv/bin/python -m bench.view_after_change [--rounds 40]

Before each timed view, another person renames one section of the paper (a change to that
section, an event like a save's). The same paper seen again with no change, a paper never
seen in this process, and the bare baseline route are timed in the same run for comparison.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time

from bench.harness import PASSWORD, PY, ROOT

VIEWER = "tjansteman.kronoberg@demo.example"
PAPER = "/w/sydsverige/papers/100"


def _cpu_ms(fn, rounds: int, before=None) -> float:
    """Lowest mean CPU time of `fn` over three runs of `rounds`; `before` runs untimed first."""
    best = float("inf")
    for _ in range(3):
        spent = 0.0
        for i in range(rounds):
            if before:
                before(i)
            t = time.thread_time()
            fn(i)
            spent += time.thread_time() - t
        best = min(best, spent / rounds * 1000)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=40)
    ap.add_argument("--paper", default=PAPER)
    args = ap.parse_args()
    if not os.environ.get("SAMVERKAN_INSTANCE"):
        from bench.http_bench import seeded_server

        with seeded_server() as srv:  # its gunicorn idles meanwhile
            subprocess.run([PY, "-m", "bench.view_after_change", *sys.argv[1:]],
                           env={**srv.env, "SAMVERKAN_INSTANCE": srv.instance}, cwd=ROOT, check=True)
        return

    from bench.baseline_app import app
    from bench.inprocess import logged_in

    viewer, _ = logged_in(app, VIEWER, PASSWORD)
    writer, token = logged_in(app, VIEWER.replace("kronoberg", "skane"), PASSWORD)
    page = viewer.get(args.paper).get_data(as_text=True)
    section_ids = [int(s) for s in re.findall(r'<li id="section-(\d+)" class="section"', page)]
    papers = [args.paper.rsplit("/", 1)[0] + f"/{n}" for n in range(1, 500)]

    changes = iter(range(10**9))

    def rename(_i: int) -> None:
        n = next(changes)  # a new title every time: the same one again would change nothing
        sid = section_ids[n % len(section_ids)]
        resp = writer.post(f"{args.paper}/sections/{sid}/rename", data={"title": f"Avsnitt {sid}, ändrat {os.getpid()}-{n}",
                                                                       "csrf_token": token},
                           headers={"HX-Request": "true"})
        assert resp.status_code == 200, resp.status_code

    def view(_i: int) -> None:
        assert viewer.get(args.paper).status_code == 200

    seen_papers = iter(papers)

    def first_view(_i: int) -> None:
        viewer.get(next(seen_papers))

    base = _cpu_ms(lambda _i: app.test_client().get("/_bench/baseline"), args.rounds * 5)
    rows = [("bare baseline", base),
            ("paper page seen before", _cpu_ms(view, args.rounds * 5)),
            ("paper page after one section changed", _cpu_ms(view, args.rounds, before=rename)),
            ("paper page never seen in this process", _cpu_ms(first_view, args.rounds))]
    print(f"{'view':42s} {'CPU ms':>8s} {'× baseline':>11s}")
    for name, ms in rows:
        print(f"{name:42s} {ms:8.2f} {base / ms:10.2f}×")


if __name__ == "__main__":
    main()

"""Profile the writes that bench/http_bench.py loads (a section save that merges, a comment
reply) in-process: queries, CPU per request and where the time goes (pyinstrument).

    SAMVERKAN_INSTANCE=/tmp/seeded .venv/bin/python -m bench.profile_write save|reply [--repeat 10]

Each request saves a different seeded section (so each one really merges) or replies in a
different thread; the instance is changed, so use a seeded copy you may spoil.
"""
from __future__ import annotations

import argparse
import time


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["save", "reply"])
    ap.add_argument("--email", default="tjansteman.kronoberg@demo.example")
    ap.add_argument("--repeat", type=int, default=10)
    args = ap.parse_args()

    from sqlalchemy import text

    from bench.inprocess import app_with_query_counter, logged_in, print_profile
    from workspace.db import db

    app, queries = app_with_query_counter()
    with app.app_context():
        me = db.session.execute(text('select id from "user" where email = :e'), {"e": args.email}).scalar()
        if args.what == "save":
            rows = db.session.execute(text(
                "select s.paper_id, s.id, r1.id, r1.html from section s join paper p on p.id = s.paper_id "
                "join revision r1 on r1.section_id = s.id and r1.number = 1 "
                "join revision r2 on r2.section_id = s.id and r2.number = 2 "
                "where p.status in ('draft', 'review', 'decision') and r2.author_id != :me "
                "and s.revision_count = 2 order by s.id limit :n"), {"me": me, "n": args.repeat + 2}).all()
        else:
            rows = db.session.execute(text(
                "select t.paper_id, t.id from comment_thread t join paper p on p.id = t.paper_id "
                "where p.status in ('draft', 'review', 'decision') order by t.id limit :n"),
                {"n": args.repeat + 2}).all()
    client, token = logged_in(app, args.email)

    def request(row):
        if args.what == "save":
            paper_id, section_id, rev1, html = row
            return client.post(f"/w/sydsverige/papers/{paper_id}/sections/{section_id}", headers={"HX-Request": "true"},
                               data={"html": html.replace("<p>", "<p>Justerat i mätningen: ", 1),
                                     "base_revision_id": rev1, "csrf_token": token})
        paper_id, thread_id = row
        return client.post(f"/w/sydsverige/papers/{paper_id}/threads/{thread_id}/replies",
                           headers={"HX-Request": "true"}, data={"body": "Jag instämmer.", "csrf_token": token})

    resp = request(rows[0])
    queries["n"] = 0
    resp = request(rows[1])
    print(f"{resp.status_code} {resp.headers.get('HX-Trigger', '')}, {len(resp.data)} bytes, {queries['n']} queries")
    t = time.process_time()
    for row in rows[2:-1]:
        request(row)
    print(f"CPU per request: {(time.process_time() - t) / max(1, len(rows) - 3) * 1000:.1f} ms")
    print_profile(lambda: request(rows[-1]))


if __name__ == "__main__":
    main()

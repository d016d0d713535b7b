"""Search over 10,000 sections of realistic Swedish text: Whoosh (as the app runs it) beside
SQLite FTS5 on the very same texts, in one run.

Measures p50/p95 of 1-term, 3-term and phrase queries *with* facet counts and highlighted
snippets (what the search page does), the whole search page through Flask, the rebuild, and
the lag from a save (commit) until the text is searchable.

    .venv/bin/python -m bench.search_bench [--sections 10000] [--runs 60] [--profile]
"""
from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from bench.harness import percentile

QUERIES = {
    "1 term": ["kollektivtrafik", "infrastruktur", "kommunerna", "utveckling", "bredband", "regionerna"],
    "3 terms": ["regional utveckling infrastruktur", "kollektivtrafik kommuner samverkan",
                "hållbar tillväxt region", "bredband digitalisering kommunerna",
                "kompetensförsörjning utbildning arbetsmarknad", "stambanor godstrafik hamnar"],
    "phrase": ['"hållbar utveckling"', '"regional utveckling"', '"sydöstra skåne"', '"höghastighetsbanor"',
               '"kollektivtrafik och infrastruktur"', '"region skåne"'],
}
# FTS5 has no Swedish stemmer: the fair equivalent of our stemming is a prefix query on the
# stem, which is what a careful FTS5 deployment would do for Swedish.
FTS_QUERIES = {
    "1 term": ["kollektivtrafik*", "infrastruktur*", "kommun*", "utveckling*", "bredband*", "region*"],
    "3 terms": ["regional* utveckling* infrastruktur*", "kollektivtrafik* kommun* samverkan*",
                "hållbar* tillväxt* region*", "bredband* digitalisering* kommun*",
                "kompetensförsörjning* utbildning* arbetsmarknad*", "stambana* godstrafik* hamn*"],
    "phrase": ['"hållbar utveckling"', '"regional utveckling"', '"sydöstra skåne"', '"höghastighetsbanor"',
               '"kollektivtrafik och infrastruktur"', '"region skåne"'],
}
PLACES = ["Skåne", "Blekinge", "Kronoberg", "Kalmar", "Halland", "Jönköping", "Ystad", "Simrishamn", "Tomelilla",
          "Sjöbo", "Huddinge", "Botkyrka", "Haninge", "Södertälje", "Nyköping", "Eskilstuna", "Katrineholm",
          "Växjö", "Karlskrona", "Halmstad", "Västervik", "Ljungby", "Trelleborg", "Hässleholm"]
TOPICS = ["kollektivtrafiken", "infrastrukturen", "bredbandsutbyggnaden", "kompetensförsörjningen",
          "energiförsörjningen", "kulturlivet", "godstrafiken", "stambanorna", "vätgasstråken", "hamnarna",
          "besöksnäringen", "landsbygdsutvecklingen", "digitaliseringen", "vårdens kompetensbehov"]


def corpus_paragraphs() -> list[str]:
    from workspace.demo.corpus import CORPUS_DIR, FALLBACK

    texts = [p.read_text("utf-8") for p in sorted(CORPUS_DIR.glob("*.txt"))] if CORPUS_DIR.is_dir() \
        else list(FALLBACK.values())
    paras = []
    for t in texts:
        for block in re.split(r"\n\s*\n", t):
            block = " ".join(block.split())
            if len(block) > 80:
                paras.append(block)
    return paras


def varied_text(rng: random.Random, paras: list[str]) -> str:
    """2–4 corpus paragraphs with their sentences shuffled and places and topics varied."""
    out = []
    for _ in range(rng.randint(2, 4)):
        sentences = re.split(r"(?<=[.!?])\s+", rng.choice(paras))
        rng.shuffle(sentences)
        text = " ".join(sentences)
        for place in rng.sample(PLACES, 2):
            text = text.replace(rng.choice(["Skåne", "Ystad", "Sörmland", "Södertörn", "Kalmar"]), place, 1)
        text += f" Här spelar {rng.choice(TOPICS)} i {rng.choice(PLACES)} en central roll för {rng.choice(TOPICS)}."
        out.append(text)
    return "\n".join(f"<p>{p}</p>" for p in out)


def make_app(tmp: str):
    from workspace import create_app

    return create_app({"ENV_NAME": "testing", "SECRET_KEY": "bench", "INSTANCE_PATH": tmp,
                       "SQLALCHEMY_DATABASE_URI": os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3",
                       "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
                       "ARGON2_PARAMS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}})


def fill(app, n_sections: int, seed: int = 8) -> list[dict]:
    """Papers of 20 sections each, spread over the demo workspaces, areas, statuses and years."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from workspace.accounts.models import User
    from workspace.db import db
    from workspace.demo.services import load_demo
    from workspace.papers import services as papers
    from workspace.papers.models import PAPER_STATUSES, PolicyArea
    from workspace.workspaces.models import Workspace

    rng = random.Random(seed)
    paras = corpus_paragraphs()
    authors = {"sydsverige": "tjansteman.skane@demo.example", "sosk": "tjansteman.ystad@demo.example",
               "sodertorn": "kansli.sodertorn@demo.example", "sormland": "kansli.sormland@demo.example"}
    texts = []
    with app.app_context():
        upgrade()
        load_demo("bench-password-1")
        db.session.commit()
    made = 0
    while made < n_sections:
        with app.test_request_context(method="POST"):
            for slug, email in authors.items():
                if made >= n_sections:
                    break
                ws = db.session.scalar(select(Workspace).where(Workspace.slug == slug))
                user = db.session.scalar(select(User).where(User.email == email))
                papers.ensure_policy_areas(ws)
                areas = db.session.scalars(select(PolicyArea).where(PolicyArea.workspace_id == ws.id)).all()
                k = min(20, n_sections - made)
                sections = [(f"{rng.choice(TOPICS).capitalize()} i {rng.choice(PLACES)}", varied_text(rng, paras))
                            for _ in range(k)]
                texts += [{"workspace_id": ws.id, "title": t, "body": re.sub("<[^>]+>", " ", b)} for t, b in sections]
                p = papers.create_paper(user, ws, title=f"{rng.choice(TOPICS).capitalize()} – {rng.choice(PLACES)}",
                                        policy_area_id=rng.choice(areas).id, sections=sections)
                p.status = rng.choice(PAPER_STATUSES)
                p.created_at = p.created_at.replace(year=rng.choice([2022, 2023, 2024, 2025, 2026]))
                made += k
            db.session.commit()
    return texts


CPU: dict[int, list[float]] = {}  # id(wall list) → the same calls' CPU times


def timed(fn, runs: int) -> list[float]:
    """Wall times; the CPU times of the same calls go to CPU (the machine is shared, and CPU
    time shows what a search costs when other processes take turns on the cores)."""
    out, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        fn()
        out.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    CPU[id(out)] = cpu
    return out


def timed_into(lat: list[float], fn, runs: int) -> None:
    part = timed(fn, runs)
    lat += part
    CPU.setdefault(id(lat), []).extend(CPU.pop(id(part)))


def whoosh_rows(app, ws_ids: list[int], runs: int, profile: bool) -> list[tuple[str, list[float]]]:
    from workspace.search import engine
    from workspace.search.indexer import get_index

    rows = []
    with app.app_context():
        ix = get_index()
        first: list[float] = []
        for name, qs in QUERIES.items():
            lat: list[float] = []
            for q in qs:
                # As after a restart or a merge of segments: nothing of the index decoded yet
                # (facet columns, field lengths, postings, positions).
                engine._segment_cache.clear()
                timed_into(first, lambda: engine.search(ix, q, ws_ids), 1)
                timed_into(lat, lambda: engine.search(ix, q, ws_ids), max(1, runs // len(qs)))
            rows.append((f"Whoosh {name}", lat))
        rows.append(("Whoosh, each query's first search, nothing decoded", first))
        # As right after someone's save: a commit changes every score (idf, average length),
        # so a word's kept scores are computed afresh, from postings already decoded.
        after_commit: list[float] = []
        for q in [q for qs in QUERIES.values() for q in qs]:
            engine.writer(ix).commit(merge=False)
            timed_into(after_commit, lambda: engine.search(ix, q, ws_ids), 1)
        rows.append(("Whoosh, each query's first search after a commit", after_commit))
        narrowed: list[float] = []
        timed_into(narrowed, lambda: engine.search(ix, "kollektivtrafik", ws_ids,
                                                   selected={"kind": {"section"}, "status": {"draft"}}), runs)
        date_sorted: list[float] = []
        timed_into(date_sorted, lambda: engine.search(ix, "kollektivtrafik", ws_ids, sort="date"), runs)
        rows.append(("Whoosh 1 term, 2 facets selected", narrowed))
        rows.append(("Whoosh 1 term, newest first", date_sorted))
        if profile:
            from pyinstrument import Profiler

            prof = Profiler()
            prof.start()
            for q in QUERIES["3 terms"] * 5:
                engine.search(ix, q, ws_ids)
            prof.stop()
            print(prof.output_text(unicode=True, color=False, show_all=False))
    return rows


def page_rows(app, runs: int) -> list[tuple[str, list[float]]]:
    """The whole search page (sync check, search, facets, render) through Flask, as a member."""
    from sqlalchemy import select

    from workspace.accounts.models import User
    from workspace.db import db

    client = app.test_client()
    r = client.post("/login", data={"email": "lasare@demo.example", "password": "bench-password-1"})
    assert r.status_code == 303, r.status_code
    lat: list[float] = []

    def page(q):
        r = client.get("/w/sydsverige/search", query_string={"q": q}, headers={"HX-Request": "true"})
        assert r.status_code == 200 and "träff" in r.text, r.status_code

    for q in QUERIES["1 term"] + QUERIES["3 terms"]:
        page(q)
        timed_into(lat, lambda: page(q), max(1, runs // 12))
    return [("Whoosh search page (htmx fragment)", lat)]


def save_lag(app, saves: int) -> list[float]:
    """From the commit of a section save until a search finds the new word (sync + search)."""
    from sqlalchemy import select

    from workspace.accounts.models import User
    from workspace.db import db
    from workspace.papers import services as papers
    from workspace.papers.models import Paper
    from workspace.search import engine
    from workspace.search.indexer import get_index, sync_index

    lags = []
    for i in range(saves):
        word = f"mätord{i}x{random.randint(0, 10**6)}"
        with app.test_request_context(method="POST"):
            user = db.session.scalar(select(User).where(User.email == "tjansteman.skane@demo.example"))
            paper = db.session.scalars(select(Paper).where(Paper.workspace_id == user.memberships[0].workspace_id,
                                                           Paper.status.in_(("draft", "review")))
                                       .order_by(Paper.id.desc()).limit(1)).one()
            s = paper.live_sections[i % len(paper.live_sections)]
            papers.save_section(user, s, s.html + f"<p>{word}</p>", s.current_revision_id)
            db.session.commit()
            t0 = time.perf_counter()
            while True:
                sync_index()
                if engine.search(get_index(), word, [paper.workspace_id]).hits:
                    break
                if time.perf_counter() - t0 > 30:
                    raise RuntimeError("the save never became searchable")
            lags.append(time.perf_counter() - t0)
    return lags


def fts5_rows(texts: list[dict], ws_ids: list[int], runs: int, tmp: str) -> tuple[list, float, list[float]]:
    """The same texts in SQLite FTS5, with the same work per query: filter by workspace, top 20 by
    bm25 with highlighted snippets, and counts for the same facets."""
    rng = random.Random(8)
    con = sqlite3.connect(f"{tmp}/fts5.sqlite3")
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE doc (id INTEGER PRIMARY KEY, workspace_id INT, kind TEXT, policy_area TEXT, status TEXT,"
                " organization TEXT, year INT, updated REAL)")
    con.execute("CREATE VIRTUAL TABLE fts USING fts5(title, body, content='', tokenize='unicode61 remove_diacritics 0')")
    t = time.perf_counter()
    for i, d in enumerate(texts, 1):
        con.execute("INSERT INTO doc VALUES (?,?,?,?,?,?,?,?)",
                    (i, d["workspace_id"], "section", rng.choice(["Infrastruktur", "Kultur", "Kollektivtrafik"]),
                     rng.choice(["draft", "review", "adopted"]), rng.choice(["Region Skåne", "Ystads kommun"]),
                     rng.choice([2024, 2025, 2026]), time.time()))
    con.execute("CREATE VIRTUAL TABLE ftsc USING fts5(title, body, tokenize='unicode61 remove_diacritics 0')")
    con.executemany("INSERT INTO ftsc(rowid, title, body) VALUES (?,?,?)",
                    [(i, d["title"], d["body"]) for i, d in enumerate(texts, 1)])
    con.commit()
    build = time.perf_counter() - t
    marks = ",".join("?" * len(ws_ids))

    def run(q: str) -> None:
        hits = con.execute(
            f"SELECT doc.id, highlight(ftsc, 0, '<mark>', '</mark>'), snippet(ftsc, 1, '<mark>', '</mark>', '…', 24)"
            f" FROM ftsc JOIN doc ON doc.id = ftsc.rowid WHERE ftsc MATCH ? AND doc.workspace_id IN ({marks})"
            f" ORDER BY bm25(ftsc, 2.0, 1.0) LIMIT 20", (q, *ws_ids)).fetchall()
        for col in ("workspace_id", "kind", "policy_area", "status", "organization", "year"):
            con.execute(f"SELECT {col}, count(*) FROM doc WHERE id IN (SELECT rowid FROM ftsc WHERE ftsc MATCH ?)"
                        f" AND workspace_id IN ({marks}) GROUP BY {col}", (q, *ws_ids)).fetchall()
        assert hits is not None

    rows = []
    for name, qs in FTS_QUERIES.items():
        lat: list[float] = []
        for q in qs:
            run(q)
            timed_into(lat, lambda: run(q), max(1, runs // len(qs)))
        rows.append((f"FTS5 {name}", lat))
    lags = []
    for i in range(20):
        word = f"mätord{i}y"
        t0 = time.perf_counter()
        con.execute("INSERT INTO ftsc(rowid, title, body) VALUES (?,?,?)", (len(texts) + i + 1, "Ny", word))
        con.commit()
        assert con.execute("SELECT rowid FROM ftsc WHERE ftsc MATCH ?", (word,)).fetchall()
        lags.append(time.perf_counter() - t0)
    con.close()
    return rows, build, lags


def ms(v: float) -> str:
    return f"{v * 1000:.1f}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sections", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=60, help="timed searches per kind of query")
    ap.add_argument("--saves", type=int, default=20)
    ap.add_argument("--profile", action="store_true", help="print a pyinstrument profile of 3-term searches")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="samverkan-search-bench-")
    try:
        app = make_app(tmp)
        print(f"filling {args.sections} sections …", flush=True)
        t = time.perf_counter()
        texts = fill(app, args.sections)
        print(f"  {time.perf_counter() - t:.0f} s", flush=True)
        from workspace.search.indexer import rebuild

        with app.app_context():
            t = time.perf_counter()
            docs = rebuild()
            rebuild_s = time.perf_counter() - t
            from workspace.workspaces.models import Workspace
            from workspace.db import db
            from sqlalchemy import select

            ws_ids = db.session.scalars(select(Workspace.id)).all()
        print(f"  Whoosh rebuild: {docs} documents in {rebuild_s:.1f} s", flush=True)
        rows = whoosh_rows(app, ws_ids, args.runs, args.profile)
        rows += page_rows(app, args.runs)
        lag = save_lag(app, args.saves)
        fts, fts_build, fts_lag = fts5_rows(texts, ws_ids, args.runs, tmp)
        rows += fts
        size = sum(f.stat().st_size for f in Path(tmp, "search-index").glob("*"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nSearch over {len(texts)} sections ({docs} Whoosh documents incl. papers), all four workspaces "
          "searchable, top 20 with snippets and six facet counts")
    width = max(len(r[0]) for r in rows) + 2
    print(f"  {'query':<{width}} {'p50 ms':>8} {'p95 ms':>8} {'CPU p50':>8} {'CPU p95':>8}  n")
    for name, lat in rows:
        cpu = CPU.get(id(lat), [])
        print(f"  {name:<{width}} {ms(percentile(lat, 50)):>8} {ms(percentile(lat, 95)):>8}"
              f" {ms(percentile(cpu, 50)):>8} {ms(percentile(cpu, 95)):>8}  {len(lat)}")
    print(f"  {'save → searchable, Whoosh':<{width}} {ms(percentile(lag, 50)):>8} {ms(percentile(lag, 95)):>8}"
          f"  {len(lag)}")
    print(f"  {'save → searchable, FTS5':<{width}} {ms(percentile(fts_lag, 50)):>8} {ms(percentile(fts_lag, 95)):>8}"
          f"  {len(fts_lag)}")
    print(f"  build: Whoosh rebuild {rebuild_s:.1f} s ({size / 1e6:.0f} MB), FTS5 {fts_build:.1f} s")


if __name__ == "__main__":
    main()

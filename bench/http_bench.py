"""HTTP throughput and latency on the seeded data set, against a baseline, in one run.

Seeds a fresh database (bench/seed.py: 500 papers × 20 sections, 60 people, 50 comments per
paper when comments are installed), serves it with gunicorn exactly as `make run` does
(`gunicorn.conf.py`), plus a baseline route that only the benchmark's app object has
(bench/baseline_app.py), and loads it with wrk at 16 connections on 127.0.0.1:

- baseline: a bare Flask route, one 100-row query, a ~5 KB template;
- the paper page, first views (an official opening each of 460 papers once, 16 at a time, so
  its sections are rendered, not taken from the cache: a Python client, since wrk cannot stop
  after a number of requests), the other 40 opened once each by one connection (what a person
  waits for), and views of 20 papers seen before (what a working group has open: they come
  from the cache);
- a section save with a merge (base = revision 1; another official saved revision 2 in
  between; every request saves a different section, so each one really merges), by 16
  connections at once and by one connection (a person's save, nobody else saving);
- a comment (a reply in a thread; when the comments domain is installed);
- a search (the search page, rotating queries), by 16 connections at once and by one;
- the filtered papers list (rotating filters and sorts).

Requests/s and p50/p95/p99 per route and as a ratio to the baseline; peak RSS per worker;
database size. `BENCH_DATABASE_URL=postgresql+psycopg://…` runs it on PostgreSQL.

    .venv/bin/python -m bench.http_bench [--duration 10] [--connections 16] [--only "search;paper page, seen before"]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from bench.harness import PASSWORD, PY, ROOT, Server, free_port, wait_until_serving

WS = "sydsverige"
WRK = shutil.which("wrk") or "/usr/bin/wrk"
TARGETS = {"page_ratio": 0.5, "save_p95_ms": 50.0, "search_p95_ms": 30.0}
FIRST_VIEW = "paper page, first views"
FIRST_VIEW_ALONE = "paper page, first views by one person"
# Papers kept back from the first views at 16 connections for one person's first views.
FIRST_VIEWS_ALONE = 40
SEEN_BEFORE = "paper page, seen before"
SEEN_BEFORE_RUNS = 7
SAVE_ALONE = "section save (merge) by one person"
SEARCH_ALONE = "search by one person"

LUA_COMMON = r"""
local paths = {}
local bodies = {}
local counter = 0
local nthreads = 0
%(data)s
-- setup() runs in wrk's main state; thread:set() gives each thread's state its own global `tid`,
-- so the threads take interleaved, distinct requests from the list.
all_threads = {}
function setup(thread)
  table.insert(all_threads, thread)
  thread:set("tid", nthreads)
  nthreads = nthreads + 1
end
request = function()
  local n = #paths
  local i = (counter * %(threads)d + (tid or 0)) %% n + 1
  counter = counter + 1
  local headers = {}
  headers["Cookie"] = "%(cookie)s"
  %(extra_headers)s
  if bodies[i] then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    return wrk.format("POST", paths[i], headers, bodies[i])
  end
  return wrk.format("GET", paths[i], headers, nil)
end
%(response)s
done = function(summary, latency, requests)
  -- every thread's status counts (response() ran in the threads' states)
  local seen = ""
  for _, t in ipairs(all_threads) do
    local st = t:get("statuses")
    for code, n in pairs(st or {}) do seen = seen .. code .. "×" .. n .. " " end
  end
  local out = io.open("%(result)s", "w")
  out:write(string.format('{"requests": %%d, "duration_us": %%d, "p50": %%d, "p95": %%d, "p99": %%d, "max": %%d, ' ..
    '"errors": %%d, "timeouts": %%d, "non2xx": %%d, "statuses": "%%s"}',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status,
    summary.errors.timeout, summary.errors.status, seen))
  out:close()
end
"""


RESPONSE_LUA = r"""statuses = {}
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end"""


def lua_quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def write_lua(tmp: Path, name: str, cookie: str, paths: list[str], bodies: list[str] | None = None,
              threads: int = 2, extra_headers: dict | None = None) -> tuple[Path, Path]:
    lines = [f"paths[{i + 1}] = {lua_quote(p)}" for i, p in enumerate(paths)]
    if bodies:
        lines += [f"bodies[{i + 1}] = {lua_quote(b)}" for i, b in enumerate(bodies)]
    data = "\n".join(lines)
    extra = "\n  ".join(f'headers["{k}"] = "{v}"' for k, v in (extra_headers or {}).items())
    result = tmp / f"{name}.json"
    # Counting statuses per response makes wrk hand every body to Lua: only for the writes,
    # where 409 and 422 matter; for reads wrk's own count of non-2xx answers is enough.
    response = RESPONSE_LUA if bodies else ""
    script = LUA_COMMON % dict(data=data, cookie=cookie.replace('"', '\\"'), extra_headers=extra,
                               result=str(result), threads=threads, response=response)
    path = tmp / f"{name}.lua"
    path.write_text(script, "utf-8")
    return path, result


def run_wrk(port: int, script: Path, result: Path, *, duration: int, connections: int, threads: int = 2) -> dict:
    cmd = [WRK, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(script),
           f"http://127.0.0.1:{port}/"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if not result.exists():
        raise RuntimeError(f"wrk failed: {proc.stdout[-500:]} {proc.stderr[-500:]}")
    r = json.loads(result.read_text())
    result.unlink()
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    # The load generator's own CPU per answer: it shares the machine's two cores with the
    # server, and reading a 200 KB page costs it more than reading the 6 KB baseline.
    wrk_seconds = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    r["wrk_cpu_ms"] = wrk_seconds * 1000 / max(r["requests"], 1)
    return r


def run_each_once(port: int, paths: list[str], cookie: str, *, connections: int) -> dict:
    """Every path requested once, `connections` at a time on keep-alive connections, reported as
    `run_wrk` reports. For first views: wrk cannot stop after a number of requests, and a
    request after the last path would open a paper a second time (from the cache). The client
    is Python, so its CPU per answer (in "wrk_cpu_ms") is higher than wrk's."""
    import http.client
    import threading

    pending = iter(paths)
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = [0]

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                path = next(pending, None)
            if path is None:
                break
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
                resp = conn.getresponse()
                resp.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                with lock:
                    errors[0] += 1
                continue
            took = time.perf_counter() - started
            with lock:
                latencies.append(took)
                statuses[resp.status] = statuses.get(resp.status, 0) + 1
        conn.close()

    cpu, started = time.process_time(), time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    duration, cpu = time.perf_counter() - started, time.process_time() - cpu
    ordered = sorted(latencies) or [0.0]

    def pct(q: float) -> int:
        return int(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1e6)

    non2xx = sum(n for code, n in statuses.items() if not 200 <= code < 300)
    return {"requests": len(latencies), "duration_us": int(duration * 1e6), "p50": pct(0.50), "p95": pct(0.95),
            "p99": pct(0.99), "max": int(ordered[-1] * 1e6), "errors": errors[0] + non2xx, "timeouts": 0,
            "non2xx": non2xx, "statuses": " ".join(f"{code}×{n}" for code, n in sorted(statuses.items())),
            "rps": len(latencies) / duration, "wrk_cpu_ms": cpu * 1000 / max(len(latencies), 1)}


def db_size(env: dict, instance: str) -> int:
    url = env.get("DATABASE_URL", "")
    if url.startswith("postgresql"):
        out = subprocess.run([PY, "-c", (
            "import os,sqlalchemy as sa;e=sa.create_engine(os.environ['DATABASE_URL']);"
            "c=e.connect();print(c.execute(sa.text('select pg_database_size(current_database())')).scalar())")],
            env=env, capture_output=True, text=True, check=True).stdout
        return int(out.strip())
    return sum(p.stat().st_size for p in Path(instance).glob("samverkan.sqlite3*"))


def cpu_seconds(pids) -> float:
    """User + system CPU time the processes have used so far (/proc/<pid>/stat), in seconds."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        except (OSError, IndexError, ValueError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def memory_kb(pid: int) -> dict[str, int]:
    """A process's peak resident memory (VmHWM) and what is resident now, split into its own
    memory (RssAnon) and mapped files (RssFile: the search index's segments, shared between the
    workers and given back to the system when it needs the room), in kB."""
    found = {"VmHWM": 0, "RssAnon": 0, "RssFile": 0}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name = line.split(":", 1)[0]
            if name in found:
                found[name] = int(line.split()[1])
    except OSError:
        pass
    return {"peak": found["VmHWM"], "anon": found["RssAnon"], "file": found["RssFile"]}


def memory_line(workers: list[dict[str, int]]) -> str:
    def mb(key: str) -> str:
        return ", ".join(f"{w[key] / 1024:.0f} MB" for w in workers)

    return (f"Peak RSS per gunicorn worker (VmHWM, after all runs): {mb('peak')}; resident at the end, "
            f"the worker's own memory (RssAnon) {mb('anon')}, mapped files (RssFile, mostly the search "
            f"index, shared) {mb('file')}.")


@contextmanager
def seeded_server(*, seed_args: dict | None = None):
    """A fresh database with the demo and the seed, served by gunicorn with gunicorn.conf.py."""
    tmp = tempfile.mkdtemp(prefix="samverkan-httpbench-")
    port = free_port()
    env = dict(os.environ)
    env.update({"SAMVERKAN_ENV": "development", "SECRET_KEY": "bench-secret", "SAMVERKAN_INSTANCE": tmp,
                "PORT": str(port), "LOGIN_RATE_LIMIT": "100000 per minute", "PYTHONPATH": str(ROOT)})
    if os.environ.get("BENCH_DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
        _reset_postgres(env)
    flask = [PY, "-m", "flask", "--app", "workspace"]
    timings = {}
    t = time.perf_counter()
    subprocess.run(flask + ["db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run(flask + ["demo", "--password", PASSWORD], env=env, cwd=ROOT, check=True, capture_output=True)
    timings["migrate+demo"] = time.perf_counter() - t
    out = subprocess.run([PY, "-m", "bench.seed"], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    print("  " + out.stdout.strip(), flush=True)
    timings["seed"] = float(re.search(r"in ([\d.]+) s", out.stdout).group(1))
    t = time.perf_counter()
    subprocess.run(flask + ["search", "rebuild"], env=env, cwd=ROOT, check=True, capture_output=True)
    timings["search index rebuild"] = time.perf_counter() - t
    cmd = [PY, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--access-logfile", "/dev/null",
           "bench.baseline_app:app"]
    log = open(Path(tmp) / "gunicorn.log", "w+b")
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
    try:
        if not wait_until_serving(port, 60):
            raise RuntimeError("gunicorn did not start: " + (Path(tmp) / "gunicorn.log").read_text()[-2000:])
        srv = Server(port, env, proc)
        srv.instance = tmp
        srv.timings = timings
        yield srv
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)


def _reset_postgres(env: dict) -> None:
    """Start from an empty schema (the benchmark owns the database it is given)."""
    subprocess.run([PY, "-c", (
        "import os,sqlalchemy as sa;e=sa.create_engine(os.environ['DATABASE_URL']);"
        "c=e.connect();c.execute(sa.text('drop schema public cascade'));c.execute(sa.text('create schema public'));"
        "c.commit()")], env=env, check=True, capture_output=True)


def _query(env: dict, code: str):
    """Run `code` (which sets `out`) in an app context of the benchmark's database; return `out`."""
    script = ("import json\nfrom workspace import create_app\napp=create_app()\nwith app.app_context():\n"
              "    from workspace.db import db\n    from sqlalchemy import text\n"
              + "\n".join("    " + line for line in code.strip().splitlines())
              + "\nprint(json.dumps(out))")
    res = subprocess.run([PY, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True)
    if res.returncode:
        raise RuntimeError(res.stderr[-2000:])
    return json.loads(res.stdout.strip().splitlines()[-1])


def plan(srv, tmp: Path, *, threads: int) -> dict:
    """Build each scenario's request list (and check one request of each by hand)."""
    from urllib.parse import urlencode

    official = srv.session("tjansteman.kronoberg@demo.example")
    cookie = official.cookie_header()
    token = official.token
    info = _query(srv.env, """
from workspace.workspaces.models import Workspace
from workspace.accounts.models import User
ws = db.session.scalar(db.select(Workspace).where(Workspace.slug == 'sydsverige'))
me = db.session.scalar(db.select(User).where(User.email == 'tjansteman.kronoberg@demo.example'))
papers = [r[0] for r in db.session.execute(text(
    "select id from paper where workspace_id = :w order by id"), {"w": ws.id})]
areas = [r[0] for r in db.session.execute(text("select id from policy_area where workspace_id = :w"), {"w": ws.id})]
orgs = [r[0] for r in db.session.execute(text("select organization_id from workspace_organization where workspace_id = :w"), {"w": ws.id})]
# merge targets: revision 2 by someone else, revision 1 is the base the saver started from
targets = [list(r) for r in db.session.execute(text(
    "select s.paper_id, s.id, r1.id, r1.html from section s join paper p on p.id = s.paper_id "
    "join revision r1 on r1.section_id = s.id and r1.number = 1 "
    "join revision r2 on r2.section_id = s.id and r2.number = 2 "
    "where p.workspace_id = :w and p.status in ('draft', 'review', 'decision') and r2.author_id != :me "
    "and s.revision_count = 2 order by s.id"), {"w": ws.id, "me": me.id})]
threads_ = []
if 'comment_thread' in db.metadata.tables:
    threads_ = [list(r) for r in db.session.execute(text(
        "select t.paper_id, t.id from comment_thread t join paper p on p.id = t.paper_id "
        "where t.workspace_id = :w and p.status in ('draft', 'review', 'decision') order by t.id limit 2000"), {"w": ws.id})]
out = dict(papers=papers, areas=areas, orgs=orgs, targets=targets, threads=threads_)
""")
    scen = {}
    base = f"/w/{WS}"
    papers = info["papers"][-500:]
    scen["baseline"] = dict(paths=["/_bench/baseline"], cookie="")
    scen[FIRST_VIEW] = dict(paths=[f"{base}/papers/{p}" for p in papers[:-FIRST_VIEWS_ALONE]], cookie=cookie,
                            distinct=True)
    # What a person waits for when opening a paper nobody has opened since the server started.
    scen[FIRST_VIEW_ALONE] = dict(paths=[f"{base}/papers/{p}" for p in papers[-FIRST_VIEWS_ALONE:]],
                                  cookie=cookie, distinct=True, connections=1)
    # Each of 20 papers opened 8 times before the run: both workers have seen each one. It is
    # the target, and the machine's other tenants move the baseline by up to 4× within a
    # minute: seven runs, each between two baseline runs, and the median ratio stands.
    scen[SEEN_BEFORE] = dict(paths=[f"{base}/papers/{p}" for p in papers[:20]], cookie=cookie, warm=8,
                            repeat=SEEN_BEFORE_RUNS)
    bodies, paths = [], []
    for paper_id, section_id, rev1, html in info["targets"]:
        # My change in the first paragraph; the other official changed the last one.
        mine = html.replace("<p>", "<p>Justerat i mätningen: ", 1)
        paths.append(f"{base}/papers/{paper_id}/sections/{section_id}")
        bodies.append(urlencode({"html": mine, "base_revision_id": rev1, "csrf_token": token}))
    # Half of the sections for 16 people saving at once, the other half for one person saving
    # after another (a save as a person waits for it): every request still merges once.
    half = len(paths) // 2
    scen["section save (merge)"] = dict(paths=paths[:half], bodies=bodies[:half], cookie=cookie, once=True,
                                        headers={"HX-Request": "true"})
    scen[SAVE_ALONE] = dict(paths=paths[half:], bodies=bodies[half:], cookie=cookie, once=True,
                            headers={"HX-Request": "true"}, connections=1)
    if info["threads"]:
        scen["comment (reply)"] = dict(
            paths=[f"{base}/papers/{p}/threads/{t}/replies" for p, t in info["threads"]],
            bodies=[urlencode({"body": f"Jag instämmer, svar nummer {i}.", "csrf_token": token})
                    for i in range(len(info["threads"]))],
            cookie=cookie, headers={"HX-Request": "true"})
    queries = ["kollektivtrafik", "regional utveckling", "infrastruktur Blekinge", "hållbar tillväxt",
               "kompetensförsörjning", "bredband kommunerna", '"hållbar utveckling"', "stambanor godstrafik"]
    from urllib.parse import quote_plus

    scen["search"] = dict(paths=[f"{base}/search?q={quote_plus(q)}" for q in queries], cookie=cookie)
    # A person searching while nobody else is: the search engine benchmark's queries too
    # (1 and 3 terms, phrases), so a run does not go round the same eight.
    from bench.search_bench import QUERIES

    more = queries + [q for qs in QUERIES.values() for q in qs if q not in queries]
    # Each searched four times before the run (new connections, so most likely in both
    # workers): the words' postings decoded, as on a server that has been running. What a
    # first search costs is in the search benchmark ("first search, nothing decoded", and
    # "first search after a commit").
    scen[SEARCH_ALONE] = dict(paths=[f"{base}/search?q={quote_plus(q)}" for q in more], cookie=cookie,
                              connections=1, warm=4)
    lists = []
    for i, area in enumerate(info["areas"]):
        for status in ("draft", "review", "decision"):
            sort = ("updated", "title", "deadline")[i % 3]
            lists.append(f"{base}/papers?status={status}&area={area}&sort={sort}")
        lists.append(f"{base}/papers?org={info['orgs'][i % len(info['orgs'])]}&kind=position_paper&page=2")
    scen["filtered papers list"] = dict(paths=lists, cookie=cookie)

    # One request of each by hand: the right status, and a save really merges.
    for name, s in scen.items():
        if name == "section save (merge)":
            continue
        if s.get("bodies"):
            continue  # writes: wrk counts every non-2xx answer
        st, body = official.get(s["paths"][0]) if s["cookie"] else _anon_get(srv.port, s["paths"][0])
        if st != 200:
            raise RuntimeError(f"{name}: {s['paths'][0]} answered {st}")
        s["bytes"] = len(body.encode())
    if paths:
        probe = scen["section save (merge)"]
        conn = official.conn
        conn.request("POST", probe["paths"][-1], body=probe["bodies"][-1],
                     headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded",
                              "HX-Request": "true"})
        resp = conn.getresponse()
        resp.read()
        trig = resp.getheader("HX-Trigger", "")
        if resp.status != 200 or '"merged"' not in trig:
            raise RuntimeError(f"the probe save did not merge: {resp.status} {trig}")
        probe["paths"].pop()
        probe["bodies"].pop()
    official.close()
    return scen


def _get_with_cookie(port: int, path: str, cookie: str) -> int:
    import http.client

    c = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        c.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        r = c.getresponse()
        r.read()
        return r.status
    finally:
        c.close()


def _anon_get(port: int, path: str):
    import http.client

    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.read().decode("utf-8", "replace")
    finally:
        c.close()


def measure(*, duration: int, connections: int, only: set[str] | None = None) -> dict:
    threads = 2
    out: dict = {"rows": {}}
    with seeded_server() as srv:
        tmp = Path(srv.instance)
        scen = plan(srv, tmp, threads=threads)
        out["timings"] = srv.timings
        out["baseline_bytes"] = scen["baseline"].get("bytes")
        # The machine drifts (the bare baseline moved between 486 and 1102 req/s within one run),
        # so the baseline runs before and after every route, and each route is compared with the
        # mean of its two neighbours. The paper page seen before (the target) runs SEEN_BEFORE_RUNS times.
        order = [FIRST_VIEW, FIRST_VIEW_ALONE, SEEN_BEFORE, "section save (merge)", SAVE_ALONE,
                 "comment (reply)", "search", SEARCH_ALONE, "filtered papers list"]
        runs = [("baseline", 0)]
        for name in order:
            if name in scen and (not only or name in only):
                runs += [x for k in range(scen[name].get("repeat", 1)) for x in ((name, k), ("baseline", 0))]
        seen_baseline = []
        pending: list = []  # routes waiting for the baseline after them
        for name, repetition in runs:
            s = scen[name]
            conns = s.get("connections", connections)
            script, result = write_lua(tmp, re.sub(r"\W+", "_", name), s["cookie"], s["paths"], s.get("bodies"),
                                       threads=min(threads, conns), extra_headers=s.get("headers"))
            if not s.get("bodies") and not s.get("distinct"):
                # One untimed request first: the search index applies the events of the writes
                # measured before it (as it would have done in the meantime in real use).
                _get_with_cookie(srv.port, s["paths"][0], s["cookie"])
            for _ in range(s.get("warm", 0) if repetition == 0 else 0):
                for path in s["paths"]:
                    _get_with_cookie(srv.port, path, s["cookie"])
            workers = srv.worker_pids()
            follower = [pid for pid in [srv.follower_pid()] if pid]
            cpu_before, follower_before = cpu_seconds(workers), cpu_seconds(follower)
            if s.get("distinct"):
                r = run_each_once(srv.port, s["paths"], s["cookie"], connections=conns)
            else:
                r = run_wrk(srv.port, script, result, duration=duration, connections=conns,
                            threads=min(threads, conns))
            # The server's own CPU per answer: steadier than req/s when the machine's other
            # tenants take cores away (what they take is not counted as ours).
            r["cpu_ms"] = (cpu_seconds(workers) - cpu_before) * 1000 / max(r["requests"], 1)
            # The search index follower (a process beside the workers) indexes what the writes
            # changed: its CPU is not in the workers', so it is given on its own.
            r["follower_cpu_ms"] = (cpu_seconds(follower) - follower_before) * 1000 / max(r["requests"], 1)
            r["connections"] = conns
            notes = []
            if s.get("once") and r["requests"] > len(s["paths"]):
                notes.append(f"only {len(s['paths'])} distinct merges; later requests repeat a section")
            if s.get("distinct"):
                notes.append(f"each of the {len(s['paths'])} papers opened once, {conns} at a time "
                             f"(a Python client; {r['duration_us'] / 1e6:.1f} s)")
            if r["follower_cpu_ms"] >= 0.1:
                notes.append(f"the search index follower used {r['follower_cpu_ms']:.1f} ms of CPU per answer "
                             "beside the workers (indexing what the requests changed)")
            if notes:
                r["note"] = "; ".join(notes)
            print(f"  {name:24s} {r['rps']:8.1f} req/s  CPU {r['cpu_ms']:6.2f} ms/req (wrk {r['wrk_cpu_ms']:.2f})  p50 {r['p50'] / 1000:7.1f}  p95 {r['p95'] / 1000:7.1f}  "
                  f"p99 {r['p99'] / 1000:7.1f} ms  statuses {r.get('statuses', '')} timeouts {r['timeouts']}", flush=True)
            if "5" in "".join(code[:1] for code in r.get("statuses", "").split()):
                errors = [ln for ln in (tmp / "gunicorn.log").read_text("utf-8", "replace").splitlines()
                          if "Error" in ln or "error" in ln]
                print("    server errors: " + " | ".join(errors[-3:]), flush=True)
                if os.environ.get("BENCH_VERBOSE"):
                    print((tmp / "gunicorn.log").read_text("utf-8", "replace")[-6000:])
            if name == "baseline":
                seen_baseline.append(r)
                for route_name, route in pending:
                    before, after = seen_baseline[-2], seen_baseline[-1]
                    route["baseline_rps"] = (before["rps"] + after["rps"]) / 2
                    route["ratio"] = route["rps"] / route["baseline_rps"]
                    route["baseline_p95"] = (before["p95"] + after["p95"]) / 2
                    route["p95_ratio"] = route["p95"] / route["baseline_p95"]
                    route["cpu_ratio"] = (before["cpu_ms"] + after["cpu_ms"]) / 2 / route["cpu_ms"]
                    out.setdefault("runs", {}).setdefault(route_name, []).append(route)
                pending = []
            else:
                pending.append((name, r))
        for name, rs in out.get("runs", {}).items():
            # Of repeated runs, the one with the median ratio stands for the route; all ratios are kept.
            rs = sorted(rs, key=lambda x: x["ratio"])
            row = dict(rs[len(rs) // 2])
            row["ratios"] = [round(x["ratio"], 2) for x in rs]
            row["cpu_ratios"] = [round(x["cpu_ratio"], 2) for x in rs]
            if len(rs) > 1:
                # The host's quiet minutes, whenever each came: the route's best run against the
                # baseline's best (a slow baseline next to a route flatters the route's ratio).
                row["best_ratio"] = max(x["rps"] for x in rs) / max(x["rps"] for x in seen_baseline)
                row["best_cpu_ratio"] = min(x["cpu_ms"] for x in seen_baseline) / min(x["cpu_ms"] for x in rs)
            out["rows"][name] = row
        # The mean of all baseline runs, for the table's first row.
        b = {k: sum(x[k] for x in seen_baseline) / len(seen_baseline) for k in ("rps", "p50", "p95", "p99", "cpu_ms")}
        b.update(non2xx=sum(x["non2xx"] for x in seen_baseline), errors=sum(x["errors"] for x in seen_baseline),
                 runs=[round(x["rps"], 1) for x in seen_baseline])
        out["baseline"] = b
        out["memory_kb"] = [memory_kb(pid) for pid in srv.worker_pids()]
        out["db_bytes"] = db_size(srv.env, srv.instance)
        out["sizes"] = {k: v.get("bytes") for k, v in scen.items()}
    return out


def table(res: dict, label: str) -> list[str]:
    b = res["baseline"]
    lines = [f"| route ({label}) | req/s | × baseline | server CPU ms/req | × baseline by CPU | p50 ms | p95 ms "
             "| p99 ms | p95 × baseline | non-2xx |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
             f"| baseline (bare Flask, 100-row query, {res['sizes'].get('baseline') or 0} B template) | {b['rps']:.0f} "
             f"| 1.00 | {b['cpu_ms']:.2f} | 1.00 | {b['p50'] / 1000:.1f} | {b['p95'] / 1000:.1f} | {b['p99'] / 1000:.1f} "
             f"| 1.0 | {b['non2xx']} |"]

    def with_all(value: float, values: list) -> str:
        return f"{value:.2f}" + (f" ({', '.join(f'{x:.2f}' for x in values)})" if len(values) > 1 else "")

    for name, r in res["rows"].items():
        lines.append(f"| {name} | {r['rps']:.0f} | {with_all(r['ratio'], r['ratios'])} | {r['cpu_ms']:.2f} | "
                     f"{with_all(r['cpu_ratio'], r['cpu_ratios'])} | {r['p50'] / 1000:.1f} | "
                     f"{r['p95'] / 1000:.1f} | {r['p99'] / 1000:.1f} | {r['p95_ratio']:.1f} | "
                     f"{r['errors']} |")  # wrk's errors include the non-2xx answers
    return lines


def verdicts(res: dict) -> list[str]:
    """One line per target, read as a person meets the route, then the figures under load and
    on an empty cache beside it.

    A p95 target that the bare baseline itself misses under the same load (16 connections on
    a machine with two cores: every request waits for a core) is out of any route's reach
    there, since every route does at least what the baseline does; such a line says so, with
    the route's p95 as a multiple of the baseline's. On a machine where the baseline meets it,
    the line says met or MISSED like the others."""
    out = []
    rows = res["rows"]
    if SEEN_BEFORE in rows:
        row = rows[SEEN_BEFORE]
        ratio, best = row["ratio"], row.get("best_ratio")
        also = (f"; best run against the baseline's best {best:.2f}× (by CPU {row['best_cpu_ratio']:.2f}×)"
                if best is not None else "")
        # Met only if it holds both ways: the median around it and the best against the best.
        out.append(f"paper page throughput, pages seen before (what a working group has open): {ratio:.2f}× the "
                   f"baseline around it (by server CPU per answer {row['cpu_ratio']:.2f}×{also}; target ≥ 0.5×): "
                   + ("met" if min(ratio, best if best is not None else ratio) >= TARGETS["page_ratio"]
                      else "MISSED"))
    if FIRST_VIEW in rows:
        row = rows[FIRST_VIEW]
        alone = rows.get(FIRST_VIEW_ALONE)
        out.append(f"paper page, first views (nothing cached: a paper nobody has opened since the server started), "
                   f"{row['ratio']:.2f}× the baseline (by CPU {row['cpu_ratio']:.2f}×): below 0.5×; each renders "
                   "all its sections and comment threads"
                   + (f"; one person opening such a paper waits p50 {alone['p50'] / 1000:.1f} ms, "
                      f"p95 {alone['p95'] / 1000:.1f} ms" if alone else ""))

    def latency(name: str, what: str, target: float) -> None:
        if name not in rows:
            return
        row = rows[name]
        p95, conns = row["p95"] / 1000, row.get("connections", 16)
        line = f"{what} at {conns} connection(s): p95 {p95:.1f} ms (target < {target:.0f} ms): "
        base = row.get("baseline_p95", 0) / 1000
        if conns > 1 and base >= target:
            line += (f"out of reach at this load: the bare baseline's own p95 around it was {base:.1f} ms; "
                     f"this route's p95 is {p95 / base:.1f}× the baseline's")
        else:
            line += "met" if p95 < target else "MISSED"
            if conns > 1 and base:
                line += f" (the bare baseline's own p95 around it: {base:.1f} ms)"
        out.append(line)

    latency(SAVE_ALONE, "section save (merge) by one person", TARGETS["save_p95_ms"])
    latency("section save (merge)", "section save (merge)", TARGETS["save_p95_ms"])
    latency(SEARCH_ALONE, "search page by one person", TARGETS["search_p95_ms"])
    latency("search", "search page", TARGETS["search_p95_ms"])
    return out


def describe_machine() -> str:
    import platform

    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    mem = int(next(ln.split()[1] for ln in Path("/proc/meminfo").read_text().splitlines()
                   if ln.startswith("MemTotal"))) / 1024 / 1024
    load = os.getloadavg()
    return (f"{os.cpu_count()} CPU ({cpu}), {mem:.0f} GiB RAM, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}; load average at start {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")


def parse_only(value: str) -> set[str] | None:
    """Scenario names separated by ";" or ","; the page's names hold a comma themselves
    ("paper page, seen before"), so those are taken whole wherever they stand."""
    names = set()
    for part in value.split(";"):
        for whole in (FIRST_VIEW_ALONE, FIRST_VIEW, SEEN_BEFORE):
            if whole in part:
                names.add(whole)
                part = part.replace(whole, "")
        names |= {x.strip() for x in part.split(",") if x.strip()}
    return names or None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--only", default="")
    ap.add_argument("--papers", type=int, default=0, help="seed fewer papers (only to try the bench out)")
    ap.add_argument("--json", default="", help="also write the raw figures here")
    ap.add_argument("--docs", action="store_true", help="write the table into docs/benchmarks.md")
    args = ap.parse_args()
    if args.papers:
        os.environ["BENCH_PAPERS"] = str(args.papers)
    only = parse_only(args.only)
    label = "PostgreSQL" if os.environ.get("BENCH_DATABASE_URL", "").startswith("postgresql") else "SQLite"
    machine = describe_machine()
    print(f"machine: {machine}", flush=True)
    print(f"seeding and serving on {label} …", flush=True)
    res = measure(duration=args.duration, connections=args.connections, only=only)
    res["label"] = label
    end = os.getloadavg()
    res["machine"] = f"{machine}, at the end {end[0]:.1f} / {end[1]:.1f} / {end[2]:.1f}"
    print()
    print("\n".join(table(res, label)))
    print(f"seed {res['timings']['seed']:.1f} s, search rebuild {res['timings']['search index rebuild']:.1f} s; "
          f"database {res['db_bytes'] / 1e6:.1f} MB. {memory_line(res['memory_kb'])}")
    for v in verdicts(res):
        print("  " + v)
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=1, default=str))
    if args.docs:
        write_docs(res, args)


def write_docs(res: dict, args) -> None:
    """Replace this database's part of the HTTP section in docs/benchmarks.md (the rest stays)."""
    import datetime

    doc = ROOT / "docs" / "benchmarks.md"
    text_ = doc.read_text("utf-8")
    key = res["label"].lower()
    start, end = f"<!-- http:{key}:start -->", f"<!-- http:{key}:end -->"
    t = res["timings"]
    body = "\n".join([
        start,
        f"### {res['label']} — {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        "",
        f"Machine: {res['machine']}. wrk, {args.connections} connections, 2 threads, {args.duration} s per route, "
        "127.0.0.1. The baseline ran before and after every route, and each route's ratios are to the "
        "mean of the two baseline runs around it (the machine drifts; the paper page seen before ran "
        f"{SEEN_BEFORE_RUNS} times, its ratios in brackets, the median in front). \"Server CPU ms/req\" is the gunicorn "
        "workers' user + system CPU time during the run divided by the answers; its ratio is the baseline's "
        "over the route's, steadier than req/s when other tenants take the cores. The baseline row is the "
        f"mean of all its runs (req/s {', '.join(str(x) for x in res['baseline']['runs'])}).",
        "",
        *table(res, res["label"]),
        "",
        f"Seed {t['seed']:.1f} s (bulk inserts, one transaction); migrate + demo {t['migrate+demo']:.1f} s; "
        f"search index rebuild {t['search index rebuild']:.1f} s. Database size {res['db_bytes'] / 1e6:.1f} MB. "
        + memory_line(res["memory_kb"]),
        "",
        *("- " + v for v in verdicts(res)),
        *(f"- {name}: {r['note']}" for name, r in res["rows"].items() if r.get("note")),
        end,
    ])
    if start in text_:
        text_ = text_[:text_.index(start)] + body + text_[text_.index(end) + len(end):]
    else:
        marker = "<!-- http:end -->"
        if marker not in text_:
            text_ = text_.rstrip() + "\n\n" + marker + "\n"
        text_ = text_.replace(marker, body + "\n\n" + marker)
    doc.write_text(text_, "utf-8")
    print(f"written to {doc.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

"""Live updates under load: save-to-arrival time with 1, 50 and 200 connected viewers,
and page latency with and without 200 viewers connected — all in one run, against
gunicorn as `make run` serves it.

    .venv/bin/python -m bench.live_bench [--viewers 1,50,200] [--saves 20]
"""
from __future__ import annotations

import argparse
import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from bench.harness import Session, percentile, server, summary_ms

WS = "sydsverige"


class Viewer(threading.Thread):
    """One open page: an SSE connection that timestamps every event it receives.

    With `refresh` (the page's live parts, as `static/js/live.js` finds them: data-live-key,
    verbs, URL), it also fetches what the browser would fetch on the
    event and timestamps when the last of those answers is in: the change is then visible."""

    def __init__(self, port: int, cookie: str, path: str, refresh: list | None = None):
        super().__init__(daemon=True)
        self.port, self.cookie, self.path = port, cookie, path
        self.arrivals: dict[int, float] = {}
        self.visible: dict[int, float] = {}
        self.refresh = refresh or []
        self.fetch_statuses: list[int] = []
        self.pushed = 0  # parts that came with their event
        self.ready = threading.Event()
        self.stop = False
        self._http = None

    def _fetch(self, data: dict) -> None:
        urls = [url for key, verbs, url in self.refresh
                if key in data.get("keys", ()) and data.get("verb") in verbs]
        if not urls:
            return
        # Parts that came with the event (a paper page's stream) are swapped in, not fetched.
        pushed = data.get("parts") or {}
        self.pushed += sum(1 for url in urls if url in pushed)
        urls = [url for url in urls if url not in pushed]
        if self._http is None:
            self._http = Session(self.port)  # one kept-alive connection, as a browser tab has
        for url in urls:
            status, _ = self._http.get(url, headers={"Cookie": self.cookie, "HX-Request": "true"})
            self.fetch_statuses.append(status)
        self.visible[data["id"]] = time.perf_counter()

    def run(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port))
        sock.sendall(
            f"GET {self.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
            f"Cookie: {self.cookie}\r\n\r\n".encode()
        )
        buf = b""
        sock.settimeout(1.0)
        while not self.stop:
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                continue
            if not chunk:
                break
            buf += chunk
            if b"retry:" in buf:
                self.ready.set()
            while b"\n\n" in buf:
                block, buf = buf.split(b"\n\n", 1)
                for line in block.split(b"\n"):
                    if line.startswith(b"data: "):
                        try:
                            data = json.loads(line[6:])
                        except ValueError:
                            continue
                        if data["id"] not in self.arrivals:
                            self.arrivals[data["id"]] = time.perf_counter()
                            if self.refresh:
                                self._fetch(data)
        sock.close()
        if self._http is not None:
            self._http.close()


def page_latencies(srv, email: str, n: int = 200, concurrency: int = 8, until=None) -> list[float]:
    """n page loads by `concurrency` clients at once, each client its own session; with
    `until` (a threading.Event), as many as fit until it is set. The clients run in a process
    of their own, as browsers would: not sharing an interpreter with hundreds of viewer
    threads, whose turns would count as page time."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    stop, results = ctx.Event(), ctx.Queue()
    proc = ctx.Process(target=_load_pages, args=(srv.port, email, n, concurrency, stop, results))
    proc.start()
    if until is not None:
        until.wait()
        stop.set()
    out = results.get()
    proc.join()
    return out


def _load_pages(port: int, email: str, n: int, concurrency: int, stop, results) -> None:
    from bench.harness import Server

    srv = Server(port, {})
    unbounded = n == 0

    def client(k: int) -> list[float]:
        s = srv.session(email)
        out = []
        while (not stop.is_set()) if unbounded else len(out) < n // concurrency:
            t = time.perf_counter()
            status, _ = s.get(f"/w/{WS}")
            assert status == 200, status
            out.append(time.perf_counter() - t)
        return out

    with ThreadPoolExecutor(concurrency) as pool:
        results.put([x for part in pool.map(client, range(concurrency)) for x in part])


# The people who watch (the saver, tjansteman.kronoberg, is not among them): officials,
# politicians of both sides and a reader see a section with different tools.
VIEWERS = ("tjansteman.skane@demo.example", "politiker.skane@demo.example", "lasare@demo.example",
           "politiker.kronoberg@demo.example", "kansli@demo.example", "politiker.halland@demo.example")


def measure_arrivals(srv, viewers_n: int, saves: int, save, refresh: list | None = None,
                     stream: str | None = None, pages: list | None = None) -> list[float]:
    """Save-to-arrival delays of every viewer; with `refresh`, save-to-visible delays (the
    viewers have the paper open: `stream` is its page's stream, and they fetch what a browser
    on the page would, unless it came with the event)."""
    cookies = [srv.session(email).cookie_header() for email in VIEWERS]
    viewers = [Viewer(srv.port, cookies[k % len(cookies)], stream or f"/w/{WS}/stream", refresh)
               for k in range(viewers_n)]
    times = (lambda v: v.visible) if refresh else (lambda v: v.arrivals)
    for v in viewers:
        v.start()
    for v in viewers:
        v.ready.wait(30)
    time.sleep(0.5)
    delays: list[float] = []
    probe = viewers[0]
    if pages is not None:  # page loads all the while the saves reach the viewers
        stop_pages = threading.Event()
        loader = ThreadPoolExecutor(1).submit(page_latencies, srv, "lasare@demo.example", n=0, until=stop_pages)
    for i in range(saves):
        seen = max(probe.arrivals, default=0)
        marks: list[float] = []
        save(i, lambda: marks.append(time.perf_counter()))
        t0 = marks[0]
        deadline = time.perf_counter() + 10
        while time.perf_counter() < deadline and max(probe.arrivals, default=0) <= seen:
            time.sleep(0.002)
        event_id = min((k for k in probe.arrivals if k > seen), default=None)
        if event_id is None:
            print("   !! the save's event never arrived")
            continue
        deadline = time.perf_counter() + 30
        while time.perf_counter() < deadline and not all(event_id in times(v) for v in viewers):
            time.sleep(0.005)
        delays += [times(v)[event_id] - t0 for v in viewers if event_id in times(v)]
        missing = sum(1 for v in viewers if event_id not in times(v))
        if missing:
            print(f"   !! {missing} viewers did not get (or show) event {event_id} within 30 s")
        time.sleep(0.2)
    if pages is not None:
        stop_pages.set()
        pages += loader.result()
    if refresh:
        fetched = sum(len(v.fetch_statuses) for v in viewers)
        print(f"   {viewers_n} viewers: {sum(v.pushed for v in viewers)} parts came with their event, "
              f"{fetched} were fetched", flush=True)
    bad = [st for v in viewers for st in v.fetch_statuses if st != 200]
    if bad:
        print(f"   !! {len(bad)} refreshes answered other than 200: {sorted(set(bad))}")
    release(viewers)
    return delays


def connections_per_worker(srv) -> dict:
    """Established connections to the server, by worker pid (`ss -tnp`; empty if unavailable):
    the workers accept in a race, so streams are not spread evenly."""
    import re
    import subprocess

    try:
        out = subprocess.run(["ss", "-tnpH", "state", "established", f"( sport = :{srv.port} )"],
                             capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    counts: dict = {}
    for pid in re.findall(r"pid=(\d+)", out):
        counts[int(pid)] = counts.get(int(pid), 0) + 1
    return counts


def release(viewers) -> None:
    """Close the viewers and wait until the server has noticed: a closed stream holds its
    server thread until a keepalive write fails, which may be the second one after the close
    (the first still fits in the socket's buffer), and the next round needs the threads."""
    from workspace.live.views import KEEPALIVE_SECONDS

    for v in viewers:
        v.stop = True
    for v in viewers:
        v.join(5)
    time.sleep(2 * KEEPALIVE_SECONDS + 1)


def section_save(srv):
    """An official saves a section of a demo paper (the real save path, with its event)."""
    import html
    import re
    from urllib.parse import parse_qsl, urlencode, urlsplit

    official = srv.session("tjansteman.kronoberg@demo.example")
    status, page = official.get(f"/w/{WS}/papers")
    paper = re.search(r'href="/w/%s/papers/(\d+)"' % WS, page).group(1)
    status, page = official.get(f"/w/{WS}/papers/{paper}")
    section = re.search(r'id="section-(\d+)"', page).group(1)
    url = f"/w/{WS}/papers/{paper}/sections/{section}"

    save = _save_fn(official, url)
    save.refresh = live_parts(page)
    # The page's own stream (its sse-connect, without the cursor: the viewers start from now).
    stream = urlsplit(html.unescape(re.search(r'sse-connect="([^"]+)"', page).group(1)))
    save.stream = stream.path + "?" + urlencode([(k, v) for k, v in parse_qsl(stream.query) if k != "after"])
    save.paper, save.section = paper, section
    return save


def live_parts(page: str) -> list:
    """The parts of a page that static/js/live.js refreshes: (data-live-key, verbs, hx-get)."""
    import html
    import re

    parts = []
    for tag in re.findall(r"<[a-z]+\s[^>]*data-live-key=[^>]*>", page):
        attrs = dict(re.findall(r'([a-z-]+)="([^"]*)"', tag))
        if "hx-get" in attrs and "data-live-on" in attrs:
            parts.append((attrs["data-live-key"], tuple(attrs["data-live-on"].split()), html.unescape(attrs["hx-get"])))
    return parts


def _save_fn(official, url):
    import re

    def save(i: int, mark) -> None:
        _, editor = official.get(url + "?edit=1", headers={"HX-Request": "true"})
        base = re.search(r'name="base_revision_id" value="(\d*)"', editor).group(1)
        mark()
        status, _ = official.post(url, {"html": f"<p>Mätning {i} {time.time()}</p>", "base_revision_id": base},
                                  headers={"HX-Request": "true"})
        assert status == 200, status

    return save


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--viewers", default="1,50,200")
    ap.add_argument("--saves", type=int, default=15)
    args = ap.parse_args()
    counts = [int(x) for x in args.viewers.split(",")]
    rows = []
    with server() as srv:
        save = section_save(srv)
        keys = {f"paper:{save.paper}", f"section:{save.section}"}  # what a save's event names
        parts = [url for key, verbs, url in save.refresh if "section-saved" in verbs and key in keys]
        print(f"an open page of the paper refreshes on a save: {', '.join(parts)}", flush=True)
        print("measuring …", flush=True)
        base_pages = page_latencies(srv, "lasare@demo.example")
        rows.append(("page /w/<ws>, no viewers", summary_ms(base_pages)))
        for n in counts:
            delays = measure_arrivals(srv, n, args.saves, save)
            rows.append((f"save→arrival, {n} viewers", summary_ms(delays)))
        # What people see: each viewer has the saved paper open, its page's stream brings the
        # parts it refreshes on the event (the paper's header and the saved section), and it
        # fetches any that did not come with it.
        for n in counts:
            delays = measure_arrivals(srv, n, args.saves, save, refresh=save.refresh, stream=save.stream)
            rows.append((f"save→visible, {n} viewers on the paper", summary_ms(delays)))
        # The same while 8 clients load pages as fast as they can (the server is saturated):
        # what the viewers' updates cost the pages, and the pages the updates.
        busy_pages: list[float] = []
        delays = measure_arrivals(srv, max(counts), args.saves, save, refresh=save.refresh, stream=save.stream,
                                  pages=busy_pages)
        rows.append((f"save→visible, {max(counts)} viewers, pages loading", summary_ms(delays)))
        # Page latency while the largest number of viewers stays connected.
        official = srv.session("tjansteman.skane@demo.example")
        held = [Viewer(srv.port, official.cookie_header(), f"/w/{WS}/stream") for _ in range(max(counts))]
        for v in held:
            v.start()
        for v in held:
            v.ready.wait(30)
        print(f"open connections per worker with {len(held)} viewers: {connections_per_worker(srv)}", flush=True)
        loaded_pages = page_latencies(srv, "lasare@demo.example")
        release(held)
        rows.append((f"page /w/<ws>, {max(counts)} viewers connected", summary_ms(loaded_pages)))
        ratio = percentile(loaded_pages, 95) / percentile(base_pages, 95)
        rows.append(("page p95 ratio (with / without viewers)", f"{ratio:.2f}×"))
        rows.append((f"page /w/<ws>, while saves reach {max(counts)} viewers", summary_ms(busy_pages)))
        ratio = percentile(busy_pages, 95) / percentile(base_pages, 95)
        rows.append(("page p95 ratio (saves reaching viewers / no viewers)", f"{ratio:.2f}×"))
    width = max(len(r[0]) for r in rows)
    print("\nLive updates (gunicorn.conf.py settings, loopback)")
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")


if __name__ == "__main__":
    main()

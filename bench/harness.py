"""Shared benchmark plumbing: a real gunicorn serving the app as `make run` does, on
loopback, with its own database and instance folder; tiny HTTP helpers with cookies."""
from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
PASSWORD = "bench-password-1"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values, p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def summary_ms(values) -> str:
    return (f"p50 {percentile(values, 50) * 1000:7.1f} ms  p95 {percentile(values, 95) * 1000:7.1f} ms"
            f"  (n={len(values)})")


def wait_until_serving(port: int, timeout: float) -> bool:
    """Poll /healthz until the server answers 200; False if it never did within `timeout`."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                return True
        except OSError:
            time.sleep(0.2)
        finally:
            c.close()
    return False


@contextmanager
def server(env_extra: dict | None = None, *, gunicorn_args: list[str] | None = None):
    """Migrate a fresh database, load the demo and serve it with gunicorn.conf.py."""
    tmp = tempfile.mkdtemp(prefix="samverkan-bench-")
    port = free_port()
    env = dict(os.environ)
    env.update({
        "SAMVERKAN_ENV": "development",
        "SECRET_KEY": "bench-secret",
        "SAMVERKAN_INSTANCE": tmp,
        "PORT": str(port),
        "LOGIN_RATE_LIMIT": "100000 per minute",
    })
    if os.environ.get("BENCH_DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    env.update(env_extra or {})
    flask = [PY, "-m", "flask", "--app", "workspace"]
    subprocess.run(flask + ["db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run(flask + ["demo", "--password", PASSWORD], env=env, cwd=ROOT, check=True, capture_output=True)
    cmd = [PY, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--access-logfile", "/dev/null",
           *(gunicorn_args or []), "wsgi:app"]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        if not wait_until_serving(port, 30):
            raise RuntimeError("gunicorn did not start: " + proc.stderr.read(2000).decode())
        yield Server(port, env, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        proc.stderr.close()


class Server:
    def __init__(self, port: int, env: dict, proc: subprocess.Popen | None = None):
        self.port = port
        self.env = env
        self.proc = proc  # the gunicorn master

    def stop(self) -> None:
        """Stop gunicorn now (its on_exit hook stops the search index follower)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(20)

    def worker_pids(self) -> list[int]:
        """The gunicorn workers: the master's children but the search index follower."""
        return [pid for pid in self.child_pids() if not self._is_follower(pid)]

    def follower_pid(self) -> int | None:
        return next((pid for pid in self.child_pids() if self._is_follower(pid)), None)

    def child_pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]

    @staticmethod
    def _is_follower(pid: int) -> bool:
        try:
            return b"search\x00follow" in Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return False

    def session(self, email: str) -> "Session":
        s = Session(self.port)
        try:
            s.login(email)
        except BaseException:
            s.close()
            raise
        return s


class Session:
    """A logged-in browser-like client: keeps cookies and the CSRF token."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.token = ""
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def _headers(self, extra=None) -> dict:
        h = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        h.update(extra or {})
        return h

    def _store(self, resp) -> None:
        for k, v in resp.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]

    def request(self, method: str, path: str, body: dict | None = None, headers=None):
        data = urlencode(body) if body is not None else None
        h = self._headers(headers)
        if data is not None:
            h["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=data, headers=h)
                resp = self.conn.getresponse()
                text = resp.read().decode("utf-8", "replace")
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise
        self._store(resp)
        m = CSRF_RE.search(text)
        if m:
            self.token = m.group(1)
        return resp.status, text

    def get(self, path: str, headers=None):
        return self.request("GET", path, headers=headers)

    def post(self, path: str, body: dict, headers=None):
        body = dict(body)
        body.setdefault("csrf_token", self.token)
        return self.request("POST", path, body, headers=headers)

    def login(self, email: str) -> None:
        self.get("/login")
        status, _ = self.post("/login", {"email": email, "password": PASSWORD})
        if status != 303:
            raise RuntimeError(f"login failed for {email}: {status}")
        self.get("/account")  # a fresh CSRF token for the new session

    def close(self) -> None:
        self.conn.close()

    def cookie_header(self) -> str:
        return self._headers()["Cookie"]

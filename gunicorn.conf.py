"""gunicorn settings for `make run`.

Threaded workers: a live-update stream holds a thread, not a process, so many open
pages do not starve ordinary requests (see docs/benchmarks.md for the measurement).
Beside them, a process keeps the search index up to date (`flask search follow`, below).
"""
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
# Each open page's live stream holds a thread. Connections are not spread evenly over the
# workers (whichever wakes first accepts), so with 200 open pages one worker can get far more
# than half: 128 threads each was too few for that (docs/benchmarks.md, live updates).
threads = int(os.environ.get("GUNICORN_THREADS", "256"))
timeout = 60
graceful_timeout = 10
accesslog = "-"
errorlog = "-"


# The search index follows the event log in a process of its own (`flask search follow`), so
# that indexing never holds a web worker's interpreter against its requests (issue 10).
# SEARCH_FOLLOWER=0 leaves the indexing to the searches.
def when_ready(server):
    import subprocess
    import sys

    if os.environ.get("SEARCH_FOLLOWER", "1") != "1":
        return
    server.search_follower = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "workspace", "search", "follow"],
        cwd=os.path.dirname(os.path.abspath(__file__)))
    server.log.info("search index follower started (pid %s)", server.search_follower.pid)


def on_exit(server):
    follower = getattr(server, "search_follower", None)
    if follower is not None and follower.poll() is None:
        follower.terminate()
        try:
            follower.wait(10)
        except Exception:  # noqa: BLE001  (it is killed with the process group anyway)
            follower.kill()

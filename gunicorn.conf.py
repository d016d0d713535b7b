"""gunicorn settings for `make run`.

Threaded workers: a live-update stream holds a thread, not a process, so many open
pages do not starve ordinary requests (see docs/benchmarks.md for the measurement).
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

"""Kill gunicorn workers (SIGKILL) while people save: nothing half-written, nothing lost.

Real gunicorn processes on a database of their own (SQLite, or a fresh PostgreSQL database
when TEST_DATABASE_URL is set). Several clients save sections continuously while workers are
killed; afterwards every revision is whole, every revision has its event and every event its
revision, every save a client was told succeeded is there, and the search index caught up
from the event log equals one rebuilt from the database.
"""
from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bench.harness import server
from workspace import create_app
from workspace.db import db

pytestmark = pytest.mark.skipif(shutil.which("pgrep") is None, reason="pgrep (procps) is needed to find workers")

SAVES_PER_CLIENT = 25
WRITERS = ["tjansteman.skane@demo.example", "tjansteman.kronoberg@demo.example", "kansli@demo.example"]


@pytest.fixture
def database_url():
    """None for a fresh SQLite file (the harness makes it), or a fresh PostgreSQL database."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield None
        return
    name = f"samverkan_crash_{uuid.uuid4().hex[:8]}"
    admin = base.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    try:
        yield base.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + "/" + name
    finally:
        subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], capture_output=True)


def app_for(env: dict):
    uri = env.get("DATABASE_URL") or "sqlite:///" + str(Path(env["SAMVERKAN_INSTANCE"]) / "samverkan.sqlite3")
    return create_app({"ENV_NAME": "testing", "TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": uri,
                       "INSTANCE_PATH": env["SAMVERKAN_INSTANCE"], "RATELIMIT_ENABLED": False})


def test_killed_workers_leave_consistent_data_and_index(database_url):
    from workspace.accounts.models import User
    from workspace.events import Event
    from workspace.papers import services
    from workspace.papers.models import Revision, Section
    from workspace.search import engine
    from workspace.search.indexer import get_index, rebuild, sync_index
    from workspace.workspaces.models import Workspace

    extra = {"WEB_CONCURRENCY": "2", "GUNICORN_THREADS": "8"}
    if database_url:
        extra["DATABASE_URL"] = database_url
    with server(extra) as srv:
        app = app_for(srv.env)
        with app.test_request_context(method="POST"):
            ws = db.session.scalar(select(Workspace).where(Workspace.slug == "sydsverige"))
            author = db.session.scalar(select(User).where(User.email == WRITERS[0]))
            paper = services.create_paper(author, ws, title="Krocktest",
                                          sections=[(f"Avsnitt {i}", "<p>start</p>") for i in range(len(WRITERS) * 2)])
            db.session.commit()
            paper_id, section_ids = paper.id, [s.id for s in paper.live_sections]
            db.session.remove()

        acknowledged: set[str] = set()
        sent: set[str] = set()
        errors: list[str] = []
        lock = threading.Lock()

        def writer(n: int, email: str):
            for attempt in range(5):  # a worker may be killed under the login too
                try:
                    sess = srv.session(email)
                    break
                except (OSError, http.client.HTTPException, RuntimeError):
                    time.sleep(0.3)
                    sess = None
            else:
                errors.append(f"status login failed for {email}")
                return
            mine = section_ids[n * 2:(n + 1) * 2]
            for k in range(SAVES_PER_CLIENT):
                sid = mine[k % 2]
                html = f"<p>{email} spar {k}</p>"
                with app.app_context():
                    base = db.session.scalar(select(Section.current_revision_id).where(Section.id == sid))
                    db.session.remove()
                with lock:
                    sent.add(html)
                try:
                    status, _ = sess.post(f"/w/sydsverige/papers/{paper_id}/sections/{sid}",
                                          {"html": html, "base_revision_id": base}, headers={"HX-Request": "true"})
                except (OSError, http.client.HTTPException) as e:  # the worker died under it: unknown outcome
                    errors.append(repr(e))
                    continue
                if status == 200:
                    with lock:
                        acknowledged.add(html)
                elif status not in (409, 502):
                    errors.append(f"status {status}")
            sess.close()

        threads = [threading.Thread(target=writer, args=(i, e)) for i, e in enumerate(WRITERS)]
        for t in threads:
            t.start()
        killed = 0
        for _ in range(3):
            time.sleep(0.6)
            pids = srv.worker_pids()
            if pids:
                os.kill(pids[killed % len(pids)], signal.SIGKILL)
                killed += 1
        for t in threads:
            t.join(120)
        assert killed == 3
        assert len(acknowledged) >= SAVES_PER_CLIENT, f"too few saves got through: {len(acknowledged)} {errors[:5]}"
        assert all(not e.startswith("status") for e in errors), errors

        with app.app_context():
            revisions = db.session.scalars(select(Revision).where(Revision.section_id.in_(section_ids))).all()
            # No half revision: every stored text is one a client sent (or the start text).
            assert {r.html for r in revisions} <= sent | {"<p>start</p>"}
            # Every save a client was told about is there.
            assert acknowledged <= {r.html for r in revisions}
            for sid in section_ids:
                section = db.session.get(Section, sid)
                numbers = sorted(r.number for r in revisions if r.section_id == sid)
                assert numbers == list(range(1, len(numbers) + 1)) == list(range(1, section.revision_count + 1))
                newest = max((r for r in revisions if r.section_id == sid), key=lambda r: r.number)
                assert section.current_revision_id == newest.id
            # Events match data, one to one.
            saved_events = db.session.scalars(select(Event).where(Event.verb == "section-saved",
                                                                  Event.object_id.in_(section_ids))).all()
            event_revisions = sorted(e.payload["revision_id"] for e in saved_events)
            data_revisions = sorted(r.id for r in revisions if r.kind in ("save", "merge"))
            assert event_revisions == data_revisions
            db.session.remove()

        # The search index follower beside the workers (gunicorn.conf.py) caught up by itself: no
        # one searched.
        with app.app_context():
            newest = db.session.scalar(select(func.max(Event.id)))
            deadline = time.monotonic() + 60
            while engine.state(get_index()).last_event < newest and time.monotonic() < deadline:
                time.sleep(0.2)
            assert engine.state(get_index()).last_event >= newest
            db.session.remove()

        # The index, caught up from the event log, equals one rebuilt from the database, once the
        # server (and with it the follower) has stopped.
        srv.stop()
        with app.app_context():
            while sync_index():
                pass

            def dump():
                ix = get_index()
                with ix.searcher() as s:
                    return sorted((d["doc_id"], d.get("title"), d.get("body")) for d in s.all_stored_fields()
                                  if d.get("doc_id") != engine.META_ID)

            live = dump()
            assert any(f"spar {SAVES_PER_CLIENT - 1}" in (body or "") or "spar" in (body or "") for _d, _t, body in live)
            rebuild()
            assert dump() == live
            assert db.session.scalar(select(func.count()).select_from(Event)) > 0
            db.session.remove()
            db.engine.dispose()


def test_a_killed_export_worker_fails_its_job_at_once_and_leaves_no_file(database_url, tmp_path):
    """SIGKILL the worker running a PDF export (LibreOffice stands in as a slow script): the
    job page answers "interrupted, try again" at once, no file is left, and a new export runs."""
    from workspace.export.models import ExportJob
    from workspace.papers.models import Paper
    from workspace.workspaces.models import Workspace

    slow = tmp_path / "soffice"
    slow.write_text("#!/bin/sh\nexec sleep 30\n")
    slow.chmod(0o755)
    extra = {"WEB_CONCURRENCY": "2", "GUNICORN_THREADS": "8", "EXPORT_SOFFICE": str(slow)}
    if database_url:
        extra["DATABASE_URL"] = database_url
    with server(extra) as srv:
        app = app_for(srv.env)
        try:
            with app.app_context():
                ws = db.session.scalar(select(Workspace).where(Workspace.slug == "sydsverige"))
                paper_id = db.session.scalar(select(Paper.id).where(Paper.workspace_id == ws.id).order_by(Paper.id))
                db.session.remove()
            sess = srv.session(WRITERS[0])
            status, _ = sess.post("/w/sydsverige/exports", {"kind": "pdf", "paper": paper_id})
            assert status in (200, 303), status

            def job_row():
                with app.app_context():
                    job = db.session.scalar(select(ExportJob).order_by(ExportJob.id.desc()))
                    db.session.remove()
                    return job

            deadline = time.time() + 20
            while time.time() < deadline and job_row().status != "running":
                time.sleep(0.1)
            job = job_row()
            assert job.status == "running", job.status
            pid = int(job.runner.split(":")[1])
            assert pid in srv.worker_pids()
            os.kill(pid, signal.SIGKILL)
            deadline = time.time() + 20
            while time.time() < deadline and pid in srv.worker_pids():
                time.sleep(0.1)
            body = ""
            for _attempt in range(50):  # the master starts a new worker meanwhile
                try:
                    status, body = sess.get(f"/w/sydsverige/exports/{job.id}", headers={"HX-Request": "true"})
                    break
                except (OSError, http.client.HTTPException):
                    time.sleep(0.2)
            assert status == 200 and "avbröts" in body, body[:500]
            after = job_row()
            assert after.status == "failed" and after.finished_at is not None
            exports = Path(srv.env["SAMVERKAN_INSTANCE"]) / "exports"
            assert not list(exports.glob(f"{job.token}*")) if exports.exists() else True
            # The service goes on: a new export (a .zip needs no LibreOffice) finishes.
            status, _ = sess.post("/w/sydsverige/exports", {"kind": "zip", "paper": paper_id})
            assert status in (200, 303), status
            deadline = time.time() + 30
            while time.time() < deadline and job_row().status not in ("done", "failed"):
                time.sleep(0.2)
            assert job_row().status == "done"
            sess.close()
        finally:
            with app.app_context():  # psycopg warns about connections left open
                db.session.remove()
                db.engine.dispose()

"""Two processes saving and indexing at once: no LockError, no lost document."""
import shutil
import subprocess
import sys
import textwrap

from workspace.search import engine
from workspace.search.indexer import get_index, index_path, sync_index

WORKER = textwrap.dedent("""
    import sys
    from workspace import create_app
    from workspace.db import db
    url, instance, tag = sys.argv[1], sys.argv[2], sys.argv[3]
    app = create_app({"ENV_NAME": "testing", "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url,
                      "INSTANCE_PATH": instance, "RATELIMIT_ENABLED": False})
    from sqlalchemy import select
    from workspace.accounts.models import User
    from workspace.papers import services
    from workspace.search.indexer import sync_index
    from workspace.workspaces.models import Workspace
    for i in range(8):
        with app.test_request_context(method="POST"):
            ws = db.session.scalar(select(Workspace).where(Workspace.slug == "sydsverige"))
            user = db.session.scalar(select(User).where(User.email == "tjansteman.skane@demo.example"))
            services.create_paper(user, ws, title=f"Samtidig {tag} {i}",
                                  sections=[("Text", f"<p>Unikt ord zebra{tag}x{i}</p>")])
            db.session.commit()
            sync_index()
    print("ok")
""")


def test_two_processes_saving_while_indexing_lose_nothing(app, demo):
    with app.app_context():
        shutil.rmtree(index_path(), ignore_errors=True)
        app.extensions.pop("search-index", None)
        sync_index()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, url, app.instance_path, tag],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for tag in ("a", "b")]
    outs = [p.communicate(timeout=180) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0 and "ok" in out, err[-2000:]
        assert "LockError" not in err
    with app.app_context():
        sync_index()
        ws_id = demo.workspace("sydsverige").id
        for tag in ("a", "b"):
            for i in range(8):
                hits = engine.search(get_index(), f"zebra{tag}x{i}", [ws_id]).hits
                assert len(hits) == 1, (tag, i)
        shutil.rmtree(index_path(), ignore_errors=True)
        app.extensions.pop("search-index", None)


def test_threads_searching_while_the_index_changes(app, demo):
    """Pooled searchers: many threads at once, while saves are indexed, all see consistent results."""
    import threading

    from sqlalchemy import select

    from workspace.db import db
    from workspace.papers import services
    from workspace.papers.models import Paper

    with app.app_context():
        shutil.rmtree(index_path(), ignore_errors=True)
        app.extensions.pop("search-index", None)
        sync_index()
        ws_id = demo.workspace("sydsverige").id
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader():
        with app.app_context():
            while not stop.is_set():
                try:
                    r = engine.search(get_index(), "region", [ws_id])
                    assert r.total == sum(n for _, n in r.facets["kind"])
                except BaseException as e:  # noqa: BLE001 - reported below
                    errors.append(e)
                    return

    threads = [threading.Thread(target=reader) for _ in range(6)]
    for t in threads:
        t.start()
    try:
        with app.test_request_context(method="POST"):
            paper = db.session.scalar(select(Paper).where(Paper.workspace_id == ws_id,  # an editable one
                                                          Paper.status.in_(("draft", "review", "decision")))
                                      .order_by(Paper.id))
            s = paper.live_sections[0]
            for i in range(5):
                services.save_section(demo.user("tjansteman.skane@demo.example"), s, s.html + f"<p>Trådord{i}</p>",
                                      s.current_revision_id)
                db.session.commit()
                sync_index()
                assert engine.search(get_index(), f"trådord{i}", [ws_id]).hits
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert not errors, errors[0]
    with app.app_context():
        shutil.rmtree(index_path(), ignore_errors=True)
        app.extensions.pop("search-index", None)


REBUILDER = textwrap.dedent("""
    import sys
    from workspace import create_app
    url, instance = sys.argv[1], sys.argv[2]
    app = create_app({"ENV_NAME": "testing", "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url,
                      "INSTANCE_PATH": instance, "RATELIMIT_ENABLED": False})
    from workspace.search.indexer import status, sync_index
    with app.app_context():
        for _ in range(20):
            sync_index()
            if not status().needs_rebuild:
                break
    print("ok")
""")


def test_two_processes_meeting_an_outdated_index_rebuild_it_once_without_errors(app, demo):
    from workspace.search.indexer import status

    with app.app_context():
        shutil.rmtree(index_path(), ignore_errors=True)
        app.extensions.pop("search-index", None)
        sync_index()
        ix = get_index()
        w = ix.writer()
        w.update_document(doc_id=engine.META_ID, kind="meta", last_event=engine.state(ix).last_event, schema_version=1)
        w.commit()
        assert status().needs_rebuild
        before = engine.search(get_index(), "samverkan", [demo.workspace("sormland").id]).total
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    procs = [subprocess.Popen([sys.executable, "-c", REBUILDER, url, app.instance_path],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0 and "ok" in out, err[-2000:]
        assert "Error" not in err, err[-2000:]
    with app.app_context():
        app.extensions.pop("search-index", None)
        st = status()
        assert not st.needs_rebuild and st.behind == 0
        assert engine.search(get_index(), "samverkan", [demo.workspace("sormland").id]).total == before
        shutil.rmtree(index_path(), ignore_errors=True)
        app.extensions.pop("search-index", None)

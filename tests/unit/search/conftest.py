import shutil

import pytest

from workspace.search.indexer import index_path, sync_index


def _drop(app):
    shutil.rmtree(index_path(), ignore_errors=True)
    app.extensions.pop("search-index", None)


@pytest.fixture(autouse=True)
def _fresh_index(app):
    """Every test starts and ends without an index (the database is emptied too)."""
    with app.app_context():
        _drop(app)
    yield
    with app.app_context():
        _drop(app)


@pytest.fixture
def indexed(app, demo):
    """The demo (the real corpus as papers) indexed in a fresh index."""
    with app.test_request_context():
        _drop(app)
        sync_index()
        yield
        _drop(app)


@pytest.fixture
def ids(demo):
    def make(*slugs):
        return [demo.workspace(s).id for s in slugs]

    return make


ALL = ("sydsverige", "sosk", "sodertorn", "sormland")

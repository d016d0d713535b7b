"""Whoosh's segment files are read from their memory mapping, not copied into each searcher
(engine._MappedFile): the copies were most of a worker's memory after a burst of searches."""
import io
import pickle
import tracemalloc
from pathlib import Path

import pytest

from workspace.search import engine
from workspace.search.indexer import get_index, index_path

DATA = b"first line\nsecond line\n" + bytes(range(256)) * 4 + b"\nlast"


def test_reads_like_a_bytesio():
    ours, theirs = engine._MappedFile(memoryview(DATA)), io.BytesIO(DATA)
    steps = [("read", 5), ("readline",), ("tell",), ("peek", 3), ("read", 0), ("seek", 7), ("readline", 3),
             ("readline",), ("seek", -4, io.SEEK_END), ("read",), ("read", 10), ("seek", 3, io.SEEK_CUR),
             ("tell",), ("seek", 2), ("read", -1)]
    for name, *args in steps:
        if name == "peek":  # BytesIO has none; ours does not move
            at = ours.tell()
            assert ours.peek(*args)[:3] == DATA[at:at + 3] and ours.tell() == at
            continue
        assert getattr(ours, name)(*args) == getattr(theirs, name)(*args), (name, args)
    buf = bytearray(6)
    ours.seek(0)
    assert ours.readinto(buf) == 6 and bytes(buf) == DATA[:6]


def test_unpickles_one_record_after_another():
    records = [("block", i, list(range(i * 50))) for i in range(1, 40)]
    data = b"".join(pickle.dumps(r, protocol=pickle.HIGHEST_PROTOCOL) for r in records)
    f = engine._MappedFile(memoryview(data))
    assert [pickle.load(f) for _ in records] == records
    assert f.read() == b""


def test_searchers_do_not_copy_the_index(app, indexed, ids):
    with app.test_request_context():
        size = sum(p.stat().st_size for p in Path(index_path()).iterdir() if p.is_file())
        if size <= 200_000:  # the demo without ../shared/corpus: copies would not stand out
            pytest.skip("the demo's texts (SAMVERKAN_CORPUS) are not here; the index is too small to measure")
        ix = get_index()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            searchers = [ix.searcher() for _ in range(4)]
            for s in searchers:  # read every term's postings in every segment
                for reader, _offset in s.reader().leaf_readers():
                    for fieldname in ("title", "body"):
                        for term in list(reader.lexicon(fieldname))[:400]:
                            list(reader.postings(fieldname, term).all_ids())
            grown = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        for s in searchers:
            s.close()
        assert size > 200_000
        assert grown < size, (grown, size)  # four copies before: more than 4 × size

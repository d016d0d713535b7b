"""The app as `wsgi:app` serves it, plus the benchmark's baseline route — registered here,
on the app object, so it exists only in the benchmark's gunicorn, never in the product.

The baseline is what the stack costs at its barest: a Flask route that runs one 100-row query
and renders a ~5 KB Jinja template, with no login, no ORM objects and no layout.
"""
from __future__ import annotations

from pathlib import Path

from jinja2 import Template
from sqlalchemy import text

from wsgi import app

TEMPLATE = Template((Path(__file__).parent / "templates" / "baseline.html").read_text("utf-8"), autoescape=True)


def baseline():
    from workspace.db import db

    rows = db.session.execute(text(
        "SELECT id, substr(title, 1, 18) AS title, status FROM paper ORDER BY id LIMIT 100")).all()
    return TEMPLATE.render(rows=rows)


app.add_url_rule("/_bench/baseline", "bench_baseline", baseline)

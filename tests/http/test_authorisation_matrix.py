"""The authorisation matrix: every route of the app (read from the URL map) × every role of
the workspace, plus logged out and another workspace, each with the expected answer — and
no response to anyone shows another workspace's data.

tests/http/routes.py gives each route an access kind; ALLOWED below says which roles each
kind admits. A route without a rule, or a kind without an entry here, fails.
"""
from __future__ import annotations

import pytest

from tests.http.routes import ROUTES
from tests.http.test_route_rules import fill

ROLE_USERS = {
    "secretariat": "kansli@demo.example",
    "official": "tjansteman.skane@demo.example",
    "politician": "politiker.halland@demo.example",
    "reader": "lasare@demo.example",
}
EVERYONE = set(ROLE_USERS)
ALLOWED = {
    "public": EVERYONE,
    "login": EVERYONE,
    "member": EVERYONE,
    "writer": {"secretariat", "official"},
    "secretariat": {"secretariat"},
    "decider": {"politician"},  # a politician of a taking-part member (all take part in the fixture round)
    # That member's officials or the secretariat; the fixture's member is Region Blekinge,
    # whose officials are none of ROLE_USERS.
    "ratifier": {"secretariat"},
    "politician": {"politician"},
}
# Routes whose rule is about the object, not the role: (roles admitted, the refusal's status).
# The fixtures' comment and thread are the secretariat's, and so is the export job.
OWNERSHIP = {
    "accounts.accept_invitation": (set(), 404),  # an unknown token is not found, for anyone
    "accounts.reset_password": (set(), 404),
    "comments.edit_comment": ({"secretariat"}, 403),  # only its author
    "comments.delete_comment": ({"secretariat"}, 403),
    "comments.resolve": ({"secretariat", "official"}, 403),  # the thread's author or a writer
    "comments.reopen": ({"secretariat", "official"}, 403),
    "export.job": ({"secretariat"}, 404),  # a job is private to whoever started it
    "export.download": ({"secretariat"}, 404),
}
# One's own notification only; whose notification 1 is depends on the demo, so here only
# "never a role refusal" is checked (tests/http/test_comments.py checks the owner).
OWN_ONLY = {"notifications.mark_read"}
# What only the other workspaces contain: none of it may reach a person of Sydsverige.
OTHER_WORKSPACES = ("Sydöstra Skånes samarbetskommitté", "Regional samverkan i sydöstra Skåne",
                    "Verksamhetsplan 2014", "Samverkan för hållbar utveckling av Sörmland", "Ylva Strand",
                    "Sofia Kansli")
# Answers that change the session itself; checked in test_accounts.
SKIP = {("accounts.logout", "POST")}


DESTRUCTIVE = ("delete", "remove", "cancel", "close")


def routes():
    # What removes or ends the fixtures' objects runs last, so the other routes still find them.
    for endpoint, rule in sorted(ROUTES.items(), key=lambda kv: (any(w in kv[0] for w in DESTRUCTIVE), kv[0])):
        for method in rule["methods"]:
            if (endpoint, method) not in SKIP:
                yield endpoint, method


def test_every_access_kind_has_a_row():
    assert {r["access"] for r in ROUTES.values()} <= set(ALLOWED)


def request(client, method, url, stream=False):
    if method == "GET":
        resp = client.get(url, buffered=False) if stream else client.get(url)
    else:
        resp = client.post(url, {})
    body = "" if stream else resp.get_data().decode("utf-8", "replace")  # downloads are binary
    resp.close()
    return resp.status_code, resp.headers.get("Location", ""), body


@pytest.mark.parametrize("role", sorted(ROLE_USERS))
def test_matrix_for_each_role(app, as_user, role):
    c = as_user(ROLE_USERS[role])
    checked, failures = 0, []
    for endpoint, method in routes():
        rule = ROUTES[endpoint]
        url = fill(app, rule["url"])
        status, location, body = request(c, method, url, stream=rule.get("stream", False))
        admitted, refusal = OWNERSHIP.get(endpoint, (ALLOWED[rule["access"]], 403))
        allowed = role in admitted
        if endpoint in OWN_ONLY:
            if status in (401, 403, 500) or location.startswith("/login"):
                failures.append(f"{method} {endpoint}: {role} got {status}")
        elif allowed and (status in (401, 403, 404) or location.startswith("/login") or status >= 500):
            failures.append(f"{method} {endpoint}: {role} refused ({status})")
        elif not allowed and status != refusal:
            failures.append(f"{method} {endpoint}: {role} got {status}, expected {refusal}")
        leaked = [s for s in OTHER_WORKSPACES if s in body]
        if leaked:
            failures.append(f"{method} {endpoint}: {role} saw {leaked}")
        checked += 1
    assert not failures, "\n".join(failures)
    assert checked == sum(len(r["methods"]) for r in ROUTES.values()) - len(SKIP)


def test_matrix_logged_out_and_another_workspace(app, client, as_user):
    outsider = as_user("tjansteman.ystad@demo.example")
    failures = []
    for endpoint, method in routes():
        rule = ROUTES[endpoint]
        if rule["access"] == "public":
            continue
        url = fill(app, rule["url"])
        status, location, _ = request(client, method, url, stream=rule.get("stream", False))
        if status not in (302, 303) or not location.startswith("/login"):
            failures.append(f"{method} {endpoint}: logged out got {status}")
        if rule["access"] not in ("login",):
            status, _, body = request(outsider, method, url, stream=rule.get("stream", False))
            if status != 404:
                failures.append(f"{method} {endpoint}: another workspace's person got {status}")
            if "Regionsamverkan Sydsverige" in body or "Region Blekinge" in body:
                failures.append(f"{method} {endpoint}: another workspace's person saw Sydsverige")
    assert not failures, "\n".join(failures)

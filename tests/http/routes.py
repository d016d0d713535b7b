"""The rule for every route of the app. A route missing here fails test_every_route_has_a_rule.

access: "public" (anyone), "login" (any logged-in person), "member" (a member of the
workspace in the URL), "secretariat" (its secretariat).
"""
WS = "sydsverige"

ROUTES = {
    "web.home": {"url": "/", "methods": ["GET"], "access": "public"},
    "web.healthz": {"url": "/healthz", "methods": ["GET"], "access": "public"},
    "accounts.login": {"url": "/login", "methods": ["GET", "POST"], "access": "public"},
    "accounts.logout": {"url": "/logout", "methods": ["POST"], "access": "public"},
    "accounts.set_language": {"url": "/language", "methods": ["POST"], "access": "public"},
    "accounts.forgot_password": {"url": "/forgot", "methods": ["GET", "POST"], "access": "public"},
    "accounts.reset_password": {"url": "/reset/not-a-token", "methods": ["GET", "POST"], "access": "public"},
    "accounts.accept_invitation": {"url": "/invite/not-a-token", "methods": ["GET", "POST"], "access": "public"},
    "accounts.account": {"url": "/account", "methods": ["GET", "POST"], "access": "login"},
    "workspaces.index": {"url": "/w/", "methods": ["GET"], "access": "login"},
    "workspaces.detail": {"url": "/w/{ws}", "methods": ["GET"], "access": "member"},
    "workspaces.settings": {"url": "/w/{ws}/settings", "methods": ["GET", "POST"], "access": "secretariat"},
    "workspaces.add_organization": {"url": "/w/{ws}/organizations", "methods": ["POST"], "access": "secretariat"},
    "workspaces.remove_organization": {"url": "/w/{ws}/organizations/{org}/remove", "methods": ["POST"],
                                       "access": "secretariat"},
    "workspaces.invite": {"url": "/w/{ws}/people/invite", "methods": ["GET", "POST"], "access": "secretariat"},
    "workspaces.change_role": {"url": "/w/{ws}/people/{membership}/role", "methods": ["POST"],
                               "access": "secretariat"},
    "workspaces.set_active": {"url": "/w/{ws}/people/{membership}/active", "methods": ["POST"],
                              "access": "secretariat"},
    "workspaces.events": {"url": "/w/{ws}/events", "methods": ["GET"], "access": "secretariat"},
    "live.stream": {"url": "/w/{ws}/stream?after=0", "methods": ["GET"], "access": "member", "stream": True},
    "live.heartbeat": {"url": "/w/{ws}/papers/{paper}/presence", "methods": ["POST"], "access": "member"},
    "live.leave": {"url": "/w/{ws}/papers/{paper}/presence/leave", "methods": ["POST"], "access": "member"},
    "live.presence": {"url": "/w/{ws}/papers/{paper}/presence", "methods": ["GET"], "access": "member"},
}

P = "/w/{ws}/papers"
ROUTES.update({
    "papers.index": {"url": P, "methods": ["GET"], "access": "member"},
    "papers.new": {"url": P + "/new", "methods": ["GET", "POST"], "access": "writer"},
    "papers.import_docx": {"url": P + "/import", "methods": ["GET", "POST"], "access": "writer"},
    "papers.detail": {"url": P + "/{paper}", "methods": ["GET"], "access": "member"},
    "papers.edit": {"url": P + "/{paper}/edit", "methods": ["GET", "POST"], "access": "writer"},
    "papers.change_status": {"url": P + "/{paper}/status", "methods": ["POST"], "access": "writer"},
    "papers.add_section": {"url": P + "/{paper}/sections", "methods": ["POST"], "access": "writer"},
    "papers.section": {"url": P + "/{paper}/sections/{section}", "methods": ["GET"], "access": "member"},
    "papers.save_section": {"url": P + "/{paper}/sections/{section}", "methods": ["POST"], "access": "writer"},
    "papers.rename_section": {"url": P + "/{paper}/sections/{section}/rename", "methods": ["POST"], "access": "writer"},
    "papers.move_section": {"url": P + "/{paper}/sections/{section}/move", "methods": ["POST"], "access": "writer"},
    "papers.reorder_sections": {"url": P + "/{paper}/sections/order", "methods": ["POST"], "access": "writer"},
    "papers.remove_section": {"url": P + "/{paper}/sections/{section}/remove", "methods": ["POST"], "access": "writer"},
    "papers.restore_section": {"url": P + "/{paper}/sections/{section}/restore", "methods": ["POST"], "access": "writer"},
    "papers.history": {"url": P + "/{paper}/history", "methods": ["GET"], "access": "member"},
    "papers.section_history": {"url": P + "/{paper}/sections/{section}/history", "methods": ["GET"], "access": "member"},
    "papers.restore_revision": {"url": P + "/{paper}/sections/{section}/revisions/{revision}/restore",
                                "methods": ["POST"], "access": "writer"},
    "papers.create_snapshot": {"url": P + "/{paper}/versions", "methods": ["POST"], "access": "writer"},
    "papers.snapshot": {"url": P + "/{paper}/versions/{snapshot}", "methods": ["GET"], "access": "member"},
    "papers.compare": {"url": P + "/{paper}/versions/compare", "methods": ["GET"], "access": "member"},
})
ROUTES.update({
    "papers.policy_areas": {"url": P + "/areas", "methods": ["GET", "POST"], "access": "secretariat"},
    "papers.policy_area_active": {"url": P + "/areas/{area}/active", "methods": ["POST"], "access": "secretariat"},
})
ROUTES.update({
    "search.everywhere": {"url": "/search?q=region", "methods": ["GET"], "access": "login"},
    "search.in_workspace": {"url": "/w/{ws}/search?q=region", "methods": ["GET"], "access": "member"},
})
ROUTES.update({
    "export.paper_docx": {"url": P + "/{paper}/export.docx", "methods": ["GET"], "access": "member"},
    "export.paper_pdf": {"url": P + "/{paper}/export.pdf", "methods": ["GET"], "access": "member"},
    "export.paper_options": {"url": P + "/{paper}/export", "methods": ["GET"], "access": "member"},
    "export.start": {"url": "/w/{ws}/exports", "methods": ["POST"], "access": "member"},
    "export.job": {"url": "/w/{ws}/exports/{job}", "methods": ["GET"], "access": "member"},
    "export.download": {"url": "/w/{ws}/exports/{job}/download", "methods": ["GET"], "access": "member"},
    "export.template": {"url": "/w/{ws}/export/template", "methods": ["GET", "POST"], "access": "secretariat"},
    "export.remove_template": {"url": "/w/{ws}/export/template/remove", "methods": ["POST"], "access": "secretariat"},
})

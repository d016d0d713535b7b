"""The rule for every route of the app. A route missing here fails test_every_route_has_a_rule.

access: "public" (anyone), "login" (any logged-in person), "member" (a member of the
workspace in the URL), "secretariat" (its secretariat), "writer" (secretariat and officials),
"politician" (its politicians).
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
    "accessibility.statement": {"url": "/tillganglighet", "methods": ["GET", "POST"], "access": "public"},
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
    "workspaces.events_csv": {"url": "/w/{ws}/events.csv", "methods": ["GET"], "access": "secretariat"},
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
    "decisions.index": {"url": "/w/{ws}/rounds", "methods": ["GET"], "access": "member"},
    "decisions.ratifications": {"url": "/w/{ws}/ratifications", "methods": ["GET"], "access": "member"},
    "decisions.open_round": {"url": "/w/{ws}/papers/{paper}/rounds/new", "methods": ["GET", "POST"],
                             "access": "secretariat"},
    "decisions.open_list_round": {"url": "/w/{ws}/priorities/{year}/rounds/new", "methods": ["GET", "POST"],
                                  "access": "secretariat"},
    "decisions.detail": {"url": "/w/{ws}/rounds/{round}", "methods": ["GET"], "access": "member"},
    # "decider": a politician of an organisation taking part in the round
    "decisions.decide": {"url": "/w/{ws}/rounds/{round}/decision", "methods": ["POST"], "access": "decider"},
    "decisions.close": {"url": "/w/{ws}/rounds/{round}/close", "methods": ["POST"], "access": "secretariat"},
    "decisions.cancel": {"url": "/w/{ws}/rounds/{round}/cancel", "methods": ["POST"], "access": "secretariat"},
    # "ratifier": that member organisation's officials, or the secretariat
    "decisions.ratify": {"url": "/w/{ws}/rounds/{round}/ratifications/{org}", "methods": ["POST"],
                         "access": "ratifier"},
    "comments.section_threads": {"url": P + "/{paper}/sections/{section}/comments", "methods": ["GET"], "access": "member"},
    "comments.start_thread": {"url": P + "/{paper}/sections/{section}/comments", "methods": ["POST"], "access": "member"},
    "comments.reply": {"url": P + "/{paper}/threads/{thread}/replies", "methods": ["POST"], "access": "member"},
    "comments.resolve": {"url": P + "/{paper}/threads/{thread}/resolve", "methods": ["POST"], "access": "member"},
    "comments.reopen": {"url": P + "/{paper}/threads/{thread}/reopen", "methods": ["POST"], "access": "member"},
    # {comment} is written by the secretariat's person: only its author may change it.
    "comments.edit_comment": {"url": P + "/{paper}/comments/{comment}/edit", "methods": ["GET", "POST"], "access": "member"},
    "comments.delete_comment": {"url": P + "/{paper}/comments/{comment}/delete", "methods": ["POST"], "access": "member"},
    "comments.mentions": {"url": "/w/{ws}/mentions?q=sa", "methods": ["GET"], "access": "member"},
    "comments.new_suggestion": {"url": P + "/{paper}/sections/{section}/suggestions/new", "methods": ["GET", "POST"],
                                "access": "member"},
    "comments.suggestion": {"url": P + "/{paper}/suggestions/{suggestion}", "methods": ["GET"], "access": "member"},
    "comments.accept_suggestion": {"url": P + "/{paper}/suggestions/{suggestion}/accept", "methods": ["POST"],
                                   "access": "writer"},
    "comments.reject_suggestion": {"url": P + "/{paper}/suggestions/{suggestion}/reject", "methods": ["POST"],
                                   "access": "writer"},
    "notifications.index": {"url": "/notifications", "methods": ["GET"], "access": "login"},
    "notifications.bell": {"url": "/notifications/bell", "methods": ["GET"], "access": "login"},
    "notifications.mark_read": {"url": "/notifications/1/read", "methods": ["POST"], "access": "login"},
    "notifications.mark_all_read": {"url": "/notifications/read", "methods": ["POST"], "access": "login"},
    "notifications.settings": {"url": "/notifications/settings", "methods": ["GET", "POST"], "access": "login"},
})
PR = "/w/{ws}/priorities"
ROUTES.update({
    "priorities.index": {"url": PR, "methods": ["GET"], "access": "member"},
    "priorities.create": {"url": PR, "methods": ["POST"], "access": "writer"},
    "priorities.compare": {"url": PR + "/compare?a={year_a}&b={year}", "methods": ["GET"], "access": "member"},
    "priorities.detail": {"url": PR + "/{year}", "methods": ["GET"], "access": "member"},
    "priorities.add_item": {"url": PR + "/{year}/items", "methods": ["POST"], "access": "writer"},
    "priorities.edit_item": {"url": PR + "/{year}/items/{item}/edit", "methods": ["GET", "POST"], "access": "writer"},
    "priorities.remove_item": {"url": PR + "/{year}/items/{item}/remove", "methods": ["POST"], "access": "writer"},
    "priorities.move_item": {"url": PR + "/{year}/items/{item}/move", "methods": ["POST"], "access": "writer"},
    "priorities.reorder": {"url": PR + "/{year}/order", "methods": ["POST"], "access": "writer"},
    "priorities.change_status": {"url": PR + "/{year}/status", "methods": ["POST"], "access": "writer"},
    "priorities.apply_ranking": {"url": PR + "/{year}/apply-ranking", "methods": ["POST"], "access": "secretariat"},
    "priorities.save_ranking": {"url": PR + "/{year}/ranking", "methods": ["POST"], "access": "politician"},
    "priorities.move_in_ranking": {"url": PR + "/{year}/ranking/{item}/move", "methods": ["POST"],
                                   "access": "politician"},
    "priorities.follow_up": {"url": PR + "/{year_a}/follow-up", "methods": ["GET"], "access": "member"},
    "priorities.record_follow_up": {"url": PR + "/{year_a}/items/{item_a}/follow-up", "methods": ["POST"],
                                    "access": "writer"},
})
ROUTES.update({
    "export.priority_list_docx": {"url": "/w/{ws}/priorities/{year_a}/export.docx", "methods": ["GET"],
                                  "access": "member"},
    "export.paper_docx": {"url": P + "/{paper}/export.docx", "methods": ["GET"], "access": "member"},
    "export.paper_pdf": {"url": P + "/{paper}/export.pdf", "methods": ["GET"], "access": "member"},
    "export.paper_options": {"url": P + "/{paper}/export", "methods": ["GET"], "access": "member"},
    "export.start": {"url": "/w/{ws}/exports", "methods": ["POST"], "access": "member"},
    "export.job": {"url": "/w/{ws}/exports/{job}", "methods": ["GET"], "access": "member"},
    "export.download": {"url": "/w/{ws}/exports/{job}/download", "methods": ["GET"], "access": "member"},
    "export.template": {"url": "/w/{ws}/export/template", "methods": ["GET", "POST"], "access": "secretariat"},
    "export.remove_template": {"url": "/w/{ws}/export/template/remove", "methods": ["POST"], "access": "secretariat"},
})

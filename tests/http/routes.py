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

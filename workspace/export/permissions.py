"""Who may export what. Views and templates ask these same functions."""
from __future__ import annotations

from workspace.workspaces.permissions import can_manage_workspace


def can_export(m) -> bool:
    """Every member may export what they may read."""
    return m is not None and m.active


def can_manage_template(m) -> bool:
    return can_manage_workspace(m)

"""Labels for decision templates, and what a paper page shows about its rounds."""
from __future__ import annotations

from flask import Flask

from workspace.decisions import permissions, services


def paper_round(paper) -> dict | None:
    """The paper's latest round, whether the text changed since its version, and the tally."""
    round_ = services.latest_round("paper", paper.id)
    if round_ is None:
        return None
    return {"round": round_, "stale": round_.is_open and services.is_stale(round_, paper),
            "outcome": services.outcome_of(round_)}


def init_app(app: Flask) -> None:
    @app.context_processor
    def inject_decision_labels():
        return {"DECISION_LABELS": services.DECISION_LABELS, "STATEMENT_LABELS": services.STATEMENT_LABELS,
                "OUTCOME_LABELS": services.OUTCOME_LABELS, "ROUND_STATUS_LABELS": services.ROUND_STATUS_LABELS,
                "CLOSE_REASON_LABELS": services.CLOSE_REASON_LABELS,
                "RATIFICATION_LABELS": services.RATIFICATION_LABELS, "paper_round": paper_round,
                "perm_decisions": permissions}

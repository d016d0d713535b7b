"""The decision rules as a pure function: no database, no request, easy to test.

consensus — every taking-part organisation approves (with or without a reservation or a
            särskilt yttrande); a decline, an abstention or a missing decision blocks.
majority  — more than half of the taking-part organisations approve (any kind of approval);
            abstentions and missing decisions count as not approving.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

APPROVALS = frozenset({"approve", "approve_reservation", "approve_statement"})
RULES = ("consensus", "majority")


@dataclass(frozen=True)
class Outcome:
    met: bool
    approvals: int
    declines: int
    abstentions: int
    missing: int
    reservations: int
    statements: int
    total: int

    @property
    def all_decided(self) -> bool:
        return self.missing == 0


def evaluate(rule: str, participants: Iterable[int], current_decisions: Mapping[int, str]) -> Outcome:
    """`participants`: organisation ids; `current_decisions`: organisation id → the kind of its
    standing decision. Decisions of organisations that do not take part are ignored."""
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}")
    orgs = set(participants)
    kinds = [current_decisions[o] for o in orgs if o in current_decisions]
    approvals = sum(1 for k in kinds if k in APPROVALS)
    declines = kinds.count("decline")
    abstentions = kinds.count("abstain")
    missing = len(orgs) - len(kinds)
    if not orgs:
        met = False
    elif rule == "consensus":
        met = approvals == len(orgs)
    else:
        met = approvals * 2 > len(orgs)
    return Outcome(met=met, approvals=approvals, declines=declines, abstentions=abstentions, missing=missing,
                   reservations=kinds.count("approve_reservation"), statements=kinds.count("approve_statement"),
                   total=len(orgs))

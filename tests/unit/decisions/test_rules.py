"""The decision rules as a pure function: every kind of decision, missing ones, both rules."""
import pytest

from workspace.decisions.rules import evaluate

ORGS = [1, 2, 3, 4]
APPROVING = ["approve", "approve_reservation", "approve_statement"]


@pytest.mark.parametrize("kind", APPROVING)
def test_consensus_met_when_everyone_approves_in_any_way(kind):
    out = evaluate("consensus", ORGS, {1: "approve", 2: kind, 3: "approve", 4: "approve"})
    assert out.met and out.all_decided and out.approvals == 4


def test_consensus_counts_reservations_and_statements():
    out = evaluate("consensus", ORGS, {1: "approve", 2: "approve_reservation", 3: "approve_statement",
                                        4: "approve_reservation"})
    assert out.met and out.reservations == 2 and out.statements == 1


@pytest.mark.parametrize("kind", ["decline", "abstain"])
def test_consensus_blocked_by_a_decline_or_an_abstention(kind):
    out = evaluate("consensus", ORGS, {1: "approve", 2: "approve", 3: "approve", 4: kind})
    assert not out.met and out.all_decided


def test_consensus_blocked_by_a_missing_decision():
    out = evaluate("consensus", ORGS, {1: "approve", 2: "approve", 3: "approve"})
    assert not out.met and out.missing == 1 and not out.all_decided


@pytest.mark.parametrize("decisions,met", [
    ({1: "approve", 2: "approve", 3: "approve"}, True),  # 3 of 4, one missing
    ({1: "approve", 2: "approve_reservation", 3: "decline", 4: "decline"}, False),  # exactly half is not more
    ({1: "approve_statement", 2: "approve", 3: "approve_reservation", 4: "decline"}, True),
    ({1: "approve", 2: "approve", 3: "abstain", 4: "abstain"}, False),  # abstentions do not approve
    ({1: "approve", 2: "approve"}, False),  # two missing count as not approving
    ({}, False),
    ({1: "decline", 2: "decline", 3: "decline", 4: "decline"}, False),
])
def test_majority(decisions, met):
    out = evaluate("majority", ORGS, decisions)
    assert out.met is met
    assert out.approvals + out.declines + out.abstentions + out.missing == 4


def test_majority_with_an_odd_number_of_members():
    assert evaluate("majority", [1, 2, 3], {1: "approve", 2: "approve_reservation", 3: "decline"}).met
    assert not evaluate("majority", [1, 2, 3], {1: "approve", 2: "abstain", 3: "decline"}).met


def test_organisations_outside_the_round_are_ignored():
    out = evaluate("consensus", [1, 2], {1: "approve", 2: "approve", 99: "decline"})
    assert out.met and out.total == 2 and out.declines == 0


def test_no_participants_never_meets_and_unknown_rule_is_refused():
    assert not evaluate("consensus", [], {}).met
    with pytest.raises(ValueError):
        evaluate("lottery", ORGS, {})

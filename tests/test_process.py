"""The process core: workflow tables, every gate on every transition, activation, the derived stage."""

from __future__ import annotations

import dataclasses
import itertools
from collections import deque
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from fiber_onboarding.core import process as p
from fiber_onboarding.core.process import (
	CaseFacts,
	CircuitState,
	ContractState,
	ProjectState,
	ProposalState,
	Reading,
	Reason,
	Stage,
)

TODAY = date(2026, 11, 26)  # a Thursday
NOW = datetime(2026, 11, 26, 10, 0)

# every gate passes
HAPPY = CaseFacts(
	today=TODAY,
	now=NOW,
	proposal_state=ProposalState.REGISTERED,
	proposal_valid_until=date(2026, 12, 31),
	paid_on=date(2026, 11, 20),
	project_send_earliest=date(2026, 11, 23),
	contract_state=ContractState.ACCEPTED,
	project_state=ProjectState.APPROVED,
	execution_date=TODAY,
	internal_passage_date=TODAY,
	internal_survey_done_dates=frozenset({TODAY}),
	implementation_report_sent=True,
	circuit_state=CircuitState.TESTING,
	test_phase_ends_at=NOW - timedelta(hours=1),
	readings=(Reading("OLT", Decimal("-12.5")), Reading("CPE", Decimal("-18"))),
)

# for each gate, a change of the happy facts that makes it fail
BREAK = {
	"not_cancelled": {"cancelled": True},
	"proposal_valid": {"proposal_valid_until": TODAY - timedelta(days=1)},
	"setup_fee_paid": {"paid_on": None, "project_send_earliest": None},
	"project_send_date": {"paid_on": TODAY, "project_send_earliest": TODAY + timedelta(days=1)},
	"execution_date_chosen": {"execution_date": None},
	"project_approved": {"project_state": ProjectState.SENT},
	"internal_survey": {"internal_survey_done_dates": frozenset()},
	"implementation_report": {"implementation_report_sent": False},
	"test_phase_ended": {"test_phase_ends_at": NOW + timedelta(hours=5)},
	"contract_accepted": {"contract_state": ContractState.SIGNED_UPLOADED},
	"readings": {"readings": (Reading("OLT", Decimal("-30")),)},
	"no_open_problem": {"open_problems": ("ISS-0001",)},
}


def facts(**changes) -> CaseFacts:
	return dataclasses.replace(HAPPY, **changes)


def broken(gate: str) -> CaseFacts:
	return facts(**BREAK[gate])


ALL_TRANSITIONS = [t for w in p.WORKFLOWS.values() for t in w.transitions]
TRANSITION_IDS = [f"{t.state}-{t.action}" for t in ALL_TRANSITIONS]


def _doctype_of(t: p.TransitionDef) -> str:
	for w in p.WORKFLOWS.values():
		if t in w.transitions:
			return w.doctype
	raise AssertionError(t)


# ---------------------------------------------------------------------------------------------------------------
# The tables
# ---------------------------------------------------------------------------------------------------------------
def test_the_contracts_states_in_order():
	assert p.PROPOSAL_WORKFLOW.state_names == ("Draft", "Sent", "Approved", "Registered", "Expired", "Lost")
	assert p.CONTRACT_WORKFLOW.state_names == ("Draft", "Sent", "Signed Uploaded", "Accepted", "Rejected")
	assert p.PROJECT_WORKFLOW.state_names == (
		"Awaiting Payment",
		"Drafting",
		"Sent",
		"Approved",
		"Internal Execution",
		"External Execution",
		"Done",
	)
	assert p.CIRCUIT_WORKFLOW.state_names == (
		"Planned",
		"Provisioning",
		"Testing",
		"Active",
		"Offline",
		"Decommissioned",
	)
	assert set(p.WORKFLOWS) == {"Fiber Proposal", "Fiber Contract", "Fiber Project", "Circuit"}


def test_the_contracts_main_actions_exist():
	expected = {
		"Fiber Proposal": {"Send", "Approve", "Register", "Expire", "Mark Lost"},
		"Fiber Contract": {"Send", "Upload Signed", "Accept", "Reject"},
		"Fiber Project": {
			"Confirm Payment",
			"Send Project",
			"Approve",
			"Register Internal Passage",
			"Start External Execution",
			"Finish",
		},
		"Circuit": {
			"Start Provisioning",
			"Start Test Phase",
			"Activate",
			"Mark Offline",
			"Restore",
			"Decommission",
		},
	}
	for doctype, actions in expected.items():
		assert actions <= set(p.WORKFLOWS[doctype].actions), doctype


@pytest.mark.parametrize("w", p.WORKFLOWS.values(), ids=list(p.WORKFLOWS))
def test_table_is_consistent(w):
	names = w.state_names
	assert len(set(names)) == len(names), "duplicate state"
	for t in w.transitions:
		assert t.state in names and t.next_state in names, t
		assert t.state != t.next_state, t
		assert t.roles, t
		assert set(t.roles) <= {*p.ALL_ROLES, p.SYSTEM}, t
		assert p.CUSTOMER not in t.roles, "customers act through the system, never directly"
		assert set(t.gates) <= set(p.GATES), t
	pairs = [(t.state, t.action) for t in w.transitions]
	assert len(set(pairs)) == len(pairs), "an action leads to two states"
	moves = [(t.state, t.next_state) for t in w.transitions]
	assert len(set(moves)) == len(moves), "two actions for one move"
	for s in w.states:
		assert s.doc_status in (0, 1, 2)
		assert s.edit_roles and set(s.edit_roles) <= set(p.ALL_ROLES)
		assert s.style in ("", "Primary", "Info", "Success", "Warning", "Danger", "Inverse")
		assert s.indicator


@pytest.mark.parametrize("w", p.WORKFLOWS.values(), ids=list(p.WORKFLOWS))
def test_every_state_is_reachable_from_the_first(w):
	seen, queue = {w.initial_state}, deque([w.initial_state])
	while queue:
		for t in w.transitions_from(queue.popleft()):
			if t.next_state not in seen:
				seen.add(t.next_state)
				queue.append(t.next_state)
	assert seen == set(w.state_names)


@pytest.mark.parametrize("w", p.WORKFLOWS.values(), ids=list(p.WORKFLOWS))
def test_terminal_states_have_no_way_out_and_the_others_have_one(w):
	for s in w.states:
		if s.terminal:
			assert w.transitions_from(s.name) == (), s.name
		else:
			assert w.transitions_from(s.name), s.name
	# the only states a document leaves "backwards" are the listed ones
	backwards = {
		(w.doctype, t.state, t.next_state)
		for t in w.transitions
		if w.state_names.index(t.next_state) < w.state_names.index(t.state)
	}
	allowed = {
		("Fiber Contract", "Rejected", "Signed Uploaded"),
		("Fiber Project", "Sent", "Drafting"),
		("Circuit", "Offline", "Active"),
	}
	assert backwards <= allowed


def test_every_workflow_has_a_terminal_state_reachable_by_a_happy_path():
	for w in p.WORKFLOWS.values():
		assert any(s.terminal for s in w.states)


def test_system_only_steps():
	system_only = {(_doctype_of(t), t.action) for t in ALL_TRANSITIONS if t.roles == (p.SYSTEM,)}
	assert system_only == {
		("Fiber Proposal", "Register"),
		("Fiber Contract", "Upload Signed"),
		("Fiber Project", "Confirm Payment"),
		("Fiber Project", "Approve"),
	}


def test_every_gate_guards_some_transition():
	used = {g for t in ALL_TRANSITIONS for g in t.gates}
	assert used == set(p.GATES)


def test_masters_and_styles():
	states = p.all_states()
	assert len(states) == len(set(states))
	assert set(states) == {s.name for w in p.WORKFLOWS.values() for s in w.states}
	assert set(states) <= set(p.STATE_STYLES)
	actions = p.all_actions()
	assert len(actions) == len(set(actions))
	assert "Activate" in actions and "Confirm Payment" in actions
	assert p.state_indicator("Active") == "green"
	assert p.state_indicator(None) == "gray"
	assert p.state_indicator("Unknown") == "gray"


# ---------------------------------------------------------------------------------------------------------------
# Every gate, alone
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("gate", sorted(p.GATES))
def test_each_gate_passes_on_happy_facts_and_fails_when_broken(gate):
	assert p.GATES[gate](HAPPY) == []
	reasons = p.GATES[gate](broken(gate))
	assert reasons
	assert all(isinstance(r, str) and r for r in reasons)


@pytest.mark.parametrize("gate", sorted(p.GATES))
def test_each_breaker_only_breaks_its_own_gate_or_a_dependent_one(gate):
	# execution_date also matters to project_approved; payment also to the send date
	dependents = {
		"setup_fee_paid": {"project_send_date"},
		"execution_date_chosen": {"project_approved"},
	}
	failing = {g for g, fn in p.GATES.items() if fn(broken(gate))}
	assert failing == {gate} | dependents.get(gate, set())


@pytest.mark.parametrize("t", ALL_TRANSITIONS, ids=TRANSITION_IDS)
@pytest.mark.parametrize("gate", sorted(p.GATES))
def test_every_transition_against_every_gate(t, gate):
	"""Every state's every transition, each gate true and false: blocked exactly when one of its gates fails."""
	doctype = _doctype_of(t)
	assert p.transition_blockers(doctype, t.state, t.next_state, HAPPY) == []
	bad = broken(gate)
	reasons = p.transition_blockers(doctype, t.state, t.next_state, bad)
	expected = p.run_gates(t.gates, bad)
	assert reasons == expected
	if gate in t.gates:
		assert reasons, f"{gate} must block {doctype}: {t.action}"
		assert set(p.GATES[gate](bad)) <= set(reasons)
	roles = set(t.roles)
	allowed = {x.action for x in p.allowed_transitions(doctype, t.state, roles, bad)}
	assert (t.action in allowed) == (not reasons)


@pytest.mark.parametrize("w", p.WORKFLOWS.values(), ids=list(p.WORKFLOWS))
def test_moves_outside_the_table_are_blocked(w):
	for a, b in itertools.permutations(w.state_names, 2):
		if not p.find_transitions(w.doctype, a, b):
			assert p.transition_blockers(w.doctype, a, b, HAPPY), (a, b)


# ---------------------------------------------------------------------------------------------------------------
# Gate details
# ---------------------------------------------------------------------------------------------------------------
def test_proposal_validity():
	assert p.gate_proposal_valid(facts(proposal_valid_until=TODAY)) == []
	(reason,) = p.gate_proposal_valid(facts(proposal_valid_until=TODAY - timedelta(days=3)))
	assert reason == "The proposal expired on {0}." and reason.args == (TODAY - timedelta(days=3),)
	assert p.gate_proposal_valid(facts(proposal_valid_until=None)) == ["The proposal has no validity date."]


@pytest.mark.parametrize(
	("paid_on", "earliest", "today", "ok"),
	[
		# paid on a Friday, no calendar given: the next weekday (Monday) is the first day
		(date(2026, 11, 27), None, date(2026, 11, 27), False),
		(date(2026, 11, 27), None, date(2026, 11, 28), False),
		(date(2026, 11, 27), None, date(2026, 11, 29), False),
		(date(2026, 11, 27), None, date(2026, 11, 30), True),
		(date(2026, 11, 27), None, date(2026, 12, 1), True),
		# paid on Thursday 19/11, Friday 20/11 is a holiday in the business calendar: Monday 23/11
		(date(2026, 11, 19), date(2026, 11, 23), date(2026, 11, 20), False),
		(date(2026, 11, 19), date(2026, 11, 23), date(2026, 11, 23), True),
		# never on the payment day itself
		(date(2026, 11, 24), None, date(2026, 11, 24), False),
		(date(2026, 11, 24), None, date(2026, 11, 25), True),
		(None, None, date(2026, 11, 25), False),
	],
)
def test_project_send_date(paid_on, earliest, today, ok):
	f = facts(paid_on=paid_on, project_send_earliest=earliest, today=today)
	assert (p.gate_project_send_date(f) == []) == ok


def test_project_send_date_reason_names_the_day():
	(reason,) = p.gate_project_send_date(facts(paid_on=TODAY, project_send_earliest=None))
	assert reason.args == (date(2026, 11, 27),)
	assert p.gate_project_send_date(facts(paid_on=None)) == [
		"The project is sent only after the setup fee is paid."
	]


def test_next_weekday_after():
	assert p.next_weekday_after(date(2026, 11, 27)) == date(2026, 11, 30)
	assert p.next_weekday_after(date(2026, 11, 28)) == date(2026, 11, 30)
	assert p.next_weekday_after(date(2026, 11, 26)) == date(2026, 11, 27)


def test_execution_date():
	assert p.gate_execution_date_chosen(facts(execution_date=TODAY + timedelta(days=5))) == []
	assert p.gate_execution_date_chosen(facts(execution_date=TODAY - timedelta(days=1))) == [
		"The execution date {0} is in the past."
	]


@pytest.mark.parametrize("state", [ProjectState.APPROVED, ProjectState.INTERNAL_EXECUTION, ProjectState.DONE])
def test_project_approved_states(state):
	assert p.gate_project_approved(facts(project_state=state)) == []


@pytest.mark.parametrize(
	"state", [None, ProjectState.AWAITING_PAYMENT, ProjectState.DRAFTING, ProjectState.SENT]
)
def test_project_not_approved_states(state):
	assert p.gate_project_approved(facts(project_state=state)) == [
		"The technical contact has not approved the project yet."
	]


def test_internal_survey():
	assert p.gate_internal_survey(facts(internal_passage_date=None)) == [
		"The internal passage date is not set."
	]
	future = TODAY + timedelta(days=1)
	assert p.gate_internal_survey(
		facts(internal_passage_date=future, internal_survey_done_dates={future})
	) == ["The internal passage date {0} is in the future."]
	other_day = frozenset({TODAY - timedelta(days=2)})
	assert p.gate_internal_survey(facts(internal_survey_done_dates=other_day)) == [
		"The internal survey of {0} is not done."
	]


def test_test_phase_and_early_close():
	ends = NOW + timedelta(hours=3)
	assert p.gate_test_phase_ended(facts(test_phase_ends_at=None)) == ["The test phase has not started."]
	assert p.gate_test_phase_ended(facts(test_phase_ends_at=NOW)) == []  # exactly at the end
	assert p.gate_test_phase_ended(facts(test_phase_ends_at=ends)) == [
		"The test phase ends at {0}; closing it early needs a reason."
	]
	assert p.gate_test_phase_ended(
		facts(test_phase_ends_at=ends, early_close_reason="   ", early_close_by_roles=frozenset({p.MANAGER}))
	)
	for role in (p.MANAGER, p.ACTIVATION):
		ok = facts(test_phase_ends_at=ends, early_close_reason="Cliente validou", early_close_by_roles={role})
		assert p.gate_test_phase_ended(ok) == []
	for role in (p.SALES, p.FINANCE, p.PROJECTS, p.FIELD, p.CUSTOMER):
		no = facts(test_phase_ends_at=ends, early_close_reason="Cliente validou", early_close_by_roles={role})
		assert p.gate_test_phase_ended(no) == [
			"Only a Fiber Onboarding Manager or Fiber Activation user may close the test phase early."
		]


@pytest.mark.parametrize(
	("value", "ok"),
	[
		("-25", True),
		("-8", True),
		("-16.5", True),
		("-25.01", False),
		("-7.99", False),
		("0", False),
		(None, False),
	],
)
def test_reading_thresholds(value, ok):
	r = Reading("CPE", Decimal(value) if value is not None else None)
	assert (p.gate_readings(facts(readings=(r,))) == []) == ok


def test_every_bad_reading_is_listed_with_its_values():
	bad = facts(
		readings=(Reading("A", Decimal("-30")), Reading("B", Decimal("-5")), Reading("C", Decimal("-10")))
	)
	reasons = p.gate_readings(bad)
	assert [r.args[0] for r in reasons] == ["A", "B"]
	assert reasons[0].args == ("A", Decimal("-30"), Decimal("-25"), Decimal("-8"))
	assert p.gate_readings(facts(readings=())) == ["No optical power reading was recorded."]
	custom = facts(readings=(Reading("A", Decimal("-27")),), min_rx_power_dbm=Decimal("-28"))
	assert p.gate_readings(custom) == []


def test_open_problems_are_named():
	(reason,) = p.gate_no_open_problem(facts(open_problems=("ISS-1", "ISS-2")))
	assert reason.args == ("ISS-1, ISS-2",)


def test_contract_must_be_accepted():
	for state in (None, *p.CONTRACT_WORKFLOW.state_names):
		assert (p.gate_contract_accepted(facts(contract_state=state)) == []) == (
			state == ContractState.ACCEPTED
		)


def test_cancelled_blocks_every_forward_step():
	f = facts(cancelled=True)
	for t in ALL_TRANSITIONS:
		blocked = bool(p.transition_blockers(_doctype_of(t), t.state, t.next_state, f))
		assert blocked == ("not_cancelled" in t.gates)
	# cleaning up stays possible after a cancellation
	assert p.transition_blockers("Circuit", "Planned", "Decommissioned", f) == []
	assert p.transition_blockers("Fiber Proposal", "Approved", "Lost", f) == []


# ---------------------------------------------------------------------------------------------------------------
# Activation
# ---------------------------------------------------------------------------------------------------------------
def test_activation_allowed_on_happy_facts():
	assert p.activation_blockers(HAPPY) == []


@pytest.mark.parametrize("gate", p.ACTIVATION_GATES)
def test_activation_blocked_by_each_of_its_gates(gate):
	assert p.activation_blockers(broken(gate)) == p.GATES[gate](broken(gate))


def test_activation_lists_every_reason_at_once():
	bad = facts(
		contract_state=ContractState.SENT,
		test_phase_ends_at=NOW + timedelta(hours=40),
		readings=(),
		open_problems=("ISS-7",),
	)
	assert p.activation_blockers(bad) == [
		"The test phase ends at {0}; closing it early needs a reason.",
		"The signed contract has not been accepted.",
		"No optical power reading was recorded.",
		"The customer has open problems: {0}.",
	]


def test_activation_ignores_gates_it_does_not_have():
	assert p.activation_blockers(broken("internal_survey")) == []
	assert p.activation_blockers(broken("proposal_valid")) == []


# ---------------------------------------------------------------------------------------------------------------
# Roles
# ---------------------------------------------------------------------------------------------------------------
def test_allowed_transitions_by_role():
	def actions(doctype, state, roles, f=HAPPY):
		return [t.action for t in p.allowed_transitions(doctype, state, roles, f)]

	assert actions("Fiber Proposal", "Draft", {p.SALES}) == ["Send", "Expire", "Mark Lost"]
	assert actions("Fiber Proposal", "Draft", {p.PROJECTS, p.FINANCE}) == []
	assert actions("Fiber Proposal", "Approved", {p.SYSTEM}) == ["Register", "Expire"]
	assert actions("Fiber Project", "Awaiting Payment", {p.SYSTEM}) == ["Confirm Payment"]
	assert actions("Fiber Project", "Awaiting Payment", {p.SYSTEM}, broken("setup_fee_paid")) == []
	assert actions("Fiber Project", "Approved", {p.FIELD}) == ["Register Internal Passage"]
	assert actions("Circuit", "Testing", {p.ACTIVATION}) == ["Activate", "Decommission"][:1]
	assert actions("Circuit", "Testing", {p.MANAGER}) == ["Activate", "Decommission"]
	assert actions("Circuit", "Active", {p.FIELD}) == []


@pytest.mark.parametrize("w", p.WORKFLOWS.values(), ids=list(p.WORKFLOWS))
def test_customer_and_finance_take_no_workflow_step(w):
	for s in w.state_names:
		assert p.allowed_transitions(w.doctype, s, {p.CUSTOMER, p.FINANCE}, HAPPY) == []


def test_manager_can_take_every_staff_step():
	for t in ALL_TRANSITIONS:
		if t.roles != (p.SYSTEM,):
			assert p.MANAGER in t.roles, t


# ---------------------------------------------------------------------------------------------------------------
# The derived stage
# ---------------------------------------------------------------------------------------------------------------
J, R = ProjectState, CircuitState


@pytest.mark.parametrize(
	("project", "circuit", "paid", "stage"),
	[
		(None, None, False, Stage.AWAITING_PAYMENT),
		(J.AWAITING_PAYMENT, R.PLANNED, False, Stage.AWAITING_PAYMENT),
		# paid, the project not moved yet: the project is being drawn
		(J.AWAITING_PAYMENT, R.PLANNED, True, Stage.PROJECT_DRAFTING),
		(None, None, True, Stage.PROJECT_DRAFTING),
		(J.DRAFTING, R.PLANNED, True, Stage.PROJECT_DRAFTING),
		(J.SENT, R.PLANNED, True, Stage.AWAITING_PROJECT_APPROVAL),
		(J.APPROVED, R.PLANNED, True, Stage.EXECUTION_SCHEDULED),
		(J.APPROVED, R.PROVISIONING, True, Stage.EXECUTION_SCHEDULED),
		(J.INTERNAL_EXECUTION, R.PROVISIONING, True, Stage.INTERNAL_EXECUTION),
		(J.EXTERNAL_EXECUTION, R.PROVISIONING, True, Stage.EXTERNAL_EXECUTION),
		(J.DONE, R.PROVISIONING, True, Stage.EXTERNAL_EXECUTION),
		(J.DONE, R.TESTING, True, Stage.TEST_PHASE),
		(J.DONE, R.ACTIVE, True, Stage.ACTIVE),
		(J.DONE, R.OFFLINE, True, Stage.ACTIVE),
	],
)
def test_stage_along_the_process(project, circuit, paid, stage):
	f = facts(project_state=project, circuit_state=circuit, paid_on=TODAY if paid else None)
	assert p.derive_stage(f) == stage


def test_decommissioned_circuit():
	assert p.derive_stage(facts(circuit_state=R.DECOMMISSIONED, activated=True)) == Stage.ACTIVE
	assert p.derive_stage(facts(circuit_state=R.DECOMMISSIONED, activated=False)) == Stage.CANCELLED


PROJECT_STATES = (None, *p.PROJECT_WORKFLOW.state_names)
CIRCUIT_STATES = (None, *p.CIRCUIT_WORKFLOW.state_names)
COMBINATIONS = list(itertools.product(PROJECT_STATES, CIRCUIT_STATES, (False, True), (False, True)))


@pytest.mark.parametrize(("project", "circuit", "paid", "activated"), COMBINATIONS)
def test_stage_for_every_combination(project, circuit, paid, activated):
	f = facts(
		project_state=project, circuit_state=circuit, paid_on=TODAY if paid else None, activated=activated
	)
	stage = p.derive_stage(f)
	assert stage in p.STAGES
	# cancellation wins over everything
	assert p.derive_stage(dataclasses.replace(f, cancelled=True)) == Stage.CANCELLED
	# the circuit decides first
	if circuit in (R.ACTIVE, R.OFFLINE):
		assert stage == Stage.ACTIVE
	elif circuit == R.TESTING:
		assert stage == Stage.TEST_PHASE
	elif circuit == R.DECOMMISSIONED:
		assert stage == (Stage.ACTIVE if activated else Stage.CANCELLED)
	else:
		# then the project, and the payment only before the project moved
		by_project = {
			J.EXTERNAL_EXECUTION: Stage.EXTERNAL_EXECUTION,
			J.DONE: Stage.EXTERNAL_EXECUTION,
			J.INTERNAL_EXECUTION: Stage.INTERNAL_EXECUTION,
			J.APPROVED: Stage.EXECUTION_SCHEDULED,
			J.SENT: Stage.AWAITING_PROJECT_APPROVAL,
			J.DRAFTING: Stage.PROJECT_DRAFTING,
		}
		expected = by_project.get(project) or (Stage.PROJECT_DRAFTING if paid else Stage.AWAITING_PAYMENT)
		assert stage == expected
	# the contract, proposal and readings never change the stage
	other = dataclasses.replace(f, contract_state=None, proposal_state=None, readings=())
	assert p.derive_stage(other) == stage


def test_stage_never_goes_back_along_the_main_path():
	path = [
		(J.AWAITING_PAYMENT, R.PLANNED, False),
		(J.AWAITING_PAYMENT, R.PLANNED, True),
		(J.DRAFTING, R.PLANNED, True),
		(J.SENT, R.PLANNED, True),
		(J.APPROVED, R.PLANNED, True),
		(J.APPROVED, R.PROVISIONING, True),
		(J.INTERNAL_EXECUTION, R.PROVISIONING, True),
		(J.EXTERNAL_EXECUTION, R.PROVISIONING, True),
		(J.DONE, R.PROVISIONING, True),
		(J.DONE, R.TESTING, True),
		(J.DONE, R.ACTIVE, True),
	]
	stages = [
		p.derive_stage(facts(project_state=j, circuit_state=r, paid_on=TODAY if paid else None))
		for j, r, paid in path
	]
	indexes = [p.stage_index(s) for s in stages]
	assert indexes == sorted(indexes)
	assert set(stages) == set(p.STAGES) - {Stage.CANCELLED}
	assert set(p.STAGE_INDICATORS) == set(p.STAGES)


# ---------------------------------------------------------------------------------------------------------------
# Reasons
# ---------------------------------------------------------------------------------------------------------------
def test_reason_renders_through_a_translator():
	r = Reason("Reading {0}: {1} dBm is outside the range {2} to {3} dBm.", "CPE", Decimal("-30"), -25, -8)
	assert r == "Reading {0}: {1} dBm is outside the range {2} to {3} dBm."
	assert r.render() == "Reading CPE: -30 dBm is outside the range -25 to -8 dBm."
	pt = {str(r): "Leitura {0}: {1} dBm fora da faixa de {2} a {3} dBm."}
	assert r.render(pt.get, str) == "Leitura CPE: -30 dBm fora da faixa de -25 a -8 dBm."


def test_run_gates_keeps_reasons_with_different_values():
	bad = facts(readings=(Reading("A", Decimal("-30")), Reading("B", Decimal("-31"))))
	assert len(p.run_gates(["readings", "readings"], bad)) == 2

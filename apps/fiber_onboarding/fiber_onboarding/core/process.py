"""The onboarding process as data: workflows, gates and the case's overall stage.

Plain Python (no frappe). The Frappe layer turns ``WORKFLOWS`` into Workflow records
(``setup/workflows.py``), builds a ``CaseFacts`` from the case and its documents (``utils/gates.py``) and calls
the gates when a document changes state.

- A *workflow* lists, for one DocType, its states (doc_status, style, list indicator) and its transitions
  (state, action, next state, the roles allowed to take it, and the gates that guard it).
- A *gate* is a function ``gate_<name>(facts) -> list[str]`` returning the reasons the step is blocked (an
  empty list lets it through). Reasons are English msgids, translated by the Frappe layer; a reason carrying
  values is a ``Reason`` (a ``str`` whose ``args`` fill the msgid's ``{0}``, ``{1}``...).
- ``derive_stage(facts)`` is the case's single overall stage, derived from the documents' states.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

# ---------------------------------------------------------------------------------------------------------------
# Roles and DocTypes
# ---------------------------------------------------------------------------------------------------------------
SALES = "Fiber Sales"
FINANCE = "Fiber Finance"
PROJECTS = "Fiber Projects"
FIELD = "Fiber Field Technician"
ACTIVATION = "Fiber Activation"
MANAGER = "Fiber Onboarding Manager"
CUSTOMER = "Fiber Customer"
# Transitions the system takes (bank return, scheduler, a customer's action through a checked portal endpoint)
# are allowed to the "Administrator" role only, which no staff user holds: ``utils.workflow.advance(...,
# as_system=True)`` runs them as Administrator.
SYSTEM = "Administrator"

STAFF_ROLES: tuple[str, ...] = (SALES, FINANCE, PROJECTS, FIELD, ACTIVATION, MANAGER)
ALL_ROLES: tuple[str, ...] = (*STAFF_ROLES, CUSTOMER)
# who may close the 48 h test phase early (with a reason)
EARLY_CLOSE_ROLES = frozenset({MANAGER, ACTIVATION})

CASE = "Fiber Onboarding"
PROPOSAL = "Fiber Proposal"
BOLETO = "Fiber Boleto"
CONTRACT = "Fiber Contract"
PROJECT = "Fiber Project"
SITE_VISIT = "Site Visit"
CIRCUIT = "Circuit"
# the documents the case listens to (each carries an ``onboarding`` link to its case)
CASE_CHILDREN: tuple[str, ...] = (BOLETO, CONTRACT, PROJECT, SITE_VISIT, CIRCUIT)


class ProposalState:
	DRAFT = "Draft"
	SENT = "Sent"
	APPROVED = "Approved"
	REGISTERED = "Registered"
	EXPIRED = "Expired"
	LOST = "Lost"


class BoletoStatus:
	"""The setup-fee boleto's ``status`` (a Select moved by the billing services, no workflow)."""

	DRAFT = "Draft"
	SUBMITTED = "Submitted"  # waiting for the bank's registration
	REGISTERED = "Registered"
	REJECTED = "Rejected"
	PAID = "Paid"
	CANCELLED = "Cancelled"
	EXPIRED = "Expired"


class ContractState:
	DRAFT = "Draft"
	SENT = "Sent"
	SIGNED_UPLOADED = "Signed Uploaded"
	ACCEPTED = "Accepted"
	REJECTED = "Rejected"


class ProjectState:
	AWAITING_PAYMENT = "Awaiting Payment"
	DRAFTING = "Drafting"
	SENT = "Sent"
	APPROVED = "Approved"
	INTERNAL_EXECUTION = "Internal Execution"
	EXTERNAL_EXECUTION = "External Execution"
	DONE = "Done"


class CircuitState:
	PLANNED = "Planned"
	PROVISIONING = "Provisioning"
	TESTING = "Testing"
	ACTIVE = "Active"
	OFFLINE = "Offline"
	DECOMMISSIONED = "Decommissioned"


class Stage:
	AWAITING_PAYMENT = "Awaiting Payment"
	PROJECT_DRAFTING = "Project Drafting"
	AWAITING_PROJECT_APPROVAL = "Awaiting Project Approval"
	EXECUTION_SCHEDULED = "Execution Scheduled"
	INTERNAL_EXECUTION = "Internal Execution"
	EXTERNAL_EXECUTION = "External Execution"
	TEST_PHASE = "Test Phase"
	ACTIVE = "Active"
	CANCELLED = "Cancelled"


# the case's stages in process order, with their list indicator colour
STAGES: tuple[str, ...] = (
	Stage.AWAITING_PAYMENT,
	Stage.PROJECT_DRAFTING,
	Stage.AWAITING_PROJECT_APPROVAL,
	Stage.EXECUTION_SCHEDULED,
	Stage.INTERNAL_EXECUTION,
	Stage.EXTERNAL_EXECUTION,
	Stage.TEST_PHASE,
	Stage.ACTIVE,
	Stage.CANCELLED,
)
STAGE_INDICATORS: dict[str, str] = {
	Stage.AWAITING_PAYMENT: "orange",
	Stage.PROJECT_DRAFTING: "yellow",
	Stage.AWAITING_PROJECT_APPROVAL: "purple",
	Stage.EXECUTION_SCHEDULED: "cyan",
	Stage.INTERNAL_EXECUTION: "blue",
	Stage.EXTERNAL_EXECUTION: "blue",
	Stage.TEST_PHASE: "pink",
	Stage.ACTIVE: "green",
	Stage.CANCELLED: "red",
}


# ---------------------------------------------------------------------------------------------------------------
# Workflow definitions
# ---------------------------------------------------------------------------------------------------------------
# Workflow State masters are shared by every workflow (one record per name), so a state name has one style.
# style: a Workflow State "style" (Primary/Info/Success/Warning/Danger/Inverse or ""); indicator: list colour.
STATE_STYLES: dict[str, tuple[str, str]] = {
	"Draft": ("", "gray"),
	"Sent": ("Primary", "blue"),
	"Approved": ("Success", "green"),
	"Registered": ("Success", "green"),
	"Expired": ("Danger", "red"),
	"Lost": ("Inverse", "darkgrey"),
	"Signed Uploaded": ("Info", "cyan"),
	"Accepted": ("Success", "green"),
	"Rejected": ("Danger", "red"),
	"Awaiting Payment": ("Warning", "orange"),
	"Drafting": ("Warning", "yellow"),
	"Internal Execution": ("Primary", "blue"),
	"External Execution": ("Primary", "blue"),
	"Done": ("Success", "green"),
	"Planned": ("", "gray"),
	"Provisioning": ("Info", "cyan"),
	"Testing": ("Warning", "pink"),
	"Active": ("Success", "green"),
	"Offline": ("Danger", "red"),
	"Decommissioned": ("Inverse", "darkgrey"),
}


@dataclass(frozen=True)
class StateDef:
	"""A workflow state. ``edit_roles``: who may edit the document's fields in this state (desk form)."""

	name: str
	edit_roles: tuple[str, ...] = (MANAGER,)
	doc_status: int = 0
	terminal: bool = False

	@property
	def style(self) -> str:
		return STATE_STYLES[self.name][0]

	@property
	def indicator(self) -> str:
		return STATE_STYLES[self.name][1]


@dataclass(frozen=True)
class TransitionDef:
	state: str
	action: str
	next_state: str
	roles: tuple[str, ...]
	gates: tuple[str, ...] = ()


@dataclass(frozen=True)
class WorkflowDef:
	doctype: str
	states: tuple[StateDef, ...]
	transitions: tuple[TransitionDef, ...]

	@property
	def name(self) -> str:
		return self.doctype

	@property
	def state_names(self) -> tuple[str, ...]:
		return tuple(s.name for s in self.states)

	@property
	def initial_state(self) -> str:
		return self.states[0].name

	def state(self, name: str) -> StateDef:
		for s in self.states:
			if s.name == name:
				return s
		raise KeyError(name)

	def transitions_from(self, state: str) -> tuple[TransitionDef, ...]:
		return tuple(t for t in self.transitions if t.state == state)

	@property
	def actions(self) -> tuple[str, ...]:
		return tuple(dict.fromkeys(t.action for t in self.transitions))


def _t(
	states: Iterable[str] | str, action: str, next_state: str, roles, gates=()
) -> tuple[TransitionDef, ...]:
	if isinstance(states, str):
		states = (states,)
	return tuple(TransitionDef(s, action, next_state, tuple(roles), tuple(gates)) for s in states)


P, C, J, R = ProposalState, ContractState, ProjectState, CircuitState

PROPOSAL_WORKFLOW = WorkflowDef(
	PROPOSAL,
	states=(
		StateDef(P.DRAFT, (SALES, MANAGER)),
		StateDef(P.SENT, (SALES, MANAGER)),
		StateDef(P.APPROVED, (SALES, MANAGER)),
		StateDef(P.REGISTERED, (MANAGER,), terminal=True),
		StateDef(P.EXPIRED, (MANAGER,), terminal=True),
		StateDef(P.LOST, (MANAGER,), terminal=True),
	),
	transitions=(
		*_t(P.DRAFT, "Send", P.SENT, (SALES, MANAGER), ("proposal_valid",)),
		*_t(P.SENT, "Approve", P.APPROVED, (SALES, MANAGER), ("proposal_valid",)),
		# the customer registers on the portal with the proposal number
		*_t(P.APPROVED, "Register", P.REGISTERED, (SYSTEM,), ("proposal_valid",)),
		# the scheduler or staff expire a proposal past its validity
		*_t((P.DRAFT, P.SENT, P.APPROVED), "Expire", P.EXPIRED, (SALES, MANAGER, SYSTEM)),
		*_t((P.DRAFT, P.SENT, P.APPROVED), "Mark Lost", P.LOST, (SALES, MANAGER)),
	),
)

CONTRACT_WORKFLOW = WorkflowDef(
	CONTRACT,
	states=(
		StateDef(C.DRAFT, (SALES, MANAGER)),
		StateDef(C.SENT, (SALES, MANAGER)),
		StateDef(C.SIGNED_UPLOADED, (SALES, MANAGER)),
		StateDef(C.ACCEPTED, (MANAGER,), terminal=True),
		StateDef(C.REJECTED, (SALES, MANAGER)),
	),
	transitions=(
		# sent to the legal responsible right after registration (system) or again by staff
		*_t(C.DRAFT, "Send", C.SENT, (SALES, MANAGER, SYSTEM), ("not_cancelled",)),
		# the legal responsible uploads the signed PDF through the e-mailed link; a rejected upload may be redone
		*_t((C.SENT, C.REJECTED), "Upload Signed", C.SIGNED_UPLOADED, (SYSTEM,), ("not_cancelled",)),
		*_t(C.SIGNED_UPLOADED, "Accept", C.ACCEPTED, (SALES, MANAGER), ("not_cancelled",)),
		*_t(C.SIGNED_UPLOADED, "Reject", C.REJECTED, (SALES, MANAGER)),
	),
)

PROJECT_WORKFLOW = WorkflowDef(
	PROJECT,
	states=(
		StateDef(J.AWAITING_PAYMENT, (PROJECTS, MANAGER)),
		StateDef(J.DRAFTING, (PROJECTS, MANAGER)),
		StateDef(J.SENT, (PROJECTS, MANAGER)),
		StateDef(J.APPROVED, (PROJECTS, FIELD, MANAGER)),
		StateDef(J.INTERNAL_EXECUTION, (PROJECTS, FIELD, MANAGER)),
		StateDef(J.EXTERNAL_EXECUTION, (PROJECTS, FIELD, MANAGER)),
		StateDef(J.DONE, (PROJECTS, MANAGER), terminal=True),
	),
	transitions=(
		# the bank return (or finance's manual confirmation) pays the boleto: the project may be drawn
		*_t(
			J.AWAITING_PAYMENT, "Confirm Payment", J.DRAFTING, (SYSTEM,), ("not_cancelled", "setup_fee_paid")
		),
		# e-mailed to the technical contact on the first business day after payment (scheduler or staff)
		*_t(
			J.DRAFTING,
			"Send Project",
			J.SENT,
			(PROJECTS, MANAGER, SYSTEM),
			("not_cancelled", "setup_fee_paid", "project_send_date"),
		),
		# the technical contact approves online and chooses the execution date
		*_t(
			J.SENT,
			"Approve",
			J.APPROVED,
			(SYSTEM,),
			("not_cancelled", "setup_fee_paid", "execution_date_chosen"),
		),
		# the project is redrawn (the customer asked for changes)
		*_t(J.SENT, "Revise", J.DRAFTING, (PROJECTS, MANAGER), ("not_cancelled",)),
		# internal survey and internal cable passage on the chosen date: the SLA starts counting
		*_t(
			J.APPROVED,
			"Register Internal Passage",
			J.INTERNAL_EXECUTION,
			(PROJECTS, FIELD, MANAGER),
			("not_cancelled", "setup_fee_paid", "project_approved", "internal_survey"),
		),
		*_t(
			J.INTERNAL_EXECUTION,
			"Start External Execution",
			J.EXTERNAL_EXECUTION,
			(PROJECTS, FIELD, MANAGER),
			("not_cancelled", "setup_fee_paid"),
		),
		# finished when the implementation report went to the customer (it starts the test phase)
		*_t(
			J.EXTERNAL_EXECUTION,
			"Finish",
			J.DONE,
			(PROJECTS, MANAGER),
			("not_cancelled", "setup_fee_paid", "implementation_report"),
		),
	),
)

ACTIVATION_GATES: tuple[str, ...] = (
	"not_cancelled",
	"setup_fee_paid",
	"test_phase_ended",
	"contract_accepted",
	"readings",
	"no_open_problem",
)

CIRCUIT_WORKFLOW = WorkflowDef(
	CIRCUIT,
	states=(
		StateDef(R.PLANNED, (ACTIVATION, FIELD, MANAGER)),
		StateDef(R.PROVISIONING, (ACTIVATION, FIELD, MANAGER)),
		StateDef(R.TESTING, (ACTIVATION, FIELD, MANAGER)),
		StateDef(R.ACTIVE, (ACTIVATION, FIELD, MANAGER)),
		StateDef(R.OFFLINE, (ACTIVATION, FIELD, MANAGER)),
		StateDef(R.DECOMMISSIONED, (MANAGER,), terminal=True),
	),
	transitions=(
		*_t(
			R.PLANNED,
			"Start Provisioning",
			R.PROVISIONING,
			(ACTIVATION, MANAGER),
			("not_cancelled", "setup_fee_paid", "project_approved"),
		),
		# the implementation report formally starts the 48 h validation
		*_t(
			R.PROVISIONING,
			"Start Test Phase",
			R.TESTING,
			(ACTIVATION, MANAGER, SYSTEM),
			("not_cancelled", "setup_fee_paid", "implementation_report"),
		),
		*_t(R.TESTING, "Activate", R.ACTIVE, (ACTIVATION, MANAGER, SYSTEM), ACTIVATION_GATES),
		*_t(R.ACTIVE, "Mark Offline", R.OFFLINE, (ACTIVATION, MANAGER, SYSTEM)),
		*_t(R.OFFLINE, "Restore", R.ACTIVE, (ACTIVATION, MANAGER), ("readings",)),
		*_t(
			(R.PLANNED, R.PROVISIONING, R.TESTING, R.ACTIVE, R.OFFLINE),
			"Decommission",
			R.DECOMMISSIONED,
			(MANAGER,),
		),
	),
)

WORKFLOWS: dict[str, WorkflowDef] = {
	w.doctype: w for w in (PROPOSAL_WORKFLOW, CONTRACT_WORKFLOW, PROJECT_WORKFLOW, CIRCUIT_WORKFLOW)
}


def all_states() -> tuple[str, ...]:
	"""Every Workflow State master the app needs (unique, in order of first use)."""
	return tuple(dict.fromkeys(s.name for w in WORKFLOWS.values() for s in w.states))


def all_actions() -> tuple[str, ...]:
	"""Every Workflow Action Master the app needs."""
	return tuple(dict.fromkeys(a for w in WORKFLOWS.values() for a in w.actions))


def state_indicator(state: str | None) -> str:
	return STATE_STYLES.get(state or "", ("", "gray"))[1]


# ---------------------------------------------------------------------------------------------------------------
# Facts and gates
# ---------------------------------------------------------------------------------------------------------------
class Reason(str):
	"""A blocking reason: the English msgid (the ``str`` value) plus the values for its placeholders."""

	args: tuple

	def __new__(cls, msgid: str, *args):
		obj = super().__new__(cls, msgid)
		obj.args = args
		return obj

	def render(self, translate: Callable[[str], str] = lambda s: s, fmt: Callable = str) -> str:
		return translate(str(self)).format(*(fmt(a) for a in self.args))


@dataclass(frozen=True)
class Reading:
	"""One optical power reading (dBm) at a point of the circuit."""

	label: str
	rx_power_dbm: Decimal | None


@dataclass(frozen=True)
class CaseFacts:
	"""Everything a gate may look at, as plain values (built from the case and its documents)."""

	today: date
	now: datetime
	cancelled: bool = False
	# proposal
	proposal_state: str | None = None
	proposal_valid_until: date | None = None
	# payment (the setup-fee boleto is Paid on this date)
	paid_on: date | None = None
	# first business day after ``paid_on`` (business calendar); None: the next weekday is used
	project_send_earliest: date | None = None
	# contract
	contract_state: str | None = None
	# project and site visits
	project_state: str | None = None
	execution_date: date | None = None
	internal_passage_date: date | None = None
	internal_survey_done_dates: frozenset[date] = field(default_factory=frozenset)
	implementation_report_sent: bool = False
	# circuit and test phase
	circuit_state: str | None = None
	test_phase_ends_at: datetime | None = None
	early_close_reason: str = ""
	early_close_by_roles: frozenset[str] = field(default_factory=frozenset)
	readings: tuple[Reading, ...] = ()
	min_rx_power_dbm: Decimal = Decimal("-25")
	max_rx_power_dbm: Decimal = Decimal("-8")
	activated: bool = False
	# customer-reported problems still open (e.g. Issue names)
	open_problems: tuple[str, ...] = ()

	@property
	def paid(self) -> bool:
		return self.paid_on is not None


def next_weekday_after(day: date) -> date:
	nxt = day + timedelta(days=1)
	while nxt.weekday() >= 5:
		nxt += timedelta(days=1)
	return nxt


def project_send_earliest(facts: CaseFacts) -> date | None:
	if facts.paid_on is None:
		return None
	return facts.project_send_earliest or next_weekday_after(facts.paid_on)


_PROJECT_APPROVED_STATES = frozenset({J.APPROVED, J.INTERNAL_EXECUTION, J.EXTERNAL_EXECUTION, J.DONE})


def gate_not_cancelled(facts: CaseFacts) -> list[str]:
	return [Reason("The onboarding case was cancelled.")] if facts.cancelled else []


def gate_proposal_valid(facts: CaseFacts) -> list[str]:
	if facts.proposal_valid_until is None:
		return [Reason("The proposal has no validity date.")]
	if facts.proposal_valid_until < facts.today:
		return [Reason("The proposal expired on {0}.", facts.proposal_valid_until)]
	return []


def gate_setup_fee_paid(facts: CaseFacts) -> list[str]:
	return [] if facts.paid else [Reason("The setup fee has not been paid yet.")]


def gate_project_send_date(facts: CaseFacts) -> list[str]:
	earliest = project_send_earliest(facts)
	if earliest is None:
		return [Reason("The project is sent only after the setup fee is paid.")]
	if facts.today < earliest:
		return [
			Reason("The project can be sent from {0}, the first business day after the payment.", earliest)
		]
	return []


def gate_execution_date_chosen(facts: CaseFacts) -> list[str]:
	if facts.execution_date is None:
		return [Reason("The technical contact has not chosen the execution date.")]
	if facts.execution_date < facts.today:
		return [Reason("The execution date {0} is in the past.", facts.execution_date)]
	return []


def gate_project_approved(facts: CaseFacts) -> list[str]:
	reasons: list[str] = []
	if facts.project_state not in _PROJECT_APPROVED_STATES:
		reasons.append(Reason("The technical contact has not approved the project yet."))
	if facts.execution_date is None:
		reasons.append(Reason("The technical contact has not chosen the execution date."))
	return reasons


def gate_internal_survey(facts: CaseFacts) -> list[str]:
	if facts.internal_passage_date is None:
		return [Reason("The internal passage date is not set.")]
	if facts.internal_passage_date > facts.today:
		return [Reason("The internal passage date {0} is in the future.", facts.internal_passage_date)]
	if facts.internal_passage_date not in facts.internal_survey_done_dates:
		return [Reason("The internal survey of {0} is not done.", facts.internal_passage_date)]
	return []


def gate_implementation_report(facts: CaseFacts) -> list[str]:
	if facts.implementation_report_sent:
		return []
	return [Reason("The implementation report has not been sent to the customer.")]


def gate_test_phase_ended(facts: CaseFacts) -> list[str]:
	if facts.test_phase_ends_at is None:
		return [Reason("The test phase has not started.")]
	if facts.now >= facts.test_phase_ends_at:
		return []
	if not (facts.early_close_reason or "").strip():
		return [
			Reason("The test phase ends at {0}; closing it early needs a reason.", facts.test_phase_ends_at)
		]
	if not EARLY_CLOSE_ROLES.intersection(facts.early_close_by_roles):
		return [
			Reason("Only a Fiber Onboarding Manager or Fiber Activation user may close the test phase early.")
		]
	return []


def gate_contract_accepted(facts: CaseFacts) -> list[str]:
	if facts.contract_state == C.ACCEPTED:
		return []
	return [Reason("The signed contract has not been accepted.")]


def gate_readings(facts: CaseFacts) -> list[str]:
	if not facts.readings:
		return [Reason("No optical power reading was recorded.")]
	reasons: list[str] = []
	low, high = facts.min_rx_power_dbm, facts.max_rx_power_dbm
	for r in facts.readings:
		if r.rx_power_dbm is None:
			reasons.append(Reason("Reading {0} has no value.", r.label))
		elif not (low <= r.rx_power_dbm <= high):
			reasons.append(
				Reason(
					"Reading {0}: {1} dBm is outside the range {2} to {3} dBm.",
					r.label,
					r.rx_power_dbm,
					low,
					high,
				)
			)
	return reasons


def gate_no_open_problem(facts: CaseFacts) -> list[str]:
	if not facts.open_problems:
		return []
	return [Reason("The customer has open problems: {0}.", ", ".join(facts.open_problems))]


GATES: dict[str, Callable[[CaseFacts], list[str]]] = {
	"not_cancelled": gate_not_cancelled,
	"proposal_valid": gate_proposal_valid,
	"setup_fee_paid": gate_setup_fee_paid,
	"project_send_date": gate_project_send_date,
	"execution_date_chosen": gate_execution_date_chosen,
	"project_approved": gate_project_approved,
	"internal_survey": gate_internal_survey,
	"implementation_report": gate_implementation_report,
	"test_phase_ended": gate_test_phase_ended,
	"contract_accepted": gate_contract_accepted,
	"readings": gate_readings,
	"no_open_problem": gate_no_open_problem,
}


def run_gates(gates: Iterable[str], facts: CaseFacts) -> list[str]:
	"""The blocking reasons of ``gates`` in order, without duplicates."""
	reasons: list[str] = []
	seen: set[tuple] = set()
	for name in gates:
		for reason in GATES[name](facts):
			key = (str(reason), getattr(reason, "args", ()))
			if key not in seen:
				seen.add(key)
				reasons.append(reason)
	return reasons


def activation_blockers(facts: CaseFacts) -> list[str]:
	"""Why the circuit cannot be activated now (empty: it can)."""
	return run_gates(ACTIVATION_GATES, facts)


# ---------------------------------------------------------------------------------------------------------------
# Transitions
# ---------------------------------------------------------------------------------------------------------------
def find_transitions(doctype: str, state: str, next_state: str) -> tuple[TransitionDef, ...]:
	return tuple(t for t in WORKFLOWS[doctype].transitions_from(state) if t.next_state == next_state)


def transition_blockers(doctype: str, state: str, next_state: str, facts: CaseFacts) -> list[str]:
	"""Why ``state`` → ``next_state`` of ``doctype`` is blocked by the process (roles are Frappe's business).

	A move that is no transition of the workflow is blocked too.
	"""
	transitions = find_transitions(doctype, state, next_state)
	if not transitions:
		return [Reason("{0} cannot go from {1} to {2}.", doctype, state, next_state)]
	# the table has one transition per (state, next_state) pair (checked by the tests)
	return run_gates(transitions[0].gates, facts)


def allowed_transitions(
	doctype: str, state: str, roles: Iterable[str], facts: CaseFacts
) -> list[TransitionDef]:
	"""The transitions out of ``state`` that a user holding ``roles`` may take now (role and gates pass)."""
	roles = frozenset(roles)
	return [
		t
		for t in WORKFLOWS[doctype].transitions_from(state)
		if roles.intersection(t.roles) and not run_gates(t.gates, facts)
	]


# ---------------------------------------------------------------------------------------------------------------
# The case's stage
# ---------------------------------------------------------------------------------------------------------------
def derive_stage(facts: CaseFacts) -> str:
	"""The case's one overall stage (first match wins), from the boleto, project and circuit states."""
	if facts.cancelled:
		return Stage.CANCELLED
	circuit, project = facts.circuit_state, facts.project_state
	if circuit in (R.ACTIVE, R.OFFLINE):
		return Stage.ACTIVE
	if circuit == R.DECOMMISSIONED:
		return Stage.ACTIVE if facts.activated else Stage.CANCELLED
	if circuit == R.TESTING:
		return Stage.TEST_PHASE
	if project in (J.EXTERNAL_EXECUTION, J.DONE):
		return Stage.EXTERNAL_EXECUTION
	if project == J.INTERNAL_EXECUTION:
		return Stage.INTERNAL_EXECUTION
	if project == J.APPROVED:
		return Stage.EXECUTION_SCHEDULED
	if project == J.SENT:
		return Stage.AWAITING_PROJECT_APPROVAL
	if project == J.DRAFTING or (facts.paid and project in (None, J.AWAITING_PAYMENT)):
		return Stage.PROJECT_DRAFTING
	return Stage.AWAITING_PAYMENT


def stage_index(stage: str) -> int:
	return STAGES.index(stage)


# ---------------------------------------------------------------------------------------------------------------
# The case's links and milestones: read-only copies of its children's values (the child is the truth)
# ---------------------------------------------------------------------------------------------------------------
# link field on the case -> the child DocType it points to
CASE_LINKS: dict[str, str] = {"boleto": BOLETO, "contract": CONTRACT, "project": PROJECT, "circuit": CIRCUIT}


@dataclass(frozen=True)
class Milestone:
	"""A case field copied from ``source`` of the case's ``child`` (a key of ``CASE_LINKS``); ``kind`` is
	"date", "datetime" or "check"."""

	field: str
	child: str
	source: str
	kind: str


CASE_MILESTONES: tuple[Milestone, ...] = (
	Milestone("paid_on", "boleto", "paid_on", "date"),  # only once the boleto is Paid; never cleared
	Milestone("contract_received_on", "contract", "received_on", "date"),  # only while Accepted
	Milestone("project_sent_on", "project", "sent_on", "date"),
	Milestone("project_approved_on", "project", "approved_on", "date"),
	Milestone("execution_date", "project", "execution_date", "date"),
	Milestone("prior_visit_requested", "project", "prior_visit_requested", "check"),
	Milestone("internal_passage_date", "project", "internal_passage_date", "date"),
	Milestone("test_phase_started_at", "circuit", "test_started_at", "datetime"),
	Milestone("test_phase_ends_at", "circuit", "test_ends_at", "datetime"),
	Milestone("activated_on", "circuit", "activated_on", "datetime"),
)


def derive_milestones(children: dict, convert: Callable[[str, object], object] = lambda kind, v: v) -> dict:
	"""The milestone values the case should hold, from its children (``{"boleto": {...} | None, ...}``, each a
	mapping of the child's fields). ``convert(kind, value)`` turns a stored value into a date or datetime.

	A child that does not exist leaves its milestones alone. The payment date is copied only from a Paid boleto
	and never cleared; the contract's receipt date only while the contract is Accepted (else cleared).
	"""
	values: dict = {}
	for m in CASE_MILESTONES:
		doc = children.get(m.child)
		if doc is None:
			continue
		value = doc.get(m.source)
		if m.field == "paid_on":
			if doc.get("status") != BoletoStatus.PAID or not value:
				continue
		elif m.field == "contract_received_on" and doc.get("workflow_state") != ContractState.ACCEPTED:
			value = None
		if m.kind == "check":
			values[m.field] = 1 if value else 0
		else:
			values[m.field] = convert(m.kind, value) if value else None
	return values


def watched_fields(doctype: str) -> frozenset[str]:
	"""The fields of a child the case derives something from (a change of any other field changes nothing)."""
	children = {key for key, linked in CASE_LINKS.items() if linked == doctype}
	sources = {m.source for m in CASE_MILESTONES if m.child in children}
	states = {
		BOLETO: {"status", "sales_invoice", "reissued_by"},
		SITE_VISIT: {"status", "visit_type", "done_on", "scheduled_date"},
	}.get(doctype, {"workflow_state"})
	return frozenset({"onboarding", *sources, *states})

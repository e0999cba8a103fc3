"""The case's milestones derived from its children (core.process.derive_milestones) and the fields the case
listens to (core.process.watched_fields)."""

from datetime import date, datetime

from fiber_onboarding.core import process as p

D = date(2026, 3, 2)
T = datetime(2026, 3, 4, 10, 30)


def test_no_children_no_milestones():
	assert p.derive_milestones({}) == {}
	assert p.derive_milestones(dict.fromkeys(p.CASE_LINKS)) == {}


def test_paid_on_only_from_a_paid_boleto_and_never_cleared():
	assert p.derive_milestones({"boleto": {"status": p.BoletoStatus.PAID, "paid_on": D}}) == {"paid_on": D}
	for status in ("Submitted", "Registered", "Expired", "Cancelled"):
		assert p.derive_milestones({"boleto": {"status": status, "paid_on": D}}) == {}
	assert p.derive_milestones({"boleto": {"status": p.BoletoStatus.PAID, "paid_on": None}}) == {}


def test_contract_receipt_only_while_accepted():
	accepted = {"workflow_state": p.ContractState.ACCEPTED, "received_on": D}
	assert p.derive_milestones({"contract": accepted}) == {"contract_received_on": D}
	rejected = {"workflow_state": p.ContractState.REJECTED, "received_on": D}
	assert p.derive_milestones({"contract": rejected}) == {"contract_received_on": None}


def test_project_and_circuit_milestones_are_copied_with_their_kind():
	project = {
		"sent_on": T,
		"approved_on": T,
		"execution_date": D,
		"prior_visit_requested": "1",
		"internal_passage_date": None,
	}
	circuit = {"test_started_at": T, "test_ends_at": None, "activated_on": None}
	kinds = []

	def convert(kind, value):
		kinds.append(kind)
		return (kind, value)

	values = p.derive_milestones({"project": project, "circuit": circuit}, convert)
	assert values == {
		"project_sent_on": ("date", T),
		"project_approved_on": ("date", T),
		"execution_date": ("date", D),
		"prior_visit_requested": 1,
		"internal_passage_date": None,
		"test_phase_started_at": ("datetime", T),
		"test_phase_ends_at": None,
		"activated_on": None,
	}
	assert "check" not in kinds


def test_every_milestone_names_a_child_of_the_case():
	assert {m.child for m in p.CASE_MILESTONES} <= set(p.CASE_LINKS)
	assert {m.kind for m in p.CASE_MILESTONES} <= {"date", "datetime", "check"}
	assert len({m.field for m in p.CASE_MILESTONES}) == len(p.CASE_MILESTONES)


def test_the_case_listens_to_its_five_children():
	assert set(p.CASE_CHILDREN) == {*p.CASE_LINKS.values(), p.SITE_VISIT}
	for doctype in p.CASE_CHILDREN:
		assert "onboarding" in p.watched_fields(doctype)


def test_watched_fields_are_what_the_case_reads():
	assert p.watched_fields(p.BOLETO) == {"onboarding", "paid_on", "status", "sales_invoice", "reissued_by"}
	assert p.watched_fields(p.CONTRACT) == {"onboarding", "received_on", "workflow_state"}
	assert {"workflow_state", "sent_on", "execution_date", "internal_passage_date"} <= p.watched_fields(
		p.PROJECT
	)
	assert {"workflow_state", "test_ends_at", "activated_on"} <= p.watched_fields(p.CIRCUIT)
	assert "vlan" not in p.watched_fields(p.CIRCUIT)
	assert "project_file" not in p.watched_fields(p.PROJECT)

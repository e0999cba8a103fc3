"""/ativacoes and /ativacoes/<case>: the customer's cases, the timeline of each and its next step (facts read here,
shaped by ``core.timeline``)."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import cint, format_date, format_datetime, get_datetime, getdate

from fiber_onboarding.api.portal.access import CASE, case_documents
from fiber_onboarding.api.portal.documents import CASE_FIELDS, documents_of_cases
from fiber_onboarding.core import timeline as core_timeline
from fiber_onboarding.core.process import BoletoStatus, Stage
from fiber_onboarding.permissions import customers_of, is_staff

SLA_RUNNING = ("On Track", "At Risk", "Overdue")


LIST_FIELDS = ("name", "company_name", "site_identifier", "stage", "registered_on", "sla_due", "sla_status")


def cases_of_user(limit: int = 100, fields: list[str] | tuple[str, ...] = LIST_FIELDS) -> list[dict]:
	"""The logged-in user's cases (portal users: their Customers' only), newest first."""
	fields = list(fields)
	if is_staff():
		return frappe.get_list(CASE, fields=fields, order_by="creation desc", limit_page_length=limit)
	customers = customers_of()
	if not customers:
		return []
	return frappe.get_list(
		CASE,
		fields=fields,
		filters={"customer": ("in", customers)},
		order_by="creation desc",
		limit_page_length=limit,
	)


def _d(value):
	return getdate(value) if value else None


def _dt(value):
	return get_datetime(value) if value else None


def timeline_facts(case, docs: dict | None = None) -> core_timeline.TimelineFacts:
	from fiber_onboarding.fiber_contracts.contract_service import latest_upload
	from fiber_onboarding.fiber_field.project_service import project_send_date

	docs = docs or case_documents(case)
	boleto, contract, project, circuit, visit = (
		docs["boleto"],
		docs["contract"],
		docs["project"],
		docs["circuit"],
		docs["prior_visit"],
	)
	upload = latest_upload(contract) if contract is not None else None
	paid_on = _d(case.paid_on) or (
		_d(boleto.paid_on) if boleto is not None and boleto.status == BoletoStatus.PAID else None
	)
	return core_timeline.TimelineFacts(
		registered_on=_d(case.registered_on),
		cancelled=bool(cint(case.cancelled)),
		boleto_status=boleto.status if boleto is not None else None,
		boleto_due=_d(boleto.due_date) if boleto is not None else None,
		paid_on=paid_on,
		contract_state=contract.workflow_state if contract is not None else None,
		contract_uploaded_on=_dt(upload.uploaded_on) if upload is not None else None,
		contract_received_on=_d(case.contract_received_on)
		or (_d(contract.received_on) if contract is not None else None),
		project_state=project.workflow_state if project is not None else None,
		project_send_earliest=project_send_date(case) if paid_on else None,
		project_sent_on=_dt(project.sent_on) if project is not None else None,
		project_approved_on=_dt(project.approved_on) if project is not None else None,
		execution_date=_d(project.execution_date) if project is not None else _d(case.execution_date),
		prior_visit_requested=bool(project is not None and cint(project.prior_visit_requested)),
		prior_visit_date=_d(visit.done_on or visit.scheduled_date) if visit is not None else None,
		photo_report_sent_on=_dt(visit.photo_report_sent_on) if visit is not None else None,
		internal_passage_date=_d(project.internal_passage_date) if project is not None else None,
		implementation_report_sent_on=_dt(project.implementation_report_sent_on)
		if project is not None
		else None,
		circuit_state=circuit.workflow_state if circuit is not None else None,
		test_phase_started_at=_dt(circuit.test_started_at) if circuit is not None else None,
		test_phase_ends_at=_dt(circuit.test_ends_at) if circuit is not None else None,
		problem_open=bool(
			circuit is not None and cint(circuit.problem_reported) and not cint(circuit.problem_resolved)
		),
		customer_confirmed_at=_dt(circuit.customer_confirmed_at) if circuit is not None else None,
		activated_on=_dt(case.activated_on) or (_dt(circuit.activated_on) if circuit is not None else None),
		sla_due=_d(case.sla_due) if case.sla_status in SLA_RUNNING else None,
	)


def format_when(value) -> str:
	if not value:
		return ""
	if hasattr(value, "hour"):
		return format_datetime(value, "dd/MM/yyyy HH:mm")
	return format_date(value, "dd/MM/yyyy")


def timeline_rows(case, docs: dict | None = None) -> list[dict]:
	steps = core_timeline.build_timeline(timeline_facts(case, docs))
	return [
		{
			"key": s.key,
			"title": s.title,
			"status": s.status,
			"date": format_when(s.date),
			"due": format_when(s.due),
			"actor": s.actor,
			"detail": s.detail,
		}
		for s in steps
	]


def next_step(case, docs: dict | None = None) -> dict | None:
	step = core_timeline.next_action(core_timeline.build_timeline(timeline_facts(case, docs)))
	if step is None:
		return None
	return {"title": step.title, "actor": step.actor, "due": format_when(step.due)}


def case_rows() -> list[dict]:
	"""The rows of /ativacoes for the logged-in user: each case with its next step, in a fixed number of queries
	whatever the number of cases (``documents_of_cases`` reads the documents of all of them at once)."""
	cases = cases_of_user(fields=CASE_FIELDS)
	docs = documents_of_cases(cases) if cases else {}
	return [
		{
			"name": c.name,
			"company_name": c.company_name,
			"site_identifier": c.site_identifier,
			"stage": _(c.stage or Stage.AWAITING_PAYMENT),
			"registered_on": format_when(c.registered_on),
			"sla_due": format_when(c.sla_due) if c.sla_status in SLA_RUNNING else "",
			"next": next_step(c, docs[c.name]),
		}
		for c in cases
	]

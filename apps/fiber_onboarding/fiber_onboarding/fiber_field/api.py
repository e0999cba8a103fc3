"""Whitelisted endpoints behind the desk buttons (staff) and the customer's test-phase actions (portal).

Every endpoint starts with the permission check (role, then the document's own permission, which also applies
the customer isolation of ``fiber_onboarding.permissions``) and then calls the service.
"""

from __future__ import annotations

import frappe
from frappe import _

from fiber_onboarding.core.process import ACTIVATION, CUSTOMER, FIELD, MANAGER, PROJECTS, CircuitState
from fiber_onboarding.fiber_field import circuit_service
from fiber_onboarding.fiber_field.common import FieldFlowError
from fiber_onboarding.fiber_field.project_service import approval, execution, form_guide, visits
from fiber_onboarding.permissions import can_see, require_roles

PROJECT_ROLES = (PROJECTS, MANAGER, "System Manager")
EXECUTION_ROLES = (PROJECTS, FIELD, MANAGER, "System Manager")
ACTIVATION_ROLES = (ACTIVATION, MANAGER, "System Manager")


def _doc(doctype: str, name: str, ptype: str = "write"):
	frappe.has_permission(doctype, ptype, throw=True)
	doc = frappe.get_doc(doctype, name)
	doc.check_permission(ptype)
	return doc


def _state(doc) -> dict:
	return {"name": doc.name, "workflow_state": doc.workflow_state}


# ---------------------------------------------------------------------------------------------------------------
# Fiber Project (staff)
# ---------------------------------------------------------------------------------------------------------------
@frappe.whitelist(methods=["POST"])
def send_project(name: str) -> dict:
	require_roles(PROJECT_ROLES)
	project = _doc("Fiber Project", name)
	return _state(approval.send_project(project, as_system=False))


@frappe.whitelist(methods=["POST"])
def request_prior_visit(name: str, scheduled_date: str | None = None) -> str:
	require_roles(EXECUTION_ROLES)
	project = _doc("Fiber Project", name)
	return visits.request_prior_visit(project, scheduled_date).name


@frappe.whitelist(methods=["POST"])
def schedule_internal_survey(
	name: str, scheduled_date: str | None = None, technician: str | None = None
) -> str:
	require_roles(EXECUTION_ROLES)
	project = _doc("Fiber Project", name)
	return visits.schedule_internal_survey(project, scheduled_date, technician or None).name


@frappe.whitelist(methods=["POST"])
def register_internal_passage(name: str, passage_date: str) -> dict:
	require_roles(EXECUTION_ROLES)
	project = _doc("Fiber Project", name)
	return _state(execution.register_internal_passage(project, passage_date))


@frappe.whitelist(methods=["POST"])
def start_external_execution(name: str) -> dict:
	require_roles(EXECUTION_ROLES)
	project = _doc("Fiber Project", name)
	return _state(execution.start_external_execution(project))


@frappe.whitelist()
def project_next_step(name: str) -> dict:
	"""For the Fiber Project form: the next step and what still blocks it (translated)."""
	project = _doc("Fiber Project", name, "read")
	return form_guide.next_step(project)


@frappe.whitelist()
def implementation_report_problems(name: str) -> list[str]:
	require_roles((*EXECUTION_ROLES, ACTIVATION))
	project = _doc("Fiber Project", name, "read")
	return execution.implementation_report_problems(project)


@frappe.whitelist(methods=["POST"])
def send_implementation_report(name: str) -> dict:
	"""Checks now, then renders the PDF, e-mails it and starts the test phase in a background job."""
	require_roles(PROJECT_ROLES)
	project = _doc("Fiber Project", name)
	problems = execution.implementation_report_problems(project)
	if problems:
		frappe.throw("<br>".join(problems), FieldFlowError, title=_("Implementation report not sent"))
	return _enqueue_report("implementation", project.doctype, project.name)


# ---------------------------------------------------------------------------------------------------------------
# Site Visit (staff)
# ---------------------------------------------------------------------------------------------------------------
@frappe.whitelist(methods=["POST"])
def send_photo_report(name: str) -> dict:
	"""Checks now, then renders the photo report and e-mails it in a background job."""
	require_roles(EXECUTION_ROLES)
	visit = _doc("Site Visit", name)
	problems = visits.photo_report_problems(visit)
	if problems:
		frappe.throw("<br>".join(problems), FieldFlowError)
	return _enqueue_report("photo", visit.doctype, visit.name)


# ---------------------------------------------------------------------------------------------------------------
# Report jobs (PDF rendering is slow: never in the request)
# ---------------------------------------------------------------------------------------------------------------
REPORT_EVENT = "fo_field_report"


def _enqueue_report(kind: str, doctype: str, name: str) -> dict:
	frappe.enqueue(
		"fiber_onboarding.fiber_field.api.run_report_job",
		queue="short",
		job_id=f"fo-field-report:{kind}:{name}",
		deduplicate=True,
		enqueue_after_commit=not frappe.flags.in_test,
		now=bool(frappe.flags.in_test),
		kind=kind,
		doctype=doctype,
		name=name,
	)
	return {"name": name, "queued": 1}


def run_report_job(kind: str, doctype: str, name: str):
	"""Background job: the report of ``kind`` for ``name``; the user who asked sees the outcome in real time."""
	user = frappe.session.user
	try:
		if kind == "implementation":
			execution.send_implementation_report(frappe.get_doc(doctype, name))
		elif kind == "photo":
			visits.send_photo_report(frappe.get_doc(doctype, name))
		else:
			raise ValueError(kind)
	except Exception as e:
		frappe.publish_realtime(
			REPORT_EVENT,
			{"doctype": doctype, "name": name, "ok": 0, "message": str(e) or e.__class__.__name__},
			user=user,
		)
		raise
	frappe.publish_realtime(
		REPORT_EVENT, {"doctype": doctype, "name": name, "ok": 1}, user=user, after_commit=True
	)


# ---------------------------------------------------------------------------------------------------------------
# Circuit (staff)
# ---------------------------------------------------------------------------------------------------------------
@frappe.whitelist()
def activation_status(name: str) -> dict:
	"""What still blocks the activation (for the Circuit form)."""
	circuit = _doc("Circuit", name, "read")
	if not frappe.has_permission("Circuit", "write", circuit):
		frappe.throw(_("Not permitted"), frappe.PermissionError)
	return {
		"workflow_state": circuit.workflow_state,
		"blockers": circuit_service.activation_blockers(circuit)
		if circuit.workflow_state == CircuitState.TESTING
		else [],
		"reading_problems": circuit.reading_problems(),
	}


@frappe.whitelist(methods=["POST"])
def activate(name: str) -> dict:
	require_roles(ACTIVATION_ROLES)
	circuit = _doc("Circuit", name)
	return _state(circuit_service.activate_circuit(circuit))


@frappe.whitelist(methods=["POST"])
def early_close(name: str, reason: str) -> dict:
	require_roles(ACTIVATION_ROLES)
	circuit = _doc("Circuit", name)
	return _state(circuit_service.early_close(circuit, reason))


@frappe.whitelist(methods=["POST"])
def resolve_problem(name: str, note: str) -> dict:
	require_roles((*ACTIVATION_ROLES, FIELD))
	circuit = _doc("Circuit", name)
	return _state(circuit_service.resolve_problem(circuit, note))


# ---------------------------------------------------------------------------------------------------------------
# Circuit (the customer, during the test phase)
# ---------------------------------------------------------------------------------------------------------------
def _customer_circuit(name: str):
	"""The customer's circuit; one PermissionError for unknown and foreign names (nothing to enumerate)."""
	require_roles((CUSTOMER,))
	circuit = frappe.get_doc("Circuit", name) if name and frappe.db.exists("Circuit", name) else None
	if circuit is None or not can_see(circuit):
		frappe.throw(_("Not permitted"), frappe.PermissionError)
	return circuit


@frappe.whitelist(methods=["POST"])
def customer_report_problem(name: str, description: str) -> dict:
	circuit = _customer_circuit(name)
	circuit = circuit_service.report_problem(circuit, description, frappe.session.user)
	return {"name": circuit.name, "problem_reported": 1}


@frappe.whitelist(methods=["POST"])
def customer_confirm_service(name: str) -> dict:
	circuit = _customer_circuit(name)
	circuit = circuit_service.confirm_service(circuit, frappe.session.user)
	return {"name": circuit.name, "customer_confirmed_at": str(circuit.customer_confirmed_at)}

"""/ativacoes/<case> actions of the logged-in customer: ask for the prior visit, and during the 48 h test phase
confirm the service or report a problem."""

from __future__ import annotations

import frappe
from frappe import _

from fiber_onboarding.api.portal.access import PortalError, case_documents, customer_case_for, portal_lang
from fiber_onboarding.core.process import CircuitState


@frappe.whitelist(methods=["POST"])
def request_prior_visit(case: str) -> dict:
	"""The customer asks for the optional prior visit (demonstration of the internal route, photo report)."""
	from fiber_onboarding.fiber_field import project_service

	portal_lang()
	doc = customer_case_for(case)
	project = case_documents(doc)["project"]
	if project is None:
		frappe.throw(_("The project of this activation does not exist yet."), PortalError)
	visit = project_service.request_prior_visit(project)
	return {
		"visit": visit.name,
		"message": _("Prior visit requested. Our team will contact you to schedule it."),
	}


def _testing_circuit(case):
	circuit = case_documents(case)["circuit"]
	if circuit is None or circuit.workflow_state != CircuitState.TESTING:
		frappe.throw(_("The link is not in the test phase."), PortalError)
	return circuit


@frappe.whitelist(methods=["POST"])
def confirm_service(case: str) -> dict:
	"""During the 48 h test phase: the customer confirms the service works."""
	from fiber_onboarding.fiber_field import circuit_service

	portal_lang()
	doc = customer_case_for(case)
	circuit = circuit_service.confirm_service(_testing_circuit(doc), frappe.session.user)
	return {
		"circuit": circuit.name,
		"message": _("Thank you! The link is activated when the test phase ends."),
	}


@frappe.whitelist(methods=["POST"])
def report_problem(case: str, description: str) -> dict:
	"""During the 48 h test phase: the customer reports a problem (activation waits until it is solved)."""
	from fiber_onboarding.fiber_field import circuit_service

	portal_lang()
	doc = customer_case_for(case)
	circuit = circuit_service.report_problem(_testing_circuit(doc), description, frappe.session.user)
	return {"circuit": circuit.name, "message": _("Problem reported. Our team will contact you.")}

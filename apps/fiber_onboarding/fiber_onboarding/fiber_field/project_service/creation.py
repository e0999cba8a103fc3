"""The project at registration and its release at payment: the Fiber Project (Awaiting Payment), its Circuit
(Planned) and the External Survey visit are created with the case; when the case sees its setup fee paid, the
project may be drawn (Awaiting Payment → Drafting)."""

from __future__ import annotations

import frappe

from fiber_onboarding.core import documents
from fiber_onboarding.core.process import ProjectState
from fiber_onboarding.fiber_field.common import (
	get_case,
	move,
)
from fiber_onboarding.fiber_field.doctype.site_visit.site_visit import EXTERNAL_SURVEY

PROJECT = "Fiber Project"
VISIT = "Site Visit"
CIRCUIT = "Circuit"


def create_project(case):
	"""At registration: the project (Awaiting Payment), its Circuit (Planned) and the External Survey visit.

	Idempotent: a case that already has a project gets it back unchanged.
	"""
	case = get_case(case)
	existing = case.get("project") or frappe.db.get_value(PROJECT, {"onboarding": case.name})
	if existing:
		return frappe.get_doc(PROJECT, existing)

	survey = frappe.get_doc(
		{
			"doctype": VISIT,
			"visit_type": EXTERNAL_SURVEY,
			"status": "Scheduled",
			"onboarding": case.name,
			"customer": case.customer,
		}
	).insert(ignore_permissions=True)

	circuit = frappe.get_doc(
		{
			"doctype": CIRCUIT,
			"onboarding": case.name,
			"customer": case.customer,
			"bandwidth_mbps": _proposal_bandwidth(case),
			"termination_z": _case_address(case),
		}
	).insert(ignore_permissions=True)

	project = frappe.get_doc(
		{
			"doctype": PROJECT,
			"onboarding": case.name,
			"customer": case.customer,
			"external_survey": survey.name,
			"circuit": circuit.name,
		}
	).insert(ignore_permissions=True)

	survey.db_set("project", project.name, update_modified=False)
	circuit.db_set("project", project.name, update_modified=False)
	return project


def _proposal_bandwidth(case) -> int | None:
	if not case.get("proposal") or not frappe.db.exists("DocType", "Fiber Proposal"):
		return None
	meta = frappe.get_meta("Fiber Proposal")
	for field in ("bandwidth_mbps", "bandwidth"):
		if meta.has_field(field):
			value = frappe.db.get_value("Fiber Proposal", case.proposal, field)
			try:
				return int(value) if value not in (None, "") else None
			except (TypeError, ValueError):
				return None
	return None


def _case_address(case) -> str:
	parts = [
		" ".join(p for p in (case.get("address_line1"), case.get("address_number")) if p),
		case.get("address_line2"),
		case.get("neighborhood"),
		" / ".join(p for p in (case.get("city"), case.get("state")) if p),
		documents.format_cep(case.get("cep")) if case.get("cep") else None,
	]
	return ", ".join(p for p in parts if p)


def confirm_payment(case):
	"""The setup fee was paid: the project moves Awaiting Payment → Drafting (system). Idempotent."""
	case = get_case(case)
	if not case.get("project"):
		return None
	project = frappe.get_doc(PROJECT, case.project)
	if project.workflow_state == ProjectState.AWAITING_PAYMENT:
		project = move(project, "Confirm Payment", ProjectState.DRAFTING, as_system=True)
	return project

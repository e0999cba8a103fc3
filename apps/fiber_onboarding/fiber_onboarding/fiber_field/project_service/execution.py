"""Steps 9 to 11, the execution: the internal passage (Approved → Internal Execution; with the accepted contract it
starts the activation term), the external execution once the internal tasks are closed, and the implementation
report e-mailed to the customer, which starts the circuit's 48 h test phase (External Execution → Done)."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import format_date, getdate, now_datetime, nowdate

from fiber_onboarding.core.process import CircuitState, ProjectState
from fiber_onboarding.fiber_field.common import (
	FieldFlowError,
	customer_recipients,
	get_case,
	get_project,
	move,
	portal_url,
	render_pdf,
	require_state,
	save_private_file,
	setting,
)
from fiber_onboarding.fiber_field.project_service.visits import internal_survey_done_on
from fiber_onboarding.utils.mail import send_once

PROJECT = "Fiber Project"
CIRCUIT = "Circuit"
IMPLEMENTATION_REPORT_FORMAT = "Fiber Implementation Report"


class InternalSurveyMissingError(FieldFlowError):
	pass


class OpenTasksError(FieldFlowError):
	pass


def register_internal_passage(project, passage_date=None, *, as_system: bool = False):
	"""The internal optical cable was passed on ``passage_date`` (default today): Approved → Internal Execution.

	Requires the Internal Survey visit Done on that same date; sets the case's internal passage date, which starts
	the activation SLA (together with the accepted signed contract).
	"""
	project = get_project(project)
	require_state(project, ProjectState.APPROVED)
	day = getdate(passage_date or nowdate())
	if day > getdate(nowdate()):
		frappe.throw(
			_("The internal passage date {0} is in the future.").format(format_date(day)), FieldFlowError
		)
	survey = internal_survey_done_on(project, day)
	if not survey:
		frappe.throw(
			_(
				"The internal survey of {0} is not done: record it (checklist done) before the internal passage."
			).format(format_date(day)),
			InternalSurveyMissingError,
		)
	project.internal_passage_date = day
	project.internal_survey = survey
	project.save(ignore_permissions=True)
	# the case hears the passage date (case_events): with the accepted contract it starts the activation term
	return move(project, "Register Internal Passage", ProjectState.INTERNAL_EXECUTION, as_system=as_system)


def open_tasks(project, phase: str) -> list[str]:
	return [t.task for t in project.tasks if t.phase == phase and t.status in ("Open", "In Progress")]


def start_external_execution(project, *, as_system: bool = False):
	"""Internal work done (every internal task closed): Internal Execution → External Execution."""
	project = get_project(project)
	require_state(project, ProjectState.INTERNAL_EXECUTION)
	pending = open_tasks(project, "Internal")
	if pending:
		frappe.throw(_("Close the internal tasks first: {0}").format("; ".join(pending)), OpenTasksError)
	return move(project, "Start External Execution", ProjectState.EXTERNAL_EXECUTION, as_system=as_system)


def implementation_report_problems(project) -> list[str]:
	"""Why the implementation report cannot be sent yet (translated; empty: it can)."""
	project = get_project(project)
	problems = []
	if project.workflow_state != ProjectState.EXTERNAL_EXECUTION:
		problems.append(
			_("The project is in state {0}; the report is sent at the end of the external execution.").format(
				_(project.workflow_state or "")
			)
		)
	pending = open_tasks(project, "External") + open_tasks(project, "Internal")
	if pending:
		problems.append(_("Close the execution tasks first: {0}").format("; ".join(pending)))
	circuit = frappe.get_doc(CIRCUIT, project.circuit) if project.circuit else None
	if not circuit:
		problems.append(_("The project has no circuit."))
	else:
		if circuit.workflow_state not in (CircuitState.PLANNED, CircuitState.PROVISIONING):
			problems.append(
				_("The circuit {0} is already in state {1}.").format(circuit.name, _(circuit.workflow_state))
			)
		if not circuit.circuit_id:
			problems.append(_("Fill in the circuit identifier."))
		if not circuit.readings:
			problems.append(_("Record the optical power readings of the circuit."))
	return problems


def send_implementation_report(project, *, as_system: bool = False):
	"""E-mail the implementation report (PDF) to the customer; it starts the circuit's 48 h test phase.

	Project External Execution → Done; circuit → Testing with test_started_at/test_ends_at. Idempotent on the
	e-mail (``send_once``).
	"""
	from fiber_onboarding.fiber_field import circuit_service

	project = get_project(project)
	if project.workflow_state == ProjectState.DONE and project.implementation_report_sent_on:
		return project
	problems = implementation_report_problems(project)
	if problems:
		frappe.throw("<br>".join(problems), FieldFlowError, title=_("Implementation report not sent"))
	case = get_case(project.onboarding)
	recipients = customer_recipients(case, "tech_email", "legal_email")
	if not recipients:
		frappe.throw(_("The case has no customer e-mail."), FieldFlowError)

	now = now_datetime()
	if not project.circuit_delivery_date:
		project.circuit_delivery_date = getdate(now)
	project.implementation_report_sent_on = now
	project.save(ignore_permissions=True)

	# the report shows the test phase it starts: start it first (one transaction: a failure undoes both)
	circuit = circuit_service.start_test_phase(project.circuit, started_at=now)
	pdf = render_pdf(PROJECT, project.name, IMPLEMENTATION_REPORT_FORMAT)
	file_name = f"relatorio-de-implantacao-{project.name}.pdf"
	save_private_file(PROJECT, project.name, file_name, pdf)
	send_once(
		f"implementation-report:{project.name}",
		"fo_implementation_report",
		recipients,
		{
			"case": case,
			"doc": project,
			"project": project,
			"circuit": circuit,
			"customer_name": case.get("company_name") or case.customer,
			"tech_name": case.get("tech_name"),
			"test_phase_hours": setting("test_phase_hours", 48),
			"test_ends_at": circuit.test_ends_at,
			"portal_url": portal_url(case),
		},
		reference_doctype=PROJECT,
		reference_name=project.name,
		attachments=[{"fname": file_name, "fcontent": pdf}],
	)
	return move(project, "Finish", ProjectState.DONE, as_system=as_system)

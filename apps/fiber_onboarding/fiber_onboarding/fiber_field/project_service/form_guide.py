"""The Fiber Project form's "next step": the button the project waits for and what blocks it now (translated)."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import format_date, getdate, nowdate

from fiber_onboarding.core.process import ProjectState
from fiber_onboarding.fiber_field.common import (
	get_project,
)
from fiber_onboarding.fiber_field.doctype.site_visit.site_visit import INTERNAL_SURVEY
from fiber_onboarding.fiber_field.project_service.approval import project_send_date
from fiber_onboarding.fiber_field.project_service.execution import implementation_report_problems, open_tasks

VISIT = "Site Visit"


def next_step(project) -> dict:
	"""The project's next step (button label) and what blocks it now (translated; empty: it can be done)."""
	project = get_project(project)
	state = project.workflow_state
	problems: list[str] = []
	if state == ProjectState.AWAITING_PAYMENT:
		return {
			"step": "Send Project",
			"problems": [_("The project is sent only after the setup fee is paid.")],
		}
	if state == ProjectState.DRAFTING:
		earliest = project_send_date(project.onboarding)
		if earliest and getdate(nowdate()) < earliest:
			problems.append(
				_("The project can be sent from {0}, the first business day after the payment.").format(
					format_date(earliest)
				)
			)
		if not project.project_file:
			problems.append(_("Attach the project document before sending the project."))
		return {"step": "Send Project", "problems": problems}
	if state == ProjectState.SENT:
		return {
			"step": "Approve",
			"problems": [_("Waiting for the technical contact to approve the project.")],
		}
	if state == ProjectState.APPROVED:
		surveys = frappe.get_all(
			VISIT,
			filters={"project": project.name, "visit_type": INTERNAL_SURVEY, "status": ("!=", "Cancelled")},
			fields=["name", "status", "scheduled_date"],
		)
		if not surveys:
			problems.append(_("Schedule the internal survey for the passage date."))
		elif not any(v.status == "Done" for v in surveys):
			problems.append(_("The internal survey is not done yet."))
		return {"step": "Register Internal Passage", "problems": problems}
	if state == ProjectState.INTERNAL_EXECUTION:
		pending = open_tasks(project, "Internal")
		if pending:
			problems.append(_("Close the internal tasks first: {0}").format("; ".join(pending)))
		return {"step": "Start External Execution", "problems": problems}
	if state == ProjectState.EXTERNAL_EXECUTION:
		return {"step": "Send Implementation Report", "problems": implementation_report_problems(project)}
	return {"step": None, "problems": []}

"""Fiber Project: the project drawn from the external survey, its approval, the execution tasks and dates.

State moves with side effects run through ``fiber_field.project_service`` (the buttons on the form)."""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import nowdate

from fiber_onboarding.core.process import ProjectState
from fiber_onboarding.fiber_field.common import (
	enforce_process_gates,
	guard_service_states,
)

# state -> the button (service) that moves into it
SERVICE_STATES = {
	ProjectState.SENT: "Send Project",
	ProjectState.APPROVED: "Approve",
	ProjectState.INTERNAL_EXECUTION: "Register Internal Passage",
	ProjectState.EXTERNAL_EXECUTION: "Start External Execution",
	ProjectState.DONE: "Send Implementation Report",
}


class FiberProject(Document):
	def validate(self):
		if self.onboarding:
			self.customer = (
				frappe.db.get_value("Fiber Onboarding", self.onboarding, "customer") or self.customer
			)
		self.validate_tasks()
		guard_service_states(self, SERVICE_STATES)
		enforce_process_gates(self)

	def validate_tasks(self):
		for row in self.tasks:
			if row.done_on and row.status in ("Open", "In Progress"):
				row.status = "Done"
			if row.status == "Done" and not row.done_on:
				row.done_on = nowdate()

	def on_update(self):
		self.sync_task_todos()

	def sync_task_todos(self):
		"""Each open task with a responsible is on that user's ToDo list (closed with the task)."""
		for row in self.tasks:
			if not row.responsible:
				continue
			description = _("Project {0}, {1} execution: {2}").format(self.name, _(row.phase), row.task)
			filters = {
				"reference_type": self.doctype,
				"reference_name": self.name,
				"allocated_to": row.responsible,
			}
			# the text is in the saving user's language: match on the task, which is data
			existing = frappe.db.get_value(
				"ToDo", {**filters, "status": "Open", "description": ("like", f"%: {row.task}")}, "name"
			)
			if row.status in ("Open", "In Progress"):
				if not existing:
					frappe.get_doc(
						{
							"doctype": "ToDo",
							**filters,
							"description": description,
							"date": row.planned_date,
							"assigned_by": frappe.session.user,
						}
					).insert(ignore_permissions=True)
			elif existing:
				frappe.db.set_value(
					"ToDo", existing, "status", "Closed" if row.status == "Done" else "Cancelled"
				)

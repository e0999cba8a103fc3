"""Moving documents through their Workflow.

States are never assigned directly (Frappe's ``validate_workflow`` would reject it, and the history would be
lost): every move goes through ``frappe.model.workflow.apply_workflow``, which checks the transition's role
and condition, saves, and adds a "Workflow" comment to the timeline.
"""

import frappe
from frappe import _
from frappe.model.workflow import apply_workflow, get_transitions

from fiber_onboarding.utils.system import as_administrator


def available_actions(doc) -> list[str]:
	return [t.action for t in get_transitions(doc)]


def advance(doc, action: str, *, as_system: bool = False, actor: str | None = None):
	"""Apply ``action`` to ``doc`` (as stored: save pending edits first) and return the reloaded document.

	Staff actions run as the session user, so Frappe enforces the transition's role. ``as_system=True`` is for
	moves made by the system itself (bank return, scheduler) or by a customer through an endpoint that has
	already checked the customer's permission: the transition runs with Administrator's roles and the timeline
	records who caused it (``actor``, default the session user).
	"""
	if not as_system:
		return apply_workflow(doc.as_dict(), action)

	with as_administrator() as real_user:
		result = apply_workflow(doc.as_dict(), action)
	result.add_comment("Info", _("{0} by {1}").format(_(action), actor or real_user))
	return result

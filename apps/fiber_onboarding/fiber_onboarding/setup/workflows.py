"""Workflows of Fiber Proposal, Fiber Contract, Fiber Project and Circuit, created from ``core.process.WORKFLOWS``.

Idempotent and non-destructive: Workflow State and Workflow Action Master records and each Workflow are inserted
only when missing; a Workflow that exists (possibly edited by staff) is left untouched. A DocType not installed
yet (another module still being deployed) is skipped and picked up by the next migrate.
"""

import frappe

from fiber_onboarding.core.process import WORKFLOWS, WorkflowDef, all_actions, all_states


def ensure_workflow_masters():
	for state in all_states():
		if not frappe.db.exists("Workflow State", state):
			from fiber_onboarding.core.process import STATE_STYLES

			doc = frappe.new_doc("Workflow State")
			doc.workflow_state_name = state
			doc.style = STATE_STYLES[state][0]
			doc.insert(ignore_permissions=True)
	for action in all_actions():
		if not frappe.db.exists("Workflow Action Master", action):
			doc = frappe.new_doc("Workflow Action Master")
			doc.workflow_action_name = action
			doc.insert(ignore_permissions=True)


def workflow_doc(definition: WorkflowDef):
	"""An unsaved Workflow document for ``definition`` (one transition row per allowed role)."""
	doc = frappe.new_doc("Workflow")
	doc.workflow_name = definition.name
	doc.document_type = definition.doctype
	doc.workflow_state_field = "workflow_state"
	doc.is_active = 1
	doc.override_status = 1
	doc.send_email_alert = 0
	for state in definition.states:
		for role in state.edit_roles:
			doc.append(
				"states", {"state": state.name, "doc_status": str(state.doc_status), "allow_edit": role}
			)
	for t in definition.transitions:
		for role in t.roles:
			doc.append(
				"transitions",
				{
					"state": t.state,
					"action": t.action,
					"next_state": t.next_state,
					"allowed": role,
					"allow_self_approval": 1,
				},
			)
	return doc


def ensure_workflows():
	ensure_workflow_masters()
	for definition in WORKFLOWS.values():
		if not frappe.db.exists("DocType", definition.doctype):
			continue
		if frappe.db.exists("Workflow", definition.name):
			continue
		if frappe.db.exists("Workflow", {"document_type": definition.doctype, "is_active": 1}):
			# staff run their own workflow on this DocType: do not replace it
			continue
		workflow_doc(definition).insert(ignore_permissions=True)
	frappe.cache.delete_value("workflow")


def remove_workflows():
	"""On uninstall: the app's Workflows go (states and actions are shared masters and stay)."""
	for definition in WORKFLOWS.values():
		if frappe.db.exists("Workflow", definition.name):
			frappe.delete_doc("Workflow", definition.name, ignore_permissions=True, force=True)
	frappe.cache.delete_value("workflow")

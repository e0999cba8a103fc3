"""E-mails from staff-editable Email Templates, queued through Frappe's Email Queue, at most once per event.

Each template lives as a JSON file in ``fiber_onboarding/email_templates/`` and is created as an Email Template
record on install/migrate when missing (staff edits are never overwritten). ``send_once`` records every event in
Fiber Notification Log under a unique key, so a job that runs twice never sends the same e-mail twice.
"""

import frappe
from frappe import _


def already_sent(key: str) -> bool:
	return bool(frappe.db.exists("Fiber Notification Log", key))


def send_once(
	key: str,
	template: str,
	recipients: list[str] | str,
	context: dict,
	reference_doctype: str | None = None,
	reference_name: str | None = None,
	attachments: list[dict] | None = None,
) -> bool:
	"""Queue the e-mail for event ``key`` unless it was queued before. Returns True when queued now."""
	if isinstance(recipients, str):
		recipients = [recipients]
	recipients = [r for r in recipients if r]
	if not recipients or already_sent(key):
		return False

	tpl = frappe.get_doc("Email Template", template)
	subject = frappe.render_template(tpl.subject, context).strip()
	message = render_html(tpl.response_html or tpl.response or "", context)

	log = frappe.get_doc(
		{
			"doctype": "Fiber Notification Log",
			"key": key,
			"email_template": template,
			"recipients": ", ".join(recipients),
			"subject": subject[:140],
			"reference_doctype": reference_doctype,
			"reference_name": reference_name,
		}
	)
	# the unique key is the guard: a concurrent duplicate fails here before anything is queued
	log.insert(ignore_permissions=True)
	frappe.sendmail(
		recipients=recipients,
		subject=subject,
		message=message,
		attachments=attachments,
		reference_doctype=reference_doctype,
		reference_name=reference_name,
	)
	return True


def render_html(template: str, context: dict) -> str:
	"""Render an e-mail body with autoescaping: names and texts customers typed can never add markup.

	Same sandboxed environment and globals as ``frappe.render_template``; only the escaping differs.
	"""
	if ".__" in template:
		frappe.throw(_("Illegal template"))
	return frappe.get_jenv().overlay(autoescape=True).from_string(template).render(context)


def staff_recipients(role: str) -> list[str]:
	"""Enabled system users holding ``role``."""
	from frappe.utils.user import get_users_with_role

	return [u for u in get_users_with_role(role) if u not in ("Administrator", "Guest")]

"""Stock methods the portal needs, made so that they reveal nothing about other people's accounts
(``override_whitelisted_methods`` in hooks.py; the allowlist keeps the stock name)."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.core.doctype.user.user import get_password_reset_limit
from frappe.rate_limiter import rate_limit

RESET_JOB = "fiber_onboarding.security.overrides.send_password_reset"


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=get_password_reset_limit, seconds=60 * 60)
def reset_password(user: str) -> None:
	"""Frappe's forgot-password (/login#forgot) with one answer for every ``user``.

	Frappe's own answers "not found", "disabled" or "not allowed", which tells anyone which e-mails have an
	account; here the answer is always the same message, and the e-mail (sent only to an enabled account other
	than Administrator and Guest) goes out in a background job, so the answer takes the same time too.
	"""
	name = (
		frappe.db.get_value("User", {"name": user, "enabled": 1}, "name") if isinstance(user, str) else None
	)
	if name and name not in ("Administrator", "Guest"):
		frappe.enqueue(
			RESET_JOB,
			queue="short",
			user=name,
			now=bool(frappe.flags.in_test),
			enqueue_after_commit=not frappe.flags.in_test,
		)
	frappe.msgprint(
		_("If this e-mail has an account, we sent it the instructions to choose a new password."),
		title=_("Password reset"),
	)


def send_password_reset(user: str):
	"""Background job of ``reset_password``: a new reset key and Frappe's password-reset e-mail (nothing when the
	account was disabled or deleted in the meantime)."""
	if not frappe.db.exists("User", {"name": user, "enabled": 1}):
		return
	doc = frappe.get_doc("User", user)
	doc.validate_reset_password()
	doc.reset_password(send_email=True)


@frappe.whitelist(allow_guest=True)
def update_password(
	new_password: str, logout_all_sessions: int = 0, key: str | None = None, old_password: str | None = None
):
	"""Frappe's /update-password (the invitation's set-password link, a password change), answering 400 instead
	of a server error when the request carries no new password, or neither the link's key nor the current
	password."""
	from frappe.core.doctype.user.user import update_password as frappe_update_password

	from fiber_onboarding.security.gate import PortalRequestError

	if not new_password or not isinstance(new_password, str):
		frappe.throw(_("Type the new password."), PortalRequestError)
	if not key and not old_password:
		frappe.throw(_("Open the link from the e-mail, or type your current password."), PortalRequestError)
	return frappe_update_password(new_password, logout_all_sessions, key, old_password)

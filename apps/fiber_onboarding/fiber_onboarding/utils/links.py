"""Signed, expiring links for e-mails (the HMAC logic lives in ``core.tokens``)."""

import time
from urllib.parse import urlencode

import frappe
from frappe import _
from frappe.utils import get_url

from fiber_onboarding.core.tokens import TokenError, make_token, read_token


def _secret() -> str:
	from frappe.utils.password import get_encryption_key

	return "fiber_onboarding:" + get_encryption_key()


def _expiry_hours() -> int:
	return int(frappe.db.get_single_value("Fiber Onboarding Settings", "link_expiry_hours") or 168)


def signed_url(route: str, purpose: str, name: str, hours: int | None = None) -> str:
	"""Absolute URL of a portal route carrying a token for ``purpose`` on document ``name``."""
	expires_at = int(time.time()) + 3600 * (hours or _expiry_hours())
	token = make_token(_secret(), purpose, name, expires_at)
	return get_url(f"/{route.strip('/')}?" + urlencode({"token": token}))


def verify(token: str, purpose: str) -> str:
	"""Document name for a valid token; a translated error (and nothing else) otherwise."""
	try:
		return read_token(_secret(), token or "", purpose, int(time.time()))
	except TokenError as e:
		if e.code == "expired":
			frappe.throw(
				_("This link has expired. Log in to the portal to continue."), frappe.PermissionError
			)
		frappe.throw(_("Invalid link."), frappe.PermissionError)

"""Every answer's security headers, and error answers to visitors and customers without server internals
(hook ``after_request``).

- Headers: ``Content-Security-Policy: frame-ancestors 'self'`` (added to a policy already there),
  ``X-Frame-Options: SAMEORIGIN``, ``X-Content-Type-Options: nosniff``,
  ``Referrer-Policy: strict-origin-when-cross-origin``.
- To a Guest or a Website User, an error answer never carries a traceback, whatever System Settings
  ``allow_error_traceback`` says: the gate sets ``flags.disable_traceback`` for them, and this hook also covers
  the errors raised before the gate runs (Frappe's login, the request's parsing).
- Client mistakes that Frappe answers with 500, before any app code runs, become 4xx: a body declared JSON that
  is not JSON (400), a login whose e-mail or password is not text (400), and a login refused because of too many
  failures (Frappe raises ``SecurityException``: 429).
"""

from __future__ import annotations

import json
import re

import frappe
from frappe import _
from frappe.utils import cint

from fiber_onboarding.security.gate import PORTAL_LANG, is_staff_user

SECURITY_HEADERS = {
	"X-Frame-Options": "SAMEORIGIN",
	"X-Content-Type-Options": "nosniff",
	"Referrer-Policy": "strict-origin-when-cross-origin",
}
FRAME_ANCESTORS = "frame-ancestors 'self'"
ERROR_DETAIL_KEYS = ("exc", "exception", "_exc_source", "_debug_messages")
PRE_BLOCK = re.compile(rb"<pre>.*?</pre>", re.DOTALL)


def after_request(response=None, request=None):
	if response is None:
		return
	set_security_headers(response)
	if response.status_code < 400 or response.direct_passthrough or response.is_streamed:
		return
	if _is_staff():
		return
	answer_client_mistakes(response, request)
	strip_error_details(response)


def set_security_headers(response):
	for header, value in SECURITY_HEADERS.items():
		response.headers.setdefault(header, value)
	policy = response.headers.get("Content-Security-Policy")
	if not policy:
		response.headers["Content-Security-Policy"] = FRAME_ANCESTORS
	elif "frame-ancestors" not in policy:
		response.headers["Content-Security-Policy"] = f"{policy.rstrip('; ')}; {FRAME_ANCESTORS}"


def _is_staff() -> bool:
	"""A System User, once Frappe has authenticated the request. Before that (a failed login, a body that could
	not be parsed) the session's user is whatever ``frappe.init`` left, which can be Administrator."""
	if getattr(frappe.local, "http_request", None) is None or not frappe.db:
		return False
	try:
		return is_staff_user(frappe.session.user)
	except Exception:
		return False


# ---------------------------------------------------------------------------------------------------------------
# Client mistakes Frappe answers with 500
# ---------------------------------------------------------------------------------------------------------------
def answer_client_mistakes(response, request):
	if response.status_code != 500 or request is None:
		return
	frappe.local.lang = PORTAL_LANG
	if body_is_not_json(request):
		replace_answer(response, 400, _("The request body is not valid JSON."), "JSONDecodeError")
	elif is_login(request) and not login_details_are_text():
		replace_answer(response, 400, _("Type your e-mail and password."), "ValidationError")
	elif is_login(request) and login_locked(request):
		replace_answer(
			response,
			429,
			_("Too many failed logins. Wait a few minutes and try again."),
			"SecurityException",
		)


def body_is_not_json(request) -> bool:
	if not request.is_json:
		return False
	data = request.get_data(as_text=True)
	if not data:
		return False
	try:
		json.loads(data)
	except ValueError:
		return True
	return False


def is_login(request) -> bool:
	form_dict = getattr(frappe.local, "form_dict", None) or {}
	return form_dict.get("cmd") == "login" or request.path == "/api/method/login"


def login_details_are_text() -> bool:
	"""Frappe's login takes ``usr`` and ``pwd`` as text; a JSON body with other types fails inside it (500)."""
	form_dict = getattr(frappe.local, "form_dict", None) or {}
	return all(isinstance(form_dict.get(key), str | None) for key in ("usr", "pwd"))


def login_locked(request) -> bool:
	"""Frappe's login attempt trackers (System Settings ``allow_consecutive_login_attempts``) refuse this IP or
	this login."""
	from frappe.auth import get_login_attempt_tracker

	if not frappe.db or cint(frappe.get_system_settings("allow_consecutive_login_attempts")) <= 0:
		return False
	form_dict = getattr(frappe.local, "form_dict", None) or {}
	keys = [getattr(frappe.local, "request_ip", None), form_dict.get("usr")]
	return any(
		not get_login_attempt_tracker(key, raise_locked_exception=False).is_user_allowed()
		for key in keys
		if key and isinstance(key, str)
	)


def replace_answer(response, status: int, message: str, exc_type: str):
	body = {
		"exc_type": exc_type,
		"message": message,
		"_server_messages": json.dumps([json.dumps({"message": message, "indicator": "red"})]),
	}
	response.status_code = status
	response.headers["Content-Type"] = "application/json; charset=utf-8"
	response.set_data(json.dumps(body))


# ---------------------------------------------------------------------------------------------------------------
# No traceback to visitors and customers
# ---------------------------------------------------------------------------------------------------------------
def strip_error_details(response):
	if response.mimetype == "application/json":
		try:
			data = json.loads(response.get_data(as_text=True))
		except ValueError:
			return
		if not isinstance(data, dict):
			return
		changed = False
		for key in ERROR_DETAIL_KEYS:
			if key in data:
				del data[key]
				changed = True
		for error in data.get("errors") or []:
			if isinstance(error, dict) and "exception" in error:
				del error["exception"]
				changed = True
		if changed:
			response.set_data(json.dumps(data))
	elif response.mimetype == "text/html" and response.status_code >= 500:
		body = response.get_data()
		stripped = PRE_BLOCK.sub(b"", body)
		if stripped != body:
			response.set_data(stripped)

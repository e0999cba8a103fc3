"""Helpers shared by the field services: the case, settings and calendar, PDFs, and service-only transitions.

Some workflow moves have side effects (an e-mail, the SLA start, the test-phase clock). They must go through the
services in ``project_service`` / ``circuit_service``, never through a bare workflow action, so the controllers
refuse those moves unless a service announced them with :func:`service_transition`.
"""

from __future__ import annotations

import base64
import contextlib
import mimetypes
import os
import re
from datetime import date

import frappe
from frappe import _
from frappe.utils import get_url, getdate

from fiber_onboarding.utils.workflow import advance

CASE = "Fiber Onboarding"
PROJECT = "Fiber Project"
SETTINGS = "Fiber Onboarding Settings"


class FieldFlowError(frappe.ValidationError):
	"""A field step asked for in the wrong state or with missing data."""


class ServiceOnlyTransitionError(frappe.ValidationError):
	"""A workflow move with side effects attempted without its service (e.g. the bare workflow action)."""


# ---------------------------------------------------------------------------------------------------------------
# Service-only transitions
# ---------------------------------------------------------------------------------------------------------------
def _announced() -> set:
	if frappe.flags.fo_field_transitions is None:
		frappe.flags.fo_field_transitions = set()
	return frappe.flags.fo_field_transitions


@contextlib.contextmanager
def service_transition(doctype: str, name: str, state: str):
	key = (doctype, name, state)
	_announced().add(key)
	try:
		yield
	finally:
		_announced().discard(key)


def is_announced(doctype: str, name: str, state: str) -> bool:
	return (doctype, name, state) in _announced()


def guard_service_states(doc, service_states: dict[str, str]):
	"""Controller check: a move into one of ``service_states`` (state -> button label) needs its service."""
	before = doc.get_doc_before_save()
	old = before.get("workflow_state") if before else None
	new = doc.get("workflow_state")
	if not before or old == new or new not in service_states:
		return
	if is_announced(doc.doctype, doc.name, new):
		return
	frappe.throw(
		_(
			'Use "{0}" in the "{1}" menu of the form: this step does more than change the state '
			"(e-mails, dates, checks)."
		).format(_(service_states[new]), _("Process")),
		ServiceOnlyTransitionError,
		title=_("Not allowed"),
	)


def enforce_process_gates(doc):
	"""On a workflow move, the process gates of ``core.process`` (shared builder ``utils.gates``)."""
	before = doc.get_doc_before_save()
	if not before or before.get("workflow_state") == doc.get("workflow_state"):
		return
	from fiber_onboarding.utils.gates import enforce_gates

	enforce_gates(doc)


def move(doc, action: str, next_state: str, *, as_system: bool = False):
	"""``advance`` with the move announced to the controller guard. Returns the reloaded document."""
	with service_transition(doc.doctype, doc.name, next_state):
		return advance(doc, action, as_system=as_system)


def require_state(doc, *states: str):
	if doc.workflow_state not in states:
		frappe.throw(
			_("{0} {1} is in state {2}; this step needs {3}.").format(
				_(doc.doctype), doc.name, _(doc.workflow_state or ""), " / ".join(_(s) for s in states)
			),
			FieldFlowError,
		)


# ---------------------------------------------------------------------------------------------------------------
# Case
# ---------------------------------------------------------------------------------------------------------------
def get_case(name_or_doc):
	if isinstance(name_or_doc, str):
		return frappe.get_doc(CASE, name_or_doc)
	return name_or_doc


def get_project(name_or_doc):
	if isinstance(name_or_doc, str):
		return frappe.get_doc(PROJECT, name_or_doc)
	return name_or_doc


def customer_recipients(case, *fields: str) -> list[str]:
	seen = []
	for f in fields:
		email = (case.get(f) or "").strip()
		if email and email not in seen:
			seen.append(email)
	return seen


def portal_url(case) -> str:
	return get_url(f"/ativacoes/{case.name}")


# ---------------------------------------------------------------------------------------------------------------
# Settings and calendar
# ---------------------------------------------------------------------------------------------------------------
def setting(field: str, default=None):
	value = frappe.db.get_single_value(SETTINGS, field)
	return default if value in (None, "") else value


def calendar():
	"""The business calendar (Brazilian holidays + the settings' subdivision and Holiday List)."""
	from fiber_onboarding.utils import calendar as cal

	return cal


def next_business_day_after(day: date) -> date:
	return calendar().next_business_day_after(getdate(day))


def add_business_days(day: date, n: int) -> date:
	return calendar().add_business_days(getdate(day), n)


def is_business_day(day: date) -> bool:
	cal = calendar()
	day = getdate(day)
	if hasattr(cal, "is_business_day"):
		return bool(cal.is_business_day(day))
	return cal.add_business_days(cal.add_business_days(day, -1), 1) == day


# ---------------------------------------------------------------------------------------------------------------
# PDFs and files
# ---------------------------------------------------------------------------------------------------------------
_STYLESHEET_LINK = re.compile(r"<link\b[^>]*\bhref=[\"'](/assets/[^\"']+)[\"'][^>]*>", re.IGNORECASE)
_PUBLIC_IMG = re.compile(r"(<img\b[^>]*\bsrc=)([\"'])(/files/[^\"']+)\2", re.IGNORECASE)


def self_contained_html(html: str) -> str:
	"""The print HTML without anything wkhtmltopdf would have to fetch over the network.

	The field reports carry their own styles, so the desk's print stylesheet link is dropped; public images (a
	letter head logo) become data URIs read from disk. Private photos are embedded by the templates already.
	"""
	html = _STYLESHEET_LINK.sub("", html)

	def inline(match):
		path = frappe.get_site_path("public", match.group(3).lstrip("/"))
		root = os.path.realpath(frappe.get_site_path("public", "files"))
		real = os.path.realpath(path)
		if not real.startswith(root + os.sep) or not os.path.isfile(real):
			return match.group(0)
		mime = mimetypes.guess_type(real)[0] or "application/octet-stream"
		with open(real, "rb") as fh:
			data = base64.b64encode(fh.read()).decode("ascii")
		return "{0}{1}data:{2};base64,{3}{1}".format(match.group(1), match.group(2), mime, data)

	return _PUBLIC_IMG.sub(inline, html)


def render_pdf(doctype: str, name: str, print_format: str) -> bytes:
	"""The document printed with ``print_format`` as PDF bytes (wkhtmltopdf), whoever triggers it.

	The services check permission before; the renderer must not re-check it for the scheduler or a customer.
	"""
	from frappe.utils.pdf import get_pdf

	# get_print writes an Access Log and, outside tests, commits right away: that would commit the caller's
	# half-done work (a job or request in the middle of a step). With the read_only flag Frappe defers the log
	# to its Redis queue instead; nothing else is written while the print renders.
	previous = frappe.flags.ignore_print_permissions, frappe.flags.read_only
	frappe.flags.ignore_print_permissions = True
	frappe.flags.read_only = True
	try:
		html = frappe.get_print(doctype, name, print_format=print_format)
	finally:
		frappe.flags.ignore_print_permissions, frappe.flags.read_only = previous
	return get_pdf(self_contained_html(html))


def save_private_file(doctype: str, name: str, file_name: str, content: bytes):
	"""Keep a copy of what was sent, attached (privately) to the document."""
	f = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": file_name,
			"content": content,
			"is_private": 1,
			"attached_to_doctype": doctype,
			"attached_to_name": name,
		}
	)
	f.insert(ignore_permissions=True)
	return f

"""The case's activation term (SLA) on the site: the core rule (``core.sla``) fed with the case's dates, its
pauses, the site calendar (``utils.calendar``) and the at-risk share from Settings; plus the staff alert sent
when a case turns At Risk or Overdue.

- ``refresh_case_sla(case_doc)``: recompute one case (the case calls it whenever its dates or pauses change:
  ``FiberOnboarding.refresh_stage``); sets the fields on the document, writes them when the case is already
  saved, and queues the staff alert (after commit) when it just turned At Risk or Overdue.
- ``tasks.sweep_sla`` recomputes every open case in bulk with the same functions (hourly) and sends every
  alert not sent yet (once per case, status and due date: ``alert_key``).
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation

import frappe
from frappe import _
from frappe.utils import formatdate, get_url_to_form, getdate, today

from fiber_onboarding.core import sla as core_sla
from fiber_onboarding.utils.calendar import get_calendar

CASE = "Fiber Onboarding"
SETTINGS = "Fiber Onboarding Settings"
MANAGER_ROLE = "Fiber Onboarding Manager"
ALERT_TEMPLATE = "fo_staff_sla_alert"


class SlaConfigurationError(frappe.ValidationError):
	pass


def at_risk_share() -> Decimal:
	"""Settings.at_risk_share (a Percent, default 70) as a fraction."""
	value = frappe.get_cached_doc(SETTINGS).get("at_risk_share")
	try:
		percent = Decimal(str(value)) if value not in (None, "") else Decimal(0)
	except InvalidOperation:
		percent = Decimal(0)
	if not 0 < percent <= 100:
		return core_sla.DEFAULT_AT_RISK_SHARE
	return percent / 100


def _date(value) -> date | None:
	return getdate(value) if value else None


def pauses_from_rows(rows) -> list[core_sla.Pause]:
	return [
		core_sla.Pause(_date(r.get("from_date")), _date(r.get("to_date")), r.get("reason") or "")
		for r in rows
		if r.get("from_date")
	]


def compute(case, pauses: list[core_sla.Pause], calendar=None, on: date | None = None, share=None):
	"""SlaResult for ``case`` (a document or a dict with the case's fields).

	A case whose term (``sla_business_days``) is missing or invalid stays Not Started when a start date is still
	missing; with both dates set it raises ``core_sla.SlaError`` (the proposal must carry the term).
	"""
	passage = _date(case.get("internal_passage_date"))
	received = _date(case.get("contract_received_on"))
	n = case.get("sla_business_days")
	if (passage is None or received is None) and not n:
		return core_sla.SlaResult(None, None, core_sla.NOT_STARTED, 0, 0, False, 0)
	return core_sla.compute_sla(
		passage,
		received,
		n,
		on or getdate(today()),
		_date(case.get("activated_on")),
		pauses,
		calendar or get_calendar(),
		at_risk_share() if share is None else share,
	)


def stored_tuple(case) -> tuple:
	return (
		_date(case.get("sla_start")),
		_date(case.get("sla_due")),
		case.get("sla_status") or "",
		int(case.get("sla_paused") or 0),
	)


def result_tuple(result: core_sla.SlaResult) -> tuple:
	return (result.start, result.due, result.status, int(result.paused))


def turned_alert(old_status: str | None, result: core_sla.SlaResult) -> bool:
	return result.status in core_sla.ALERT_STATUSES and result.status != (old_status or "")


def refresh_case_sla(case_doc, on: date | None = None) -> core_sla.SlaResult:
	"""Recompute the case's SLA fields (``sla_start``, ``sla_due``, ``sla_status``, ``sla_paused``).

	Sets them on ``case_doc`` and, for a case already in the database, also writes the changed ones (without
	touching ``modified``), so the case controller may call it before saving as well as after a milestone
	changed. When the case just turned At Risk or Overdue, the staff alert is queued to run
	after the commit (``tasks.sweep_sla`` is the backstop: it alerts for every such case not alerted yet).
	Invalid input (term outside 10-45 with both dates set, a pause ending before it starts) raises a translated
	``SlaConfigurationError``.
	"""
	try:
		result = compute(case_doc, pauses_from_rows(case_doc.get("sla_pauses") or []), on=on)
	except core_sla.SlaError as e:
		frappe.throw(
			_("The activation term cannot be computed: {0}").format(str(e)),
			SlaConfigurationError,
			title=_("Activation term"),
		)
	old_status = case_doc.get("sla_status")
	changed = stored_tuple(case_doc) != result_tuple(result)
	case_doc.sla_start = result.start
	case_doc.sla_due = result.due
	case_doc.sla_status = result.status
	case_doc.sla_paused = int(result.paused)
	if changed and case_doc.name and not case_doc.is_new():
		frappe.db.set_value(
			CASE,
			case_doc.name,
			{
				"sla_start": result.start,
				"sla_due": result.due,
				"sla_status": result.status,
				"sla_paused": int(result.paused),
			},
			update_modified=False,
		)
		if turned_alert(old_status, result):
			frappe.enqueue(
				"fiber_onboarding.tasks.notify_case_sla",
				queue="short",
				case=case_doc.name,
				job_id=f"fo-sla-alert:{case_doc.name}",
				deduplicate=True,
				enqueue_after_commit=True,
			)
	return result


# -- staff alerts ---------------------------------------------------------------------------------------------


def alert_key(case_name: str, status: str, due) -> str:
	return "sla:{}:{}:{}".format(case_name, status, due.isoformat() if due else "")


def case_assignees(case) -> list[str]:
	raw = case.get("_assign")
	try:
		users = json.loads(raw) if isinstance(raw, str) and raw else (raw or [])
	except ValueError:
		users = []
	return [u for u in users if u and u not in ("Guest",)]


def managers() -> list[str]:
	from fiber_onboarding.utils.mail import staff_recipients

	return staff_recipients(MANAGER_ROLE)


def alert_recipients(case, team_role: str | None = None) -> tuple[list[str], list[str]]:
	"""(e-mail recipients, ToDo owners) for a staff alert about ``case``: its assignees (the responsible
	staff), the users of ``team_role`` (the team that must act, if any) and the managers. The ToDo goes to the
	assignees, else to the team, else to the managers."""
	from fiber_onboarding.utils.mail import staff_recipients

	assignees = case_assignees(case)
	team = staff_recipients(team_role) if team_role else []
	mgrs = managers()
	emails = list(dict.fromkeys([*assignees, *team, *mgrs]))
	return emails, (assignees or team or mgrs)


def send_alert_once(
	key: str, emails: list[str], context: dict, reference_doctype: str, reference_name: str
) -> bool:
	from fiber_onboarding.utils.mail import send_once

	return send_once(key, ALERT_TEMPLATE, emails, context, reference_doctype, reference_name)


def notify_sla_alert(case, result: core_sla.SlaResult) -> bool:
	"""E-mail + ToDo + timeline entry once per (case, status, due date). Returns True when sent now.

	``case`` is the case document or a dict with ``name``, ``company_name``, ``sla_business_days``, ``_assign``.
	"""
	from fiber_onboarding.utils.mail import already_sent

	key = alert_key(case.get("name"), result.status, result.due)
	if already_sent(key):
		return False
	emails, owners = alert_recipients(case)
	status_label = _(result.status)
	due_label = formatdate(result.due) if result.due else ""
	context = {
		"kind": "sla",
		"case": case.get("name"),
		"company_name": case.get("company_name") or "",
		"status": result.status,
		"status_label": status_label,
		"start": formatdate(result.start) if result.start else "",
		"due": due_label,
		"business_days": case.get("sla_business_days"),
		"consumed": result.consumed_business_days,
		"remaining": result.remaining_business_days,
		"paused": result.paused,
		"url": get_url_to_form(CASE, case.get("name")),
	}
	if not send_alert_once(key, emails, context, CASE, case.get("name")):
		return False
	description = _("Activation term of {0} ({1}): {2}, due {3}.").format(
		case.get("name"), context["company_name"], status_label, due_label
	)
	assign_todos(CASE, case.get("name"), owners, description, result.due)
	add_timeline_note(CASE, case.get("name"), description)
	return True


def assign_todos(reference_type: str, reference_name: str, users: list[str], description: str, due=None):
	"""One open ToDo per user on the document (an open one the user already has there is reused)."""
	for user in users:
		if frappe.db.exists(
			"ToDo",
			{
				"reference_type": reference_type,
				"reference_name": reference_name,
				"allocated_to": user,
				"status": "Open",
			},
		):
			continue
		frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": user,
				"reference_type": reference_type,
				"reference_name": reference_name,
				"description": description,
				"priority": "High",
				"date": due,
				"assigned_by": "Administrator",
			}
		).insert(ignore_permissions=True)


def add_timeline_note(reference_doctype: str, reference_name: str, text: str):
	frappe.get_doc(
		{
			"doctype": "Comment",
			"comment_type": "Info",
			"reference_doctype": reference_doctype,
			"reference_name": reference_name,
			"content": text,
		}
	).insert(ignore_permissions=True)

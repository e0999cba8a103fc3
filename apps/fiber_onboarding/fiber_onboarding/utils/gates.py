"""The process gates in the Frappe layer: ``CaseFacts`` from the case and its documents, and the check a workflow
DocType runs when its ``workflow_state`` changes.

The rules live in ``core.process`` (plain functions over ``CaseFacts``); this module only reads the documents and
translates the reasons. ``enforce_gates(doc)`` is called from the controllers' ``validate`` (and, as a safety net,
from the ``validate`` doc event of the four workflow DocTypes); it checks each state change once.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import frappe
from frappe import _
from frappe.utils import format_datetime, formatdate, get_datetime, getdate, now_datetime

from fiber_onboarding.core import process

CASE = "Fiber Onboarding"
SETTINGS = "Fiber Onboarding Settings"
# ERPNext Issue statuses that mean the customer's problem is not solved yet
OPEN_ISSUE_STATUSES = ("Open", "Replied", "On Hold")


class GateError(frappe.ValidationError):
	"""A workflow step the process does not allow yet (the message lists every reason)."""


# ---------------------------------------------------------------------------------------------------------------
# Reading the documents
# ---------------------------------------------------------------------------------------------------------------
def _date(value) -> date | None:
	return getdate(value) if value else None


def _datetime(value) -> datetime | None:
	return get_datetime(value) if value else None


def _dbm(value) -> Decimal | None:
	if value is None or value == "":
		return None
	try:
		return Decimal(str(value))
	except InvalidOperation:
		return None


def _setting_dbm(field: str, default: str) -> Decimal:
	value = frappe.db.get_single_value(SETTINGS, field)
	return _dbm(value) if value not in (None, "") else Decimal(default)


def _linked(case, doctype: str, field: str, docs: dict):
	"""The case's document of ``doctype``: the one being saved, the linked one, or the latest for the case."""
	doc = docs.get(doctype)
	if doc is not None:
		return doc
	name = case.get(field) if case is not None else None
	if not name and case is not None and not case.is_new():
		name = frappe.db.get_value(doctype, {"onboarding": case.name}, "name", order_by="creation desc")
	if name and frappe.db.exists(doctype, name):
		return frappe.get_doc(doctype, name)
	return None


def _next_business_day_after(day: date) -> date:
	from fiber_onboarding.utils.calendar import next_business_day_after

	return next_business_day_after(day)


def _open_problems(case, circuit) -> tuple[str, ...]:
	problems: list[str] = []
	if circuit is not None and circuit.get("problem_reported") and not circuit.get("problem_resolved"):
		problems.append(_("problem reported on circuit {0}").format(circuit.name))
	if case is not None and case.get("customer"):
		issues = frappe.get_all(
			"Issue",
			filters={"customer": case.customer, "status": ["in", OPEN_ISSUE_STATUSES]},
			pluck="name",
			order_by="creation asc",
		)
		problems.extend(_("issue {0}").format(i) for i in issues)
	return tuple(problems)


def case_facts(case=None, *, docs: dict | None = None, user: str | None = None) -> process.CaseFacts:
	"""``CaseFacts`` for a case (name or document). ``docs`` ({doctype: doc}) replaces the stored copy of a
	document by the one being saved; a proposal without a case is given as ``docs={"Fiber Proposal": doc}``.
	"""
	docs = dict(docs or {})
	if isinstance(case, str):
		case = frappe.get_doc(CASE, case) if case else None
	if CASE in docs:
		case = docs[CASE]
	now = now_datetime()

	proposal = docs.get(process.PROPOSAL)
	if proposal is None and case is not None and case.get("proposal"):
		proposal = frappe.get_doc(process.PROPOSAL, case.proposal)

	boleto = _linked(case, "Fiber Boleto", "boleto", docs) if case is not None else None
	contract = _linked(case, process.CONTRACT, "contract", docs) if case is not None else None
	project = _linked(case, process.PROJECT, "project", docs) if case is not None else None
	circuit = _linked(case, process.CIRCUIT, "circuit", docs) if case is not None else None

	paid_on = _date(case.get("paid_on")) if case is not None else None
	if paid_on is None and boleto is not None and boleto.get("status") == process.BoletoStatus.PAID:
		paid_on = _date(boleto.get("paid_on") or boleto.get("credit_date"))

	survey_dates: frozenset[date] = frozenset()
	if case is not None and not case.is_new():
		rows = frappe.get_all(
			"Site Visit",
			filters={"onboarding": case.name, "visit_type": "Internal Survey", "status": "Done"},
			fields=["done_on", "scheduled_date"],
		)
		survey_dates = frozenset(
			_date(r.done_on or r.scheduled_date) for r in rows if r.done_on or r.scheduled_date
		)

	return process.CaseFacts(
		today=now.date(),
		now=now,
		cancelled=bool(case.get("cancelled")) if case is not None else False,
		proposal_state=proposal.get("workflow_state") if proposal is not None else None,
		proposal_valid_until=_date(proposal.get("valid_until")) if proposal is not None else None,
		paid_on=paid_on,
		project_send_earliest=_next_business_day_after(paid_on) if paid_on else None,
		contract_state=contract.get("workflow_state") if contract is not None else None,
		project_state=project.get("workflow_state") if project is not None else None,
		execution_date=_date(project.get("execution_date")) if project is not None else None,
		internal_passage_date=_date(project.get("internal_passage_date")) if project is not None else None,
		internal_survey_done_dates=survey_dates,
		implementation_report_sent=bool(project is not None and project.get("implementation_report_sent_on")),
		circuit_state=circuit.get("workflow_state") if circuit is not None else None,
		test_phase_ends_at=_datetime(circuit.get("test_ends_at")) if circuit is not None else None,
		early_close_reason=(circuit.get("early_close_reason") or "") if circuit is not None else "",
		early_close_by_roles=frozenset(frappe.get_roles(user or frappe.session.user)),
		readings=tuple(process.Reading(r.point, _dbm(r.power_dbm)) for r in circuit.get("readings") or [])
		if circuit is not None
		else (),
		min_rx_power_dbm=_setting_dbm("min_rx_power_dbm", "-25"),
		max_rx_power_dbm=_setting_dbm("max_rx_power_dbm", "-8"),
		activated=bool(
			(circuit is not None and circuit.get("activated_on"))
			or (case is not None and case.get("activated_on"))
		),
		open_problems=_open_problems(case, circuit),
	)


def facts_for(doc) -> process.CaseFacts:
	"""The facts as they will be once ``doc`` (a case or one of its documents) is saved."""
	if doc.doctype == CASE:
		return case_facts(doc)
	case = doc.get("onboarding") or None
	if doc.doctype == process.PROPOSAL and not case:
		return case_facts(None, docs={process.PROPOSAL: doc})
	return case_facts(case, docs={doc.doctype: doc})


# ---------------------------------------------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------------------------------------------
def _fmt(value) -> str:
	if isinstance(value, datetime):
		return format_datetime(value)
	if isinstance(value, date):
		return formatdate(value)
	if isinstance(value, Decimal):
		return str(value)
	return _(str(value)) if isinstance(value, str) and value in process.STATE_STYLES else str(value)


def render(reason: str) -> str:
	"""One blocking reason, translated, with its values."""
	if isinstance(reason, process.Reason):
		return reason.render(_, _fmt)
	return _(str(reason))


def render_all(reasons) -> list[str]:
	return [render(r) for r in reasons]


def blockers(doc, action: str) -> list[str]:
	"""Translated reasons why ``action`` cannot be taken on ``doc`` now (roles are not considered)."""
	definition = process.WORKFLOWS[doc.doctype]
	for t in definition.transitions_from(doc.get("workflow_state")):
		if t.action == action:
			return render_all(process.run_gates(t.gates, facts_for(doc)))
	return [_("{0} is not an action of state {1}.").format(_(action), _(doc.get("workflow_state") or ""))]


# ---------------------------------------------------------------------------------------------------------------
# The check
# ---------------------------------------------------------------------------------------------------------------
def enforce_gates(doc, method: str | None = None):
	"""Throw ``GateError`` listing every reason when ``doc``'s workflow state changed against a gate."""
	if doc.doctype not in process.WORKFLOWS:
		return
	before = doc.get_doc_before_save()
	if before is None:
		return
	old, new = before.get("workflow_state"), doc.get("workflow_state")
	if not old or not new or old == new:
		return
	if doc.flags.fo_gates_checked == (old, new):
		return
	reasons = process.transition_blockers(doc.doctype, old, new, facts_for(doc))
	if reasons:
		items = "".join(f"<li>{frappe.utils.escape_html(r)}</li>" for r in render_all(reasons))
		frappe.throw(
			_("{0} {1} cannot move from {2} to {3}:").format(_(doc.doctype), doc.name, _(old), _(new))
			+ f"<ul>{items}</ul>",
			GateError,
			title=_("This step is not allowed yet"),
		)
	doc.flags.fo_gates_checked = (old, new)

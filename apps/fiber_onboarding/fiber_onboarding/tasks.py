"""Scheduler jobs (hooks.scheduler_events). Each is safe to run any number of times: documents move only when
their condition holds, and every e-mail goes through ``utils.mail.send_once`` under a unique key.

- ``sweep_sla`` (hourly): recompute the activation term of every open case in a constant number of queries and
  alert staff (e-mail + ToDo + timeline) when a case turns At Risk or Overdue.
- ``send_due_projects`` (hourly): e-mail the project to the technical contact on the first business day after the
  setup fee was paid (``fiber_field.project_service.approval.send_project``).
- ``close_test_phases`` (hourly): activate circuits whose test phase ended when nothing blocks activation
  (``fiber_field.circuit_service.activate_circuit``); otherwise alert staff once.
- ``expire_boletos`` (daily): ``fiber_billing.boleto_service.expiry_and_reissue.expire_overdue``.
- ``send_remessas`` (daily): one CNAB remessa per active agreement with boletos waiting for the bank, Finance
  e-mailed (``fiber_billing.boleto_service.remessa.send_daily_remessas``).

One failing document never stops a job: its changes are rolled back to a savepoint, the error is logged (Error
Log) and the job moves on.
"""

from __future__ import annotations

import json
from datetime import date

import frappe
from frappe import _
from frappe.utils import format_datetime, get_url_to_form, getdate, now_datetime, nowdate

from fiber_onboarding.core import sla as core_sla
from fiber_onboarding.core.process import CircuitState, ProjectState
from fiber_onboarding.utils import sla as sla_utils
from fiber_onboarding.utils.calendar import get_calendar

CASE = "Fiber Onboarding"
PAUSE = "Fiber SLA Pause"
PROJECT = "Fiber Project"
CIRCUIT = "Circuit"
NOTIFICATION_LOG = "Fiber Notification Log"
ACTIVATION_ROLE = "Fiber Activation"
# rows per CASE/WHEN UPDATE on databases without JSON_TABLE
UPDATE_CHUNK = 500
# staff alerts sent by one sweep (about 0.2 s each): bounds the job's run time when many cases turn At Risk at
# once (e.g. the first sweep after go-live); the rest go out with the next hourly runs, Overdue first
MAX_ALERTS_PER_RUN = 300


def _isolated(fn, *args, title: str = "", doctype: str | None = None, name: str | None = None, **kwargs):
	"""Run ``fn`` inside a savepoint; on error roll back to it, log, and return None."""
	savepoint = "fo_" + frappe.generate_hash(length=12)
	frappe.db.savepoint(savepoint)
	try:
		result = fn(*args, **kwargs)
	except frappe.QueryDeadlockError:
		raise  # the database rolled the whole transaction back: nothing to isolate any more
	except Exception:
		frappe.db.rollback(save_point=savepoint)
		frappe.log_error(title=title or fn.__name__, reference_doctype=doctype, reference_name=name)
		return None
	frappe.db.release_savepoint(savepoint)
	return result


# ---------------------------------------------------------------------------------------------------------------
# SLA sweep
# ---------------------------------------------------------------------------------------------------------------
def _open_case_filter(Case):
	return (Case.cancelled == 0) & (
		Case.sla_status.isnull() | Case.sla_status.notin([core_sla.MET, core_sla.MISSED])
	)


def load_open_cases() -> tuple[list[dict], dict[str, list[core_sla.Pause]]]:
	"""Every open case (not cancelled, term not yet Met/Missed) with the fields the rule needs, and their pauses:
	two queries whatever the number of cases."""
	Case = frappe.qb.DocType(CASE)
	Pause = frappe.qb.DocType(PAUSE)
	cases = (
		frappe.qb.from_(Case)
		.select(
			Case.name,
			Case.company_name,
			Case.internal_passage_date,
			Case.contract_received_on,
			Case.sla_business_days,
			Case.activated_on,
			Case.sla_start,
			Case.sla_due,
			Case.sla_status,
			Case.sla_paused,
			Case._assign,
		)
		.where(_open_case_filter(Case))
		.run(as_dict=True)
	)
	pause_rows = (
		frappe.qb.from_(Pause)
		.join(Case)
		.on(Pause.parent == Case.name)
		.select(Pause.parent, Pause.from_date, Pause.to_date, Pause.reason)
		.where((Pause.parenttype == CASE) & (Pause.parentfield == "sla_pauses"))
		.where(_open_case_filter(Case))
		.orderby(Pause.parent)
		.orderby(Pause.idx)
		.run(as_dict=True)
	)
	pauses: dict[str, list[core_sla.Pause]] = {}
	for row in pause_rows:
		if row.from_date:
			pauses.setdefault(row.parent, []).append(
				core_sla.Pause(
					getdate(row.from_date), getdate(row.to_date) if row.to_date else None, row.reason or ""
				)
			)
	return cases, pauses


def bulk_update_sla(changes: list[tuple[str, core_sla.SlaResult]]) -> int:
	"""Write the new SLA fields of many cases; returns the number of UPDATE statements.

	MariaDB (10.6+): one UPDATE joining the table to ``JSON_TABLE`` over a single JSON parameter, whatever the
	number of cases (a primary-key lookup per row: 10k rows in about 0.3 s). Other databases: ``frappe.qb``
	``CASE name WHEN ...`` per chunk of ``UPDATE_CHUNK`` rows (quadratic in the chunk size, hence the chunks).
	``modified`` is left alone: this is bookkeeping, not an edit.
	"""
	if not changes:
		return 0
	if frappe.db.db_type == "mariadb":
		payload = json.dumps(
			[
				[
					name,
					r.start.isoformat() if r.start else None,
					r.due.isoformat() if r.due else None,
					r.status,
					int(r.paused),
				]
				for name, r in changes
			]
		)
		frappe.db.sql(
			"""update `tabFiber Onboarding` t
			join json_table(%s, '$[*]' columns(
				case_name varchar(140) path '$[0]',
				new_start date path '$[1]',
				new_due date path '$[2]',
				new_status varchar(140) path '$[3]',
				new_paused int path '$[4]'
			)) v on t.name = v.case_name
			set t.sla_start = v.new_start, t.sla_due = v.new_due, t.sla_status = v.new_status,
				t.sla_paused = v.new_paused""",
			(payload,),
		)
		return 1

	from frappe.query_builder import Case as SqlCase

	Case = frappe.qb.DocType(CASE)
	statements = 0
	for i in range(0, len(changes), UPDATE_CHUNK):
		chunk = changes[i : i + UPDATE_CHUNK]
		columns = {
			"sla_start": SqlCase(),
			"sla_due": SqlCase(),
			"sla_status": SqlCase(),
			"sla_paused": SqlCase(),
		}
		for name, r in chunk:
			columns["sla_start"].when(Case.name == name, r.start)
			columns["sla_due"].when(Case.name == name, r.due)
			columns["sla_status"].when(Case.name == name, r.status)
			columns["sla_paused"].when(Case.name == name, int(r.paused))
		query = frappe.qb.update(Case).where(Case.name.isin([name for name, _r in chunk]))
		for field, expr in columns.items():
			query = query.set(Case[field], expr)
		query.run()
		statements += 1
	return statements


def notified_keys(keys: list[str]) -> set[str]:
	"""Which of ``keys`` already have a Fiber Notification Log (one query)."""
	if not keys:
		return set()
	Log = frappe.qb.DocType(NOTIFICATION_LOG)
	return set(frappe.qb.from_(Log).select(Log.name).where(Log.name.isin(keys)).run(pluck=True))


def sweep_sla(today: str | date | None = None, notify: bool = True) -> dict:
	"""Recompute the SLA of every open case; alert staff for each case At Risk / Overdue not alerted yet.

	Queries: open cases (1) + their pauses (1) + alert keys already sent (1, only when some case is At Risk or
	Overdue) + one UPDATE (only when something changed); the calendar reads the Holiday List's ``modified`` (1,
	only when Settings name one). Each alert sent costs about 24 more queries (e-mail, ToDo, timeline); at most
	``MAX_ALERTS_PER_RUN`` are sent per run, Overdue first.
	"""
	on = getdate(today or nowdate())
	calendar = get_calendar()
	share = sla_utils.at_risk_share()
	cases, pauses = load_open_cases()

	changes: list[tuple[str, core_sla.SlaResult]] = []
	alerts: list[tuple[dict, core_sla.SlaResult]] = []
	errors: list[str] = []
	for case in cases:
		try:
			result = sla_utils.compute(case, pauses.get(case.name, []), calendar, on, share)
		except core_sla.SlaError as e:
			errors.append(f"{case.name}: {e}")
			continue
		if sla_utils.stored_tuple(case) != sla_utils.result_tuple(result):
			changes.append((case.name, result))
		if result.status in core_sla.ALERT_STATUSES:
			alerts.append((case, result))

	statements = bulk_update_sla(changes) if changes else 0

	alerted: list[str] = []
	pending = 0
	if notify and alerts:
		keys = [sla_utils.alert_key(c.name, r.status, r.due) for c, r in alerts]
		done = notified_keys(keys)
		todo = [(c, r) for (c, r), key in zip(alerts, keys, strict=True) if key not in done]
		# most urgent first; a backlog larger than one run's share is alerted by the next runs
		todo.sort(key=lambda cr: (cr[1].status != core_sla.OVERDUE, cr[1].due))
		pending = max(0, len(todo) - MAX_ALERTS_PER_RUN)
		for case, result in todo[:MAX_ALERTS_PER_RUN]:
			if _isolated(
				sla_utils.notify_sla_alert, case, result, title="SLA alert", doctype=CASE, name=case.name
			):
				alerted.append(case.name)

	if errors:
		frappe.log_error(
			title=_("Activation term not computed for {0} case(s)").format(len(errors)),
			message="\n".join(errors),
		)
	return {
		"open_cases": len(cases),
		"changed": len(changes),
		"update_statements": statements,
		"alerted": alerted,
		"alerts_pending": pending,
		"errors": errors,
	}


def notify_case_sla(case: str):
	"""Background job queued by ``utils.sla.refresh_case_sla`` when a case turns At Risk / Overdue."""
	if not frappe.db.exists(CASE, case):
		return
	doc = frappe.get_doc(CASE, case)
	if doc.get("cancelled") or doc.get("sla_status") not in core_sla.ALERT_STATUSES:
		return
	result = sla_utils.compute(doc, sla_utils.pauses_from_rows(doc.get("sla_pauses") or []))
	if result.status in core_sla.ALERT_STATUSES:
		sla_utils.notify_sla_alert(doc.as_dict(), result)


# ---------------------------------------------------------------------------------------------------------------
# Projects due to be sent
# ---------------------------------------------------------------------------------------------------------------
def due_projects(today: date) -> list[str]:
	"""Projects in Drafting, with a document attached, whose case is paid and whose send date (first business
	day after the payment) is today or earlier."""
	Project = frappe.qb.DocType(PROJECT)
	Case = frappe.qb.DocType(CASE)
	rows = (
		frappe.qb.from_(Project)
		.join(Case)
		.on(Project.onboarding == Case.name)
		.select(Project.name, Case.paid_on)
		.where(
			(Project.workflow_state == ProjectState.DRAFTING)
			& Project.project_file.isnotnull()
			& (Project.project_file != "")
			& Case.paid_on.isnotnull()
			& (Case.cancelled == 0)
		)
		.orderby(Case.paid_on)
		.run(as_dict=True)
	)
	calendar = get_calendar()
	return [r.name for r in rows if today >= calendar.next_business_day_after(getdate(r.paid_on))]


def send_due_projects(today: str | date | None = None) -> list[str]:
	"""E-mail every due project (Drafting → Sent). Returns the names sent now."""
	from fiber_onboarding.fiber_field.project_service.approval import send_project

	on = getdate(today or nowdate())
	sent = []
	for name in due_projects(on):
		project = _isolated(
			lambda n: send_project(frappe.get_doc(PROJECT, n), as_system=True),
			name,
			title="Send project",
			doctype=PROJECT,
			name=name,
		)
		if project is not None and project.workflow_state == ProjectState.SENT:
			sent.append(name)
	return sent


# ---------------------------------------------------------------------------------------------------------------
# Test phases that ended
# ---------------------------------------------------------------------------------------------------------------
def ended_test_phases(now=None) -> list[str]:
	Circuit = frappe.qb.DocType(CIRCUIT)
	return (
		frappe.qb.from_(Circuit)
		.select(Circuit.name)
		.where(
			(Circuit.workflow_state == CircuitState.TESTING)
			& Circuit.test_ends_at.isnotnull()
			& (Circuit.test_ends_at <= (now or now_datetime()))
		)
		.orderby(Circuit.test_ends_at)
		.run(pluck=True)
	)


def close_test_phases(now=None) -> dict:
	"""Activate each circuit whose test phase ended when nothing blocks it; otherwise alert staff once (per
	circuit and test-phase end) with the reasons. Returns {"activated": [...], "blocked": {name: reasons}}."""
	from fiber_onboarding.fiber_field import circuit_service

	activated, blocked = [], {}
	for name in ended_test_phases(now):
		circuit = frappe.get_doc(CIRCUIT, name)
		reasons = circuit_service.activation_blockers(circuit)
		if reasons:
			blocked[name] = reasons
			_isolated(
				notify_test_phase_blocked,
				circuit,
				reasons,
				title="Test phase alert",
				doctype=CIRCUIT,
				name=name,
			)
			continue
		done = _isolated(
			circuit_service.activate_circuit, circuit, title="Activate circuit", doctype=CIRCUIT, name=name
		)
		if done is not None:
			activated.append(name)
	return {"activated": activated, "blocked": blocked}


def notify_test_phase_blocked(circuit, reasons: list[str]) -> bool:
	"""Staff e-mail + ToDo (once per circuit and test-phase end): the test phase ended but activation is blocked."""
	from fiber_onboarding.utils.mail import send_once

	key = "test-phase-blocked:{}:{}".format(circuit.name, circuit.get("test_ends_at") or "")
	case_name = circuit.get("onboarding")
	case = (
		frappe.db.get_value(CASE, case_name, ["name", "company_name", "_assign"], as_dict=True)
		if case_name
		else None
	)
	case = case or frappe._dict(name=case_name, company_name="", _assign=None)
	emails, owners = sla_utils.alert_recipients(case, ACTIVATION_ROLE)
	context = {
		"kind": "test_phase_blocked",
		"case": case_name or "",
		"company_name": case.company_name or "",
		"circuit": circuit.name,
		"test_ends_at": format_datetime(circuit.get("test_ends_at")) if circuit.get("test_ends_at") else "",
		"reasons": reasons,
		"url": get_url_to_form(CIRCUIT, circuit.name),
	}
	if not sla_utils.send_alert_once(key, emails, context, CIRCUIT, circuit.name):
		return False
	description = _("The test phase of circuit {0} ended but it cannot be activated: {1}").format(
		circuit.name, "; ".join(reasons)
	)
	sla_utils.assign_todos(CIRCUIT, circuit.name, owners, description)
	sla_utils.add_timeline_note(CIRCUIT, circuit.name, description)
	return True


# ---------------------------------------------------------------------------------------------------------------
# Boletos
# ---------------------------------------------------------------------------------------------------------------
def expire_boletos(today: str | date | None = None):
	from fiber_onboarding.fiber_billing.boleto_service.expiry_and_reissue import expire_overdue

	return expire_overdue(today)


def send_remessas() -> list[str]:
	from fiber_onboarding.fiber_billing.boleto_service.remessa import send_daily_remessas

	return send_daily_remessas()

"""The circuit's test phase and activation.

The implementation report starts the 48 h validation (``start_test_phase``). During it the customer may confirm the
service (recorded only: the process keeps the 48 h) or report a problem, which blocks activation until staff
resolve it. When the phase ends the SLA engine (``tasks.close_test_phases``) calls ``activate_circuit``; staff of
Fiber Activation / Fiber Onboarding Manager may close it early with a reason (``early_close``). Activation is refused,
with every reason listed, unless ``core.process.activation_blockers`` is empty.
"""

from __future__ import annotations

import dataclasses

import frappe
from frappe import _
from frappe.utils import add_to_date, get_datetime, now_datetime

from fiber_onboarding.core import process
from fiber_onboarding.core.process import CircuitState
from fiber_onboarding.fiber_field.common import (
	FieldFlowError,
	customer_recipients,
	get_case,
	move,
	portal_url,
	require_state,
	setting,
)
from fiber_onboarding.utils.mail import send_once

CIRCUIT = "Circuit"


class ActivationBlockedError(frappe.ValidationError):
	"""The circuit cannot be activated yet; the message lists every reason."""


class EarlyCloseNotAllowedError(frappe.PermissionError):
	pass


def _circuit(circuit):
	return frappe.get_doc(CIRCUIT, circuit) if isinstance(circuit, str) else circuit


def test_phase_hours() -> int:
	hours = int(setting("test_phase_hours", 48) or 48)
	return hours if hours > 0 else 48


def start_test_phase(circuit, started_at=None):
	"""Circuit → Testing (through Provisioning when still Planned); test_ends_at = start + test_phase_hours."""
	circuit = _circuit(circuit)
	if circuit.workflow_state == CircuitState.TESTING and circuit.test_started_at:
		return circuit
	require_state(circuit, CircuitState.PLANNED, CircuitState.PROVISIONING)
	if circuit.workflow_state == CircuitState.PLANNED:
		circuit = move(circuit, "Start Provisioning", CircuitState.PROVISIONING, as_system=True)
	start = get_datetime(started_at) if started_at else now_datetime()
	circuit.test_started_at = start
	circuit.test_ends_at = add_to_date(start, hours=test_phase_hours())
	circuit.save(ignore_permissions=True)
	return move(circuit, "Start Test Phase", CircuitState.TESTING, as_system=True)


# ---------------------------------------------------------------------------------------------------------------
# The customer during the test phase
# ---------------------------------------------------------------------------------------------------------------
def report_problem(circuit, text: str, user: str | None = None):
	"""The customer reports a problem during the test phase: activation is blocked until staff resolve it."""
	circuit = _circuit(circuit)
	text = (text or "").strip()
	if not text:
		frappe.throw(_("Describe the problem."), FieldFlowError)
	if len(text) > 2000:
		frappe.throw(_("The description is too long (at most 2000 characters)."), FieldFlowError)
	require_state(circuit, CircuitState.TESTING)
	user = user or frappe.session.user
	circuit.problem_reported = 1
	circuit.problem_resolved = 0
	circuit.resolution_note = None
	circuit.problem_description = text
	circuit.problem_reported_at = now_datetime()
	circuit.problem_reported_by = user if frappe.db.exists("User", user) else None
	circuit.save(ignore_permissions=True)
	circuit.add_comment(
		"Comment", _("Problem reported by {0}: {1}").format(user, frappe.utils.escape_html(text))
	)
	_notify_staff_of_problem(circuit, text, user)
	return circuit


def _notify_staff_of_problem(circuit, text: str, user: str):
	"""A ToDo for the activation team (shows in their desk), never an e-mail to the customer."""
	from frappe.desk.form.assign_to import add as assign

	from fiber_onboarding.utils.mail import staff_recipients

	users = staff_recipients("Fiber Activation")
	if not users:
		return
	assign(
		{
			"assign_to": users,
			"doctype": CIRCUIT,
			"name": circuit.name,
			"description": _("Problem reported by the customer during the test phase: {0}").format(
				frappe.utils.escape_html(text)
			),
		},
		ignore_permissions=True,
	)


def resolve_problem(circuit, note: str, user: str | None = None):
	"""Staff resolved the customer's problem: it no longer blocks activation."""
	circuit = _circuit(circuit)
	note = (note or "").strip()
	if not circuit.problem_reported or circuit.problem_resolved:
		frappe.throw(_("There is no open problem on this circuit."), FieldFlowError)
	if not note:
		frappe.throw(_("Describe how the problem was resolved."), FieldFlowError)
	circuit.problem_resolved = 1
	circuit.resolution_note = note
	circuit.save(ignore_permissions=True)
	circuit.add_comment(
		"Comment",
		_("Problem resolved by {0}: {1}").format(user or frappe.session.user, frappe.utils.escape_html(note)),
	)
	return circuit


def confirm_service(circuit, user: str | None = None):
	"""The customer confirms the service works. Recorded only: activation still waits for the 48 h."""
	circuit = _circuit(circuit)
	require_state(circuit, CircuitState.TESTING)
	if circuit.customer_confirmed_at:
		return circuit
	user = user or frappe.session.user
	circuit.customer_confirmed_at = now_datetime()
	circuit.customer_confirmed_by = user if frappe.db.exists("User", user) else None
	circuit.save(ignore_permissions=True)
	return circuit


# ---------------------------------------------------------------------------------------------------------------
# Activation
# ---------------------------------------------------------------------------------------------------------------
def activation_facts(
	circuit, early_close_reason: str | None = None, user: str | None = None
) -> process.CaseFacts:
	"""The process facts for this circuit's activation now (an early close counts with its reason and the
	roles of ``user``)."""
	from fiber_onboarding.utils.gates import facts_for

	circuit = _circuit(circuit)
	reason = (early_close_reason or "").strip()
	user = user or frappe.session.user
	return dataclasses.replace(
		facts_for(circuit),
		early_close_reason=reason,
		early_close_by_roles=frozenset(frappe.get_roles(user)) if reason else frozenset(),
	)


def activation_blockers(circuit, early_close_reason: str | None = None, user: str | None = None) -> list[str]:
	"""Translated reasons the circuit cannot be activated now (empty: it can)."""
	from fiber_onboarding.utils.gates import render_all

	return render_all(process.activation_blockers(activation_facts(circuit, early_close_reason, user)))


def activate_circuit(circuit, early_close_reason: str | None = None, user: str | None = None):
	"""Testing → Active once nothing blocks it; e-mails the customer that the link is ready (once).

	Raises ActivationBlockedError listing every reason otherwise (the scheduler catches it and retries later).
	"""
	circuit = _circuit(circuit)
	if circuit.workflow_state == CircuitState.ACTIVE and circuit.activated_on:
		return circuit
	require_state(circuit, CircuitState.TESTING)
	blockers = activation_blockers(circuit, early_close_reason, user)
	if blockers:
		frappe.throw(
			"<br>".join(blockers),
			ActivationBlockedError,
			title=_("The circuit {0} cannot be activated").format(circuit.name),
		)
	now = now_datetime()
	if early_close_reason:
		circuit.early_close_reason = early_close_reason.strip()
	circuit.activated_on = now
	circuit.save(ignore_permissions=True)
	circuit = move(circuit, "Activate", CircuitState.ACTIVE, as_system=True)
	case = get_case(circuit.onboarding)
	send_once(
		f"activation:{circuit.name}",
		"fo_activation",
		customer_recipients(case, "tech_email", "legal_email"),
		{
			"case": case,
			"doc": circuit,
			"circuit": circuit,
			"customer_name": case.get("company_name") or case.customer,
			"tech_name": case.get("tech_name"),
			"portal_url": portal_url(case),
		},
		reference_doctype=CIRCUIT,
		reference_name=circuit.name,
	)
	return circuit


def early_close(circuit, reason: str, user: str | None = None):
	"""Close the test phase before its end and activate, with a reason (Fiber Activation / Manager only)."""
	circuit = _circuit(circuit)
	user = user or frappe.session.user
	roles = set(frappe.get_roles(user))
	if user != "Administrator" and not process.EARLY_CLOSE_ROLES.intersection(roles):
		frappe.throw(
			_("Only a Fiber Onboarding Manager or Fiber Activation user may close the test phase early."),
			EarlyCloseNotAllowedError,
		)
	reason = (reason or "").strip()
	if not reason:
		frappe.throw(_("Give the reason for closing the test phase early."), FieldFlowError)
	circuit.add_comment(
		"Comment", _("Test phase closed early by {0}: {1}").format(user, frappe.utils.escape_html(reason))
	)
	return activate_circuit(circuit, early_close_reason=reason, user=user)

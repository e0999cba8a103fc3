"""Step 3 through the bank's API: payments and write-offs (baixa) of boletos registered online.

- Inter calls its webhook (``api.bank_webhook``): ``receive_inter_notices`` authenticates the call
  (``adapters.banks.inter_webhook``: the URL token derived from the agreement's secret, optionally Inter's client
  certificate), keeps each notice once (``Fiber Bank Notice``, unique key: the replay guard's memory) and queues
  ``verify_notice``, which asks the bank for the title and applies **the bank's answer**, never the body;
- ``poll_bank_payments`` (hourly) queries every open online boleto (BB has no webhook; for Inter it catches a
  lost notice);
- both end in ``apply_bank_answer``, the same idempotent path as the CNAB retorno: ``payment.mark_paid`` under
  the boleto's row lock (one Payment Entry per boleto, however many notices arrive); money that cannot be
  applied (other amount, a cancelled boleto paid) becomes a Finance Exception;
- ``send_write_off`` asks the bank to write the title off when it expires or is replaced; when the bank does
  not answer, ``bank_write_off`` stays Pending and ``retry_write_offs`` sends it again.
"""

from contextlib import contextmanager
from datetime import datetime, timezone

import frappe
from frappe import _
from frappe.utils import getdate, nowdate

from fiber_onboarding.adapters import bank_registration
from fiber_onboarding.adapters.banks.inter_webhook import ReplayGuard, parse_inter_callback
from fiber_onboarding.core.bankapi import BankApiError
from fiber_onboarding.core.process import BoletoStatus
from fiber_onboarding.fiber_billing.boleto_service.finance_exceptions import raise_finance_exception
from fiber_onboarding.fiber_billing.boleto_service.payment import mark_paid, payment_problem
from fiber_onboarding.fiber_billing.boleto_service.shared import BOLETO, OPEN_STATUSES, lock_boleto, money

NOTICE = "Fiber Bank Notice"
SOURCE = "Bank API"
POLLED_STATUSES = (*OPEN_STATUSES, BoletoStatus.EXPIRED, BoletoStatus.REJECTED)


@contextmanager
def as_system():
	"""Bank notices arrive as Guest: the work they trigger is the system's (restored afterwards)."""
	user = frappe.session.user
	frappe.set_user("Administrator")
	try:
		yield
	finally:
		frappe.set_user(user)


# -- the one path every bank answer takes ----------------------------------------------------------------------
def apply_bank_answer(boleto, result) -> str:
	"""Apply the bank's view of a title (the caller holds the boleto's row lock). Returns the outcome."""
	if getattr(result, "bank_status", ""):
		frappe.db.set_value(BOLETO, boleto.name, "bank_state", result.bank_status, update_modified=False)
	if result.status != "paid":
		return "Unchanged"
	boleto = frappe.get_doc(BOLETO, boleto.name)
	status = boleto.status
	received = money(result.paid_amount) if result.paid_amount is not None else None
	expected = money(boleto.amount)
	paid_on = getdate(result.paid_on or nowdate())
	if received is None and status != BoletoStatus.PAID:
		problem = ("Amount Mismatch", _("The bank reports the title paid without the amount received."))
	else:  # the rule every bank path shares (cancelled boleto or case, paid by hand, amount)
		problem = payment_problem(boleto, status, received, expected)
	if problem is None and status == BoletoStatus.PAID:
		return "Already Paid"
	if problem:
		kind, detail = problem
		if frappe.db.exists("Fiber Finance Exception", {"boleto": boleto.name, "exception_type": kind}):
			return kind  # already told Finance: a second notice of the same payment adds nothing
		raise_finance_exception(
			kind,
			nosso_numero=boleto.nosso_numero,
			boleto=boleto,
			expected_amount=expected,
			received_amount=received or 0,
			credit_date=paid_on,
			detail=f"{detail} ({SOURCE}: {result.message})",
		)
		return kind
	mark_paid(boleto, received, paid_on, paid_on, source=SOURCE)
	boleto.add_comment("Info", _("Paid: confirmed by the bank's API ({0}).").format(result.message))
	return "Paid"


def query_and_apply(name: str, registrar=None) -> str:
	"""Ask the bank about one online boleto and apply its answer (row locked)."""
	lock_boleto(name)
	boleto = frappe.get_doc(BOLETO, name)
	agreement = frappe.get_doc("Fiber Bank Agreement", boleto.bank_agreement)
	own = registrar is None
	registrar = registrar or bank_registration.registrar_for(agreement)
	try:
		result = registrar.query(bank_registration.request_for(boleto), boleto.bank_reference or "")
	finally:
		if own:
			registrar.close()
	return apply_bank_answer(boleto, result)


def poll_bank_payments() -> dict:
	"""Hourly: query the bank about every open boleto registered online; returns {boleto: outcome}."""
	names = frappe.get_all(
		BOLETO,
		filters={
			"registration_channel": bank_registration.BANK_API,
			"status": ("in", POLLED_STATUSES),
			"bank_reference": ("is", "set"),
		},
		fields=["name", "bank_agreement"],
		order_by="bank_agreement, name",
	)
	outcomes, registrars = {}, {}
	try:
		for row in names:
			frappe.db.savepoint("fo_bank_poll")
			try:
				if row.bank_agreement not in registrars:
					agreement = frappe.get_doc("Fiber Bank Agreement", row.bank_agreement)
					registrars[row.bank_agreement] = bank_registration.registrar_for(agreement)
				outcomes[row.name] = query_and_apply(row.name, registrars[row.bank_agreement])
			except BankApiError as e:
				frappe.db.rollback(save_point="fo_bank_poll")
				outcomes[row.name] = "Error"
				frappe.db.set_value(BOLETO, row.name, "api_message", str(e), update_modified=False)
			except Exception:
				frappe.db.rollback(save_point="fo_bank_poll")
				outcomes[row.name] = "Error"
				frappe.log_error(title=f"Bank payment query failed: {row.name}", reference_doctype=BOLETO)
	finally:
		for registrar in registrars.values():
			registrar.close()
	return outcomes


# -- Inter's webhook -------------------------------------------------------------------------------------------
class _NoticeKeys:
	"""The replay guard's memory: one Fiber Bank Notice per idempotency key (unique)."""

	def __init__(self, agreement: str):
		self.agreement = agreement
		self.added: list[str] = []

	def __contains__(self, key) -> bool:
		return bool(frappe.db.exists(NOTICE, {"key": key}))

	def add(self, key):
		doc = frappe.get_doc({"doctype": NOTICE, "key": key, "bank_agreement": self.agreement})
		doc.insert(ignore_permissions=True)
		self.added.append(doc.name)


def receive_inter_notices(agreement_name: str | None, headers, body: bytes, token: str | None) -> int:
	"""Authenticate one webhook call and queue the check of each new notice. Raises ``InterWebhookError``
	(pt-BR) when the call is not Inter's; returns how many notices were new."""
	from fiber_onboarding.adapters.banks.inter_webhook import InterWebhookError

	agreement = None
	if agreement_name and frappe.db.exists("Fiber Bank Agreement", agreement_name):
		agreement = frappe.get_doc("Fiber Bank Agreement", agreement_name)
	secret = agreement.get_password("inter_webhook_secret", raise_exception=False) if agreement else None
	if not agreement or agreement.bank_code != "077" or not secret:
		raise InterWebhookError("auth", "Notificação recusada: token do webhook ausente ou inválido.")
	notices = parse_inter_callback(
		headers,
		body,
		secret,
		token=token,
		require_client_cert=bool(agreement.get("inter_webhook_require_client_cert")),
	)
	store = _NoticeKeys(agreement.name)
	guard, now, fresh = ReplayGuard(store), datetime.now(timezone.utc), []
	for notice in notices:
		try:
			if guard.accept(notice, now):
				fresh.append((notice, store.added[-1]))
		except (frappe.DuplicateEntryError, frappe.UniqueValidationError):
			continue  # the same notice delivered twice at once: the other delivery handles it
	for notice, name in fresh:
		boleto = _boleto_of(agreement.name, notice)
		frappe.db.set_value(
			NOTICE,
			name,
			{
				"boleto": boleto,
				"bank_reference": notice.bank_reference,
				"situacao": notice.situacao,
				"amount": float(notice.amount or 0),
				"channel": notice.channel,
				"occurred_at": notice.occurred_at.replace(tzinfo=None) if notice.occurred_at else None,
				"outcome": "Queued" if boleto else "Unknown Title",
			},
		)
		if boleto:
			frappe.enqueue(
				"fiber_onboarding.fiber_billing.boleto_service.bank_payments.verify_notice",
				queue="short",
				now=bool(frappe.flags.in_test),
				enqueue_after_commit=not frappe.flags.in_test,
				notice=name,
			)
	return len(fresh)


def _boleto_of(agreement: str, notice) -> str | None:
	"""Our boleto of a notice: by Inter's codigoSolicitacao, else by seu número (our sequence) — only ours."""
	name = frappe.db.get_value(
		BOLETO, {"bank_agreement": agreement, "bank_reference": notice.bank_reference}, "name"
	)
	if not name and notice.seu_numero:
		name = frappe.db.get_value(
			BOLETO,
			{
				"bank_agreement": agreement,
				"nosso_numero": notice.seu_numero,
				"bank_reference": ("is", "not set"),
			},
			"name",
		)
	return name


def verify_notice(notice: str) -> str:
	"""Background: the notice only says "ask the bank"; the bank's own answer (over mTLS) is what is applied."""
	doc = frappe.get_doc(NOTICE, notice)
	with as_system():
		try:
			outcome = query_and_apply(doc.boleto)
		except BankApiError as e:  # the hourly poll asks again
			outcome = _("Bank unavailable, the hourly query will check it: {0}").format(str(e))[:140]
	frappe.db.set_value(NOTICE, notice, "outcome", outcome)
	return outcome


# -- write-off (baixa) ---------------------------------------------------------------------------------------
def _note(boleto, **values):
	"""Record on the row and on the caller's document (which the caller may still save)."""
	boleto.update(values)
	frappe.db.set_value(BOLETO, boleto.name, values, update_modified=False)


def send_write_off(boleto, agreement=None) -> str:
	"""Ask the bank to write off an online boleto (expiry, reissue, cancellation); Pending when it fails."""
	if boleto.registration_channel != bank_registration.BANK_API or not (
		boleto.bank_reference or boleto.status == BoletoStatus.REGISTERED or boleto.api_state
	):
		return ""
	agreement = agreement or frappe.get_doc("Fiber Bank Agreement", boleto.bank_agreement)
	try:
		with bank_registration.registrar_for(agreement) as registrar:
			result = registrar.cancel(
				bank_registration.request_for(boleto, "Cancellation"), boleto.bank_reference or ""
			)
	except BankApiError as e:
		if not getattr(e, "retryable", True):  # refused (e.g. never registered): staff read why, no loop
			_note(boleto, bank_write_off="", api_message=str(e))
			boleto.add_comment("Comment", _("The bank refused the write-off: {0}").format(str(e)))
			return "Refused"
		_note(boleto, bank_write_off="Pending", api_message=str(e))
		boleto.add_comment(
			"Comment", _("The bank's write-off failed; it will be sent again: {0}").format(str(e))
		)
		return "Pending"
	_note(boleto, bank_write_off="Sent", api_message=result.message)
	boleto.add_comment("Info", _("Write-off sent to the bank: {0}").format(result.message))
	if result.status == "paid":  # the bank refused the write-off: the title was paid
		apply_bank_answer(boleto, result)
		return "Paid"
	return "Sent"


def retry_write_offs() -> list[str]:
	"""Scheduler (every 5 minutes): send again the write-offs the bank did not take."""
	sent = []
	for name in frappe.get_all(BOLETO, filters={"bank_write_off": "Pending"}, pluck="name"):
		frappe.db.savepoint("fo_write_off")
		try:
			lock_boleto(name)
			if send_write_off(frappe.get_doc(BOLETO, name)) in ("Sent", "Paid"):
				sent.append(name)
		except Exception:
			frappe.db.rollback(save_point="fo_write_off")
			frappe.log_error(title=f"Bank write-off failed: {name}", reference_doctype=BOLETO)
	return sent

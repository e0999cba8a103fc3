"""Online registration through the bank's API (agreements with ``registration_method`` = "Bank API").

- at issue (``register_on_issue``, short timeout): the bank answers with its barcode, linha digitável and Pix
  copia-e-cola; the codes must equal ours (else a Finance Exception and the boleto is not payable), the Pix goes
  onto ``pix_payload`` so the page and the PDF show the QR from the first print;
- the bank is down: the boleto stays Submitted ("being registered", ``api_state`` Waiting Retry) and
  ``retry_due_registrations`` (scheduler, every 5 minutes) tries again with backoff; when it is registered the
  customer gets the "boleto ready" e-mail (once);
- never two registrations for one nosso número: the boleto row is locked during a call, a known bank reference
  is queried before anything is sent, and the adapters read a duplicate/409 answer back instead of resending.

The bank's answer for payments and write-offs is applied by ``bank_payments``; this module only registers.
"""

from functools import partial

import frappe
from frappe import _
from frappe.utils import add_to_date, get_datetime, get_url, getdate, now_datetime, nowdate

from fiber_onboarding.adapters import bank_registration, cnab_files
from fiber_onboarding.adapters.banks.errors import BankDuplicateError, BankValidationError
from fiber_onboarding.core.bankapi import BankApiError
from fiber_onboarding.core.boleto import BoletoError, generate
from fiber_onboarding.core.boleto.banks import BANKS
from fiber_onboarding.core.boleto.codes import format_line
from fiber_onboarding.core.process import BoletoStatus
from fiber_onboarding.fiber_billing.boleto_service.bank_payments import apply_bank_answer
from fiber_onboarding.fiber_billing.boleto_service.finance_exceptions import (
	finance_recipients,
	raise_finance_exception,
	reject_registration,
)
from fiber_onboarding.fiber_billing.boleto_service.shared import (
	BOLETO,
	FINANCE_ROLES,
	BillingError,
	lock_boleto,
)
from fiber_onboarding.permissions import require_roles
from fiber_onboarding.utils.mail import send_once

REGISTERING = "Registering"  # the bank accepted the request and is issuing the title (Inter EM_PROCESSAMENTO)
WAITING = "Waiting Retry"  # the bank did not answer or failed: the job tries again at api_next_retry
ATTENTION = "Needs Attention"  # credentials/certificate/settings refused: staff must fix them (still retried)
REGISTERED = "Registered"
MISMATCH = "Code Mismatch"
RETRY_STATES = (REGISTERING, WAITING, ATTENTION)
BACKOFF_MINUTES = (2, 5, 15, 30, 60, 120, 240)  # after the 1st, 2nd … attempt; then every 240 minutes
ISSUE_TIMEOUT = 5  # seconds the issue waits for the bank (the customer is on the page)


# -- codes before the bank answers -------------------------------------------------------------------------
def title_codes(agreement, account, sequence: int, due_date, amount) -> frappe._dict:
	"""Our nosso número, barcode and linha digitável of a new title. A bank that numbers its own titles and has
	no layout in ``core.boleto`` (Inter, 077, API only) gets its codes from the bank's answer."""
	if account.bank_code not in BANKS and bank_registration.uses_bank_api(agreement):
		return frappe._dict(
			nosso_numero=str(sequence),
			barcode="",
			line_formatted="",
			amount=amount,
			retorno_key=str(sequence),
		)
	try:
		codes = generate(account, sequence, getdate(due_date), amount)
		key = cnab_files.retorno_key(agreement, sequence)  # as the bank's CNAB retorno carries it (core.cnab)
	except (BoletoError, ValueError) as e:
		frappe.throw(_("The boleto could not be generated: {0}").format(str(e)), BillingError)
	return frappe._dict(
		nosso_numero=codes.nosso_numero,
		barcode=codes.barcode,
		line_formatted=codes.line_formatted,
		amount=codes.amount,
		retorno_key=key,
	)


# -- one attempt -------------------------------------------------------------------------------------------
def register_on_issue(boleto, agreement):
	"""Right after the boleto is inserted: register it online (short timeout) when the agreement uses the API."""
	if boleto.registration_channel != bank_registration.BANK_API:
		return boleto
	timeout = min(ISSUE_TIMEOUT, agreement.get("api_timeout") or ISSUE_TIMEOUT)
	attempt(boleto, agreement, timeout=timeout, notify=False)
	if boleto.bank_reference:
		# the bank has the title now: if this transaction is undone, so is the title (and the number is burnt)
		frappe.db.after_rollback.add(
			partial(
				undo_registration,
				agreement.name,
				int(boleto.sequence),
				bank_registration.request_for(boleto, "Cancellation"),
				boleto.bank_reference,
			)
		)
	return boleto


def undo_registration(agreement_name: str, sequence: int, request, bank_reference: str):
	"""After a rollback of the issue that registered a title: keep its nosso número from being given to another
	boleto (the bank knows it) and ask the bank to write the orphan title off."""
	try:
		frappe.db.sql(
			"update `tabFiber Bank Agreement` set next_nosso_numero = greatest(next_nosso_numero, %s) "
			"where name = %s",
			(sequence + 1, agreement_name),
		)
		frappe.db.commit()  # the rollback already happened: only this counter is written
		if not frappe.db.exists("Fiber Bank Agreement", agreement_name):
			return
		agreement = frappe.get_doc("Fiber Bank Agreement", agreement_name)
		with bank_registration.registrar_for(agreement) as registrar:
			registrar.cancel(request, bank_reference)
	except Exception:
		frappe.log_error(title=f"Orphan bank title {bank_reference} of {agreement_name} not written off")


def attempt(boleto, agreement, *, timeout=None, registrar=None, notify: bool = True):
	"""One registration attempt of ``boleto`` (the caller holds its row lock, or has just inserted it)."""
	boleto.api_attempts = (boleto.api_attempts or 0) + 1
	try:
		own = registrar is None
		registrar = registrar or bank_registration.registrar_for(agreement, timeout)
		try:
			result = _ask_bank(registrar, boleto)
		finally:
			if own:
				registrar.close()
	except BankDuplicateError as e:
		return _schedule_retry(boleto, e, ATTENTION)
	except BankValidationError as e:  # the bank refused the title's data: fix it and reissue
		return _reject(boleto, e.message)
	except BankApiError as e:
		state = WAITING if getattr(e, "retryable", True) else ATTENTION
		return _schedule_retry(boleto, e, state)
	except Exception as e:  # a bug or an unreadable setting must not stop the issue: staff see it, retried
		frappe.log_error(title=f"Bank API registration of {boleto.name}", reference_doctype=BOLETO)
		return _schedule_retry(
			boleto, _("Unexpected error talking to the bank ({0}).").format(type(e).__name__), ATTENTION
		)
	return apply_result(boleto, result, notify=notify)


def _ask_bank(registrar, boleto):
	"""Query first when the bank already gave us a reference (an earlier attempt may have reached it)."""
	request = bank_registration.request_for(boleto)
	if boleto.bank_reference:
		known = registrar.query(request, boleto.bank_reference)
		if known.status != "unknown":
			return known
	return registrar.register(request)


def _retry_at(attempts: int, retry_after: int | None = None):
	minutes = BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1]
	seconds = max(minutes * 60, int(retry_after or 0))
	return add_to_date(now_datetime(), seconds=seconds)


def _schedule_retry(boleto, error, state: str):
	if state == ATTENTION and boleto.api_state != ATTENTION:
		_alert_finance(boleto, str(getattr(error, "message", None) or error))
	boleto.api_state = state
	boleto.api_next_retry = _retry_at(boleto.api_attempts, getattr(error, "retry_after", None))
	boleto.api_message = str(getattr(error, "message", None) or error)
	boleto.save(ignore_permissions=True)
	boleto.add_comment(
		"Comment",
		_("Online registration failed (attempt {0}); next attempt at {1}: {2}").format(
			boleto.api_attempts, boleto.api_next_retry, boleto.api_message
		),
	)
	return boleto


def _alert_finance(boleto, message: str) -> bool:
	"""Once a day per agreement: credentials/certificate refused, new boletos cannot be registered."""
	return send_once(
		f"bank-api-attention:{boleto.bank_agreement}:{nowdate()}",
		"fo_bank_api_attention",
		finance_recipients(),
		{
			"agreement": boleto.bank_agreement,
			"boleto": boleto.name,
			"message": message,
			"url": frappe.utils.get_url_to_form("Fiber Bank Agreement", boleto.bank_agreement),
		},
		reference_doctype="Fiber Bank Agreement",
		reference_name=boleto.bank_agreement,
	)


def _reject(boleto, message: str):
	boleto.api_state = ""
	boleto.api_next_retry = None
	boleto.api_message = message
	reject_registration(boleto, message)
	return boleto


# -- the bank's answer ---------------------------------------------------------------------------------------
def code_mismatch(boleto, result) -> list[str]:
	"""Why the bank's codes cannot be printed: the adapter's divergences, and any difference from our stored
	barcode (banks whose layout we compute must give exactly our codes)."""
	problems = list(getattr(result, "problems", ()) or ())
	if boleto.barcode and result.barcode and result.barcode != boleto.barcode:
		problems.append(_("Bank barcode {0} differs from ours {1}.").format(result.barcode, boleto.barcode))
	ours_line = "".join(ch for ch in (boleto.digitable_line or "") if ch.isdigit())
	if ours_line and result.line and result.line != ours_line:
		problems.append(_("Bank linha digitável {0} differs from ours {1}.").format(result.line, ours_line))
	if not result.barcode or not result.line:
		problems.append(_("The bank did not return the barcode and the linha digitável."))
	return problems


def apply_result(boleto, result, notify: bool = True):
	"""Record a registration answer on the boleto (codes, Pix, state); a paid answer goes to the payment path."""
	boleto.bank_reference = result.bank_reference or boleto.bank_reference
	boleto.bank_state = getattr(result, "bank_status", "") or boleto.bank_state
	boleto.api_message = result.message
	if result.status in ("registered", "paid"):
		problems = code_mismatch(boleto, result)
		if problems:
			return _mismatch(boleto, result, problems)
		_store_codes(boleto, result)
		boleto.api_state, boleto.api_next_retry = REGISTERED, None
		if boleto.status in (BoletoStatus.DRAFT, BoletoStatus.SUBMITTED):
			boleto.status = BoletoStatus.REGISTERED
			boleto.registered_on = getdate(nowdate())
		boleto.save(ignore_permissions=True)
		if result.status == "paid":
			apply_bank_answer(boleto, result)
		elif notify:
			notify_ready(boleto)
		return boleto
	if result.status == "rejected":
		return _reject(boleto, result.message)
	if result.status == "cancelled":
		boleto.api_state, boleto.api_next_retry = ATTENTION, None
		boleto.save(ignore_permissions=True)
		boleto.add_comment(
			"Comment", _("The bank reports this title as cancelled: {0}").format(result.message)
		)
		return boleto
	# pending (the bank is issuing it) or unknown: ask again soon
	boleto.api_state = REGISTERING
	boleto.api_next_retry = _retry_at(1)
	boleto.save(ignore_permissions=True)
	return boleto


def _store_codes(boleto, result):
	if result.barcode != (boleto.barcode or ""):  # a bank that numbers its titles (Inter): its codes, checked
		boleto.flags.allow_frozen_change = True
		boleto.barcode = result.barcode
		boleto.digitable_line = format_line(result.line)
	if result.pix_payload:
		boleto.pix_payload = result.pix_payload
	boleto.pix_txid = getattr(result, "pix_txid", "") or boleto.pix_txid
	if result.nosso_numero and result.nosso_numero != boleto.nosso_numero:
		boleto.bank_nosso_numero = result.nosso_numero


def _mismatch(boleto, result, problems: list[str]):
	detail = " ".join(problems)
	boleto.api_state, boleto.api_next_retry = MISMATCH, None
	boleto.api_message = detail
	if boleto.status in (BoletoStatus.DRAFT, BoletoStatus.SUBMITTED):
		boleto.status = BoletoStatus.REJECTED  # not payable: Finance checks the agreement and reissues
		boleto.rejection_reason = _("The bank's codes differ from ours.")
	boleto.save(ignore_permissions=True)
	raise_finance_exception(
		"Rejected Registration",
		nosso_numero=boleto.nosso_numero,
		boleto=boleto,
		expected_amount=boleto.amount,
		detail=_(
			"The bank registered the title with other codes; the boleto is not shown as payable: {0}"
		).format(detail),
	)
	return boleto


def notify_ready(boleto) -> bool:
	"""E-mail the customer, once, that the boleto registered after the issue is ready to pay (with Pix)."""
	case = frappe.get_doc("Fiber Onboarding", boleto.onboarding) if boleto.onboarding else None
	recipients = sorted(
		{r for r in ((case.get("legal_email"), case.get("portal_user")) if case else ()) if r}
	)
	return send_once(
		f"boleto-ready:{boleto.name}",
		"fo_boleto_ready",
		recipients,
		{
			"boleto": boleto.as_dict(),
			"company_name": case.get("company_name") if case else boleto.payer_name,
			"amount": frappe.format(boleto.amount, {"fieldtype": "Currency", "options": "BRL"}),
			"due_date": frappe.format(boleto.due_date, "Date"),
			"url": get_url(f"/boleto?name={boleto.name}"),
		},
		reference_doctype=BOLETO,
		reference_name=boleto.name,
	)


# -- retries ---------------------------------------------------------------------------------------------------
def due_for_retry(now=None) -> list[str]:
	now = get_datetime(now or now_datetime())
	return frappe.get_all(
		BOLETO,
		filters={
			"status": BoletoStatus.SUBMITTED,
			"registration_channel": bank_registration.BANK_API,
			"api_state": ("in", RETRY_STATES),
			"api_next_retry": ("<=", now),
		},
		order_by="api_next_retry asc",
		pluck="name",
	)


def retry_due_registrations(now=None) -> list[str]:
	"""Scheduler (every 5 minutes): one more attempt for each boleto whose next attempt is due."""
	changed = []
	for name in due_for_retry(now):
		frappe.db.savepoint("fo_api_retry")
		try:
			if lock_boleto(name) != BoletoStatus.SUBMITTED:
				continue
			doc = frappe.get_doc(BOLETO, name)
			agreement = frappe.get_doc("Fiber Bank Agreement", doc.bank_agreement)
			attempt(doc, agreement)
			if doc.status != BoletoStatus.SUBMITTED:
				changed.append(name)
		except Exception:
			frappe.db.rollback(save_point="fo_api_retry")
			frappe.log_error(
				title=f"Boleto registration retry failed: {name}",
				reference_doctype=BOLETO,
				reference_name=name,
			)
	return changed


def retry_registration(boleto: str):
	"""Finance: try the online registration of a waiting boleto now (Actions → Retry Registration)."""
	require_roles(FINANCE_ROLES)
	status = lock_boleto(boleto)
	doc = frappe.get_doc(BOLETO, boleto)
	if status != BoletoStatus.SUBMITTED or doc.registration_channel != bank_registration.BANK_API:
		frappe.throw(
			_("Only a boleto waiting for its online registration can be registered again."), BillingError
		)
	agreement = frappe.get_doc("Fiber Bank Agreement", doc.bank_agreement)
	return attempt(doc, agreement)

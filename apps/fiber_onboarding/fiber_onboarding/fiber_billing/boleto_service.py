"""Boleto life cycle for the setup fee: issue, remittance, bank return, manual payment, reissue, expiry.

The arithmetic (barcode, linha digitável, CNAB 240 files) is the core's (``core.boleto``, ``core.cnab240``);
ERPNext documents go through ``adapters.erpnext_accounting``. Controllers and the whitelisted API call the
functions here; the whitelisted wrappers check permissions first (see ``fiber_onboarding.api.boleto``).

Paying is idempotent twice over: a return file with the same SHA-256 is refused (``CNAB Retorno.file_hash`` is
unique) and a boleto already Paid is skipped under a row lock, so the same payment inside another file never
creates a second Payment Entry.
"""

from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import add_days, add_to_date, flt, get_datetime, get_url, getdate, now_datetime, nowdate

from fiber_onboarding.adapters import bank_registration
from fiber_onboarding.adapters import erpnext_accounting as accounting
from fiber_onboarding.adapters.cnab_files import bank_account_of
from fiber_onboarding.core.boleto import BoletoError, generate
from fiber_onboarding.core.boleto.banks import get_bank
from fiber_onboarding.fiber_billing.doctype.fiber_bank_agreement.fiber_bank_agreement import (
	allocate_nosso_numero,
	lock_agreement,
	next_remessa_sequence,
)
from fiber_onboarding.permissions import require_roles
from fiber_onboarding.utils.mail import send_once, staff_recipients

SETTINGS = "Fiber Onboarding Settings"
BOLETO = "Fiber Boleto"
FINANCE_ROLES = ("Fiber Finance", "System Manager")
DEFAULT_EXPIRY_GRACE_DAYS = 10
OPEN_STATUSES = ("Submitted", "Registered")
CENT = Decimal("0.01")


class BillingError(frappe.ValidationError):
	pass


class NothingToSendError(BillingError):
	pass


class AlreadyPaidError(BillingError):
	pass


def money(value) -> Decimal:
	"""A Currency field value (float from the database) as an exact Decimal with two places."""
	return Decimal(str(flt(value, 2))).quantize(CENT)


def settings():
	return frappe.get_single(SETTINGS)


def _agreement(name: str | None = None):
	name = name or settings().bank_agreement
	if not name:
		frappe.throw(_("Set the bank agreement in Fiber Onboarding Settings first."), BillingError)
	agreement = frappe.get_doc("Fiber Bank Agreement", name)
	if not agreement.is_active:
		frappe.throw(_("Bank agreement {0} is not active.").format(name), BillingError)
	return agreement


def _lock_boleto(name: str) -> str:
	"""Lock the boleto row for the rest of the transaction and return its stored status."""
	rows = frappe.db.sql(f"select status from `tab{BOLETO}` where name=%s for update", (name,))
	if not rows:
		frappe.throw(_("Boleto {0} not found.").format(name), BillingError)
	return rows[0][0]


# ---------------------------------------------------------------------------------------------------------------
# Issue
# ---------------------------------------------------------------------------------------------------------------


def _payer_address(case) -> str:
	street = ", ".join(p for p in (case.get("address_line1"), case.get("address_number")) if p)
	parts = [street, case.get("address_line2"), case.get("neighborhood")]
	city = " / ".join(p for p in (case.get("city"), case.get("state")) if p)
	cep = case.get("cep") or ""
	if len(cep) == 8:
		cep = f"{cep[:5]}-{cep[5:]}"
	return " - ".join(p for p in [*parts, city, cep] if p)


def _create_boleto(
	agreement, *, customer, onboarding, invoice, amount: Decimal, due_date, payer: dict, **extra
):
	"""Allocate a nosso número, compute the codes with the core and insert the boleto as Submitted."""
	sequence = allocate_nosso_numero(agreement.name)
	account = bank_account_of(agreement)
	try:
		codes = generate(account, sequence, getdate(due_date), amount)
		try:
			retorno_key = get_bank(account.bank_code).retorno_key(account, sequence)
		except BoletoError:  # bank without CNAB 240 support: the printed number is the key
			retorno_key = codes.nosso_numero
	except BoletoError as e:
		frappe.throw(_("The boleto could not be generated: {0}").format(str(e)), BillingError)

	boleto = frappe.get_doc(
		{
			"doctype": BOLETO,
			"status": "Submitted",
			"customer": customer,
			"onboarding": onboarding,
			"sales_invoice": invoice,
			"bank_agreement": agreement.name,
			"company": agreement.company,
			"bank_code": agreement.bank_code,
			"sequence": sequence,
			"nosso_numero": codes.nosso_numero,
			"retorno_key": retorno_key,
			"document_number": invoice,
			"issue_date": nowdate(),
			"due_date": getdate(due_date),
			"amount": float(codes.amount),
			"barcode": codes.barcode,
			"digitable_line": codes.line_formatted,
			"registration_channel": (
				bank_registration.BANK_API if bank_registration.uses_bank_api(agreement) else "CNAB File"
			),
			**payer,
			**extra,
		}
	)
	boleto.insert(ignore_permissions=True)
	if boleto.registration_channel == bank_registration.BANK_API:
		apply_registration(boleto, bank_registration.register(boleto, agreement))
	return boleto


def apply_registration(boleto, result):
	"""Record a bank API answer on the boleto (the bank is the truth for codes, Pix and registration)."""
	if result is None:
		return boleto
	from fiber_onboarding.core.boleto.codes import format_line

	if result.barcode and result.barcode != boleto.barcode:
		boleto.flags.allow_frozen_change = True
		boleto.barcode = result.barcode
		boleto.digitable_line = format_line(result.line) if result.line else boleto.digitable_line
		boleto.add_comment("Info", _("The bank returned other codes for this boleto; they replace ours."))
	if result.bank_reference:
		boleto.bank_reference = result.bank_reference
	if result.pix_payload:
		boleto.pix_payload = result.pix_payload
	if result.status == "registered" and boleto.status in ("Draft", "Submitted"):
		boleto.status = "Registered"
		boleto.registered_on = getdate(nowdate())
	elif result.status == "rejected" and boleto.status in ("Draft", "Submitted"):
		boleto.status = "Rejected"
		boleto.rejection_reason = result.message
	elif result.status == "cancelled" and boleto.status != "Paid":
		boleto.status = "Cancelled"
		boleto.cancel_reason = boleto.cancel_reason or result.message
	boleto.save(ignore_permissions=True)
	if boleto.status == "Rejected" and result.status == "rejected":
		raise_finance_exception(
			"Rejected Registration",
			nosso_numero=boleto.nosso_numero,
			boleto=boleto,
			expected_amount=boleto.amount,
			detail=_("The bank rejected the registration: {0}").format(result.message or "-"),
		)
	return boleto


def retry_registration(boleto: str):
	"""Finance: register again online a boleto whose bank API call failed (it is still waiting)."""
	require_roles(FINANCE_ROLES)
	status = _lock_boleto(boleto)
	doc = frappe.get_doc(BOLETO, boleto)
	if status != "Submitted" or doc.registration_channel != bank_registration.BANK_API:
		frappe.throw(
			_("Only a boleto waiting for its online registration can be registered again."), BillingError
		)
	agreement = _agreement(doc.bank_agreement)
	return apply_registration(doc, bank_registration.register(doc, agreement))


def sync_bank_registrations() -> list[str]:
	"""Ask the bank API about every boleto still waiting for its online registration (for a scheduler job)."""
	changed = []
	names = frappe.get_all(
		BOLETO,
		filters={"status": "Submitted", "registration_channel": bank_registration.BANK_API},
		pluck="name",
	)
	for name in names:
		frappe.db.savepoint("fo_sync_boleto")
		try:
			doc = frappe.get_doc(BOLETO, name)
			agreement = frappe.get_doc("Fiber Bank Agreement", doc.bank_agreement)
			if not bank_registration.uses_bank_api(agreement):
				continue
			before = doc.status
			apply_registration(doc, bank_registration.query(doc, agreement))
			if doc.status != before:
				changed.append(name)
		except Exception:
			frappe.db.rollback(save_point="fo_sync_boleto")
			frappe.log_error(
				title=f"Boleto registration sync failed: {name}",
				reference_doctype=BOLETO,
				reference_name=name,
			)
	return changed


def issue_boleto(onboarding):
	"""Invoice and boleto for the setup fee of a registered case (idempotent: an open boleto is returned)."""
	case = frappe.get_doc("Fiber Onboarding", onboarding) if isinstance(onboarding, str) else onboarding
	if case.get("boleto"):
		current = frappe.get_doc(BOLETO, case.boleto)
		if current.status not in ("Cancelled", "Expired", "Rejected"):
			return current

	agreement = _agreement()
	s = settings()
	due_date = add_days(getdate(nowdate()), int(s.boleto_due_days or 5))
	invoice = accounting.create_setup_invoice(case, due_date=due_date)
	amount = accounting.invoice_outstanding(invoice)
	if amount <= 0:
		frappe.throw(_("Invoice {0} has nothing outstanding.").format(invoice), BillingError)

	boleto = _create_boleto(
		agreement,
		customer=case.customer,
		onboarding=case.name,
		invoice=invoice,
		amount=amount,
		due_date=due_date,
		payer={
			"payer_name": case.get("company_name") or case.customer,
			"payer_tax_id": case.get("cnpj"),
			"payer_address": _payer_address(case),
		},
	)
	send_boleto_email(boleto, case)
	return boleto


def boleto_url(boleto_name: str) -> str:
	return get_url(f"/boleto?name={boleto_name}")


def send_boleto_email(boleto, case=None):
	case = case or (frappe.get_doc("Fiber Onboarding", boleto.onboarding) if boleto.onboarding else None)
	recipients = [
		r
		for r in ((case.get("legal_email") if case else None), (case.get("portal_user") if case else None))
		if r
	]
	if not recipients:
		return False
	return send_once(
		f"boleto:{boleto.name}",
		"fo_boleto",
		sorted(set(recipients)),
		{
			"boleto": boleto.as_dict(),
			"company_name": case.get("company_name") if case else boleto.payer_name,
			"amount": frappe.format(boleto.amount, {"fieldtype": "Currency", "options": "BRL"}),
			"due_date": frappe.format(boleto.due_date, "Date"),
			"url": boleto_url(boleto.name),
			"reissued": bool(boleto.reissued_from),
		},
		reference_doctype=BOLETO,
		reference_name=boleto.name,
		# rendered when the queue sends the e-mail (print format "Boleto", the same layout as the portal page)
		attachments=[
			{"print_format_attachment": 1, "doctype": BOLETO, "name": boleto.name, "print_format": "Boleto"}
		],
	)


# ---------------------------------------------------------------------------------------------------------------
# Remittance (remessa)
# ---------------------------------------------------------------------------------------------------------------


def pending_for_remessa(agreement: str) -> list[tuple[str, str]]:
	"""(boleto, movement) pairs not yet sent: new registrations, and cancellations of registered boletos.

	Locking reads (``FOR UPDATE``): they see the latest committed rows, not the transaction's snapshot, so a
	remittance built right after another one never repeats its boletos.
	"""
	rows = frappe.db.sql(
		f"""select name, status from `tab{BOLETO}`
		where bank_agreement = %(agreement)s and (
			(status = 'Submitted' and ifnull(remessa, '') = ''
				and ifnull(registration_channel, '') != %(api)s)
			or (status = 'Cancelled' and ifnull(remessa, '') != '' and registered_on is not null
				and ifnull(cancellation_remessa, '') = '')
		)
		order by creation asc
		for update""",
		{"agreement": agreement, "api": bank_registration.BANK_API},
		as_dict=True,
	)
	new = [(r.name, "Registration") for r in rows if r.status == "Submitted"]
	cancel = [(r.name, "Cancellation") for r in rows if r.status == "Cancelled"]
	return new + cancel


def build_remessa_file(agreement):
	"""A CNAB Remessa with every boleto not yet sent, under the agreement's next file sequence."""
	from fiber_onboarding.adapters import cnab_files

	agreement = _agreement(agreement if isinstance(agreement, str) else agreement.name)
	# lock first, then read what is pending: two simultaneous "Generate" never put a boleto in two files
	lock_agreement(agreement.name)
	pending = pending_for_remessa(agreement.name)
	if not pending:
		frappe.throw(_("There is no boleto waiting to be sent to the bank."), NothingToSendError)

	boletos = [(frappe.get_doc(BOLETO, name), movement) for name, movement in pending]
	sequence = next_remessa_sequence(agreement.name)
	generated_at = now_datetime()
	text = cnab_files.remessa_text(agreement, boletos, sequence, generated_at)

	remessa = frappe.get_doc(
		{
			"doctype": "CNAB Remessa",
			"bank_agreement": agreement.name,
			"company": agreement.company,
			"status": "Generated",
			"sequence": sequence,
			"generated_at": generated_at,
			"item_count": len(boletos),
			"total_amount": float(
				sum((money(b.amount) for b, m in boletos if m == "Registration"), Decimal(0))
			),
			"items": [
				{
					"boleto": b.name,
					"movement": movement,
					"nosso_numero": b.nosso_numero,
					"amount": b.amount,
					"due_date": b.due_date,
				}
				for b, movement in boletos
			],
		}
	)
	remessa.insert(ignore_permissions=True)
	file_doc = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": cnab_files.remessa_file_name(agreement, sequence, generated_at),
			"content": text.encode("latin-1", errors="replace"),
			"is_private": 1,
			"attached_to_doctype": "CNAB Remessa",
			"attached_to_name": remessa.name,
			"attached_to_field": "file",
		}
	)
	file_doc.insert(ignore_permissions=True)
	remessa.db_set("file", file_doc.file_url)
	for boleto, movement in boletos:
		boleto.db_set("cancellation_remessa" if movement == "Cancellation" else "remessa", remessa.name)
	return remessa


# ---------------------------------------------------------------------------------------------------------------
# Bank return (retorno)
# ---------------------------------------------------------------------------------------------------------------


def decode_cnab(content: bytes | str) -> str:
	if isinstance(content, str):
		return content
	try:
		return content.decode("utf-8")
	except UnicodeDecodeError:
		return content.decode("latin-1")


def import_retorno(content: bytes | str, filename: str):
	"""Store the return file (refused when the same file was imported before) and apply it in the background."""
	data = content.encode("utf-8") if isinstance(content, str) else content
	from fiber_onboarding.fiber_billing.doctype.cnab_retorno.cnab_retorno import file_hash

	retorno = frappe.get_doc(
		{"doctype": "CNAB Retorno", "status": "Pending", "file_name": filename, "file_hash": file_hash(data)}
	)
	retorno.validate_unique_file()  # before writing the file anywhere
	file_doc = frappe.get_doc({"doctype": "File", "file_name": filename, "content": data, "is_private": 1})
	file_doc.insert(ignore_permissions=True)
	retorno.file = file_doc.file_url
	retorno.insert(ignore_permissions=True)
	file_doc.db_set(
		{"attached_to_doctype": "CNAB Retorno", "attached_to_name": retorno.name, "attached_to_field": "file"}
	)
	start_import(retorno)
	return frappe.get_doc("CNAB Retorno", retorno.name)


def start_import(retorno):
	"""Queue the import of a stored CNAB Retorno (runs inline in tests)."""
	name = retorno if isinstance(retorno, str) else retorno.name
	status, modified = frappe.db.get_value("CNAB Retorno", name, ["status", "modified"])
	# a job lost by the queue (never started, or its worker died) may be queued again after a while
	stale = status in ("Queued", "Processing") and get_datetime(modified) < add_to_date(
		now_datetime(), minutes=-30
	)
	if status == "Processed" or (status in ("Queued", "Processing") and not stale):
		frappe.throw(_("Return {0} is already {1}.").format(name, _(status)), BillingError)
	frappe.db.set_value("CNAB Retorno", name, "status", "Queued")
	frappe.enqueue(
		"fiber_onboarding.fiber_billing.boleto_service.process_retorno",
		queue="long",
		timeout=1800,
		now=bool(frappe.flags.in_test),
		enqueue_after_commit=not frappe.flags.in_test,
		job_id=f"cnab-retorno::{name}",
		deduplicate=True,
		retorno=name,
		user=frappe.session.user,
	)


def _progress(retorno, done: int, total: int, user: str | None):
	if total:
		frappe.publish_progress(
			done * 100 / total,
			title=_("Importing bank return"),
			doctype="CNAB Retorno",
			docname=retorno,
			description=_("{0} of {1} lines").format(done, total),
		)


def process_retorno(retorno: str, user: str | None = None):
	"""Parse the whole file first; nothing is applied unless every line parses. Then apply item by item."""
	from fiber_onboarding.adapters import cnab_files

	doc = frappe.get_doc("CNAB Retorno", retorno)
	if doc.status == "Processed":
		return doc
	doc.db_set({"status": "Processing", "error_message": None, "error_line": 0, "error_column": 0})

	from fiber_onboarding.fiber_billing.doctype.cnab_retorno.cnab_retorno import read_attachment

	text = decode_cnab(read_attachment(doc.file))
	parsed, error = cnab_files.parse(text)
	if error:
		doc.db_set(
			{
				"status": "Failed",
				"error_message": _("Line {0}, column {1}: {2}").format(
					error.line, error.column, error.message
				),
				"error_line": error.line,
				"error_column": error.column,
			}
		)
		return doc

	agreement = cnab_files.agreement_for(parsed)
	doc.update(
		{
			"bank_code": parsed.bank_code,
			"bank_agreement": agreement,
			"file_sequence": parsed.file_sequence,
			"generated_on": parsed.generated_on,
		}
	)
	counts = dict.fromkeys(
		("registered_count", "rejected_count", "paid_count", "skipped_count", "exception_count"), 0
	)
	doc.set("rows", [])
	total = len(parsed.items)
	# all or nothing: an unexpected error on any line undoes every line of this file
	frappe.db.savepoint("fo_retorno")
	try:
		counts = _apply_items(doc, agreement, parsed.items, counts, user)
	except Exception as e:
		frappe.db.rollback(save_point="fo_retorno")
		frappe.log_error(
			title=f"CNAB Retorno {doc.name}", reference_doctype="CNAB Retorno", reference_name=doc.name
		)
		doc.reload()
		doc.db_set({"status": "Failed", "error_message": _("Nothing was applied: {0}").format(str(e))})
		return doc

	doc.update(counts)
	doc.total_items = total
	doc.status = "Processed"
	doc.imported_at = now_datetime()
	doc.flags.ignore_permissions = True
	doc.save()
	return doc


def _apply_items(doc, agreement, items, counts: dict, user: str | None) -> dict:
	total = len(items)
	for i, item in enumerate(items, 1):
		row = apply_item(doc, agreement, item)
		doc.append("rows", row)
		outcome = row["outcome"]
		if outcome == "Registered":
			counts["registered_count"] += 1
		elif outcome == "Rejected":
			counts["rejected_count"] += 1
		elif outcome == "Paid":
			counts["paid_count"] += 1
		elif outcome in ("Already Paid", "Ignored"):
			counts["skipped_count"] += 1
		if row.get("finance_exception"):
			counts["exception_count"] += 1
		if i % 20 == 0 or i == total:
			_progress(doc.name, i, total, user)
	return counts


def _find_boleto(agreement: str | None, bank_code: str, item) -> str | None:
	filters = {"retorno_key": item.nosso_numero}
	if agreement:
		filters["bank_agreement"] = agreement
	else:
		filters["bank_code"] = bank_code
	name = frappe.db.get_value(BOLETO, filters, "name")
	if not name and agreement:
		name = frappe.db.get_value(
			BOLETO, {"bank_agreement": agreement, "nosso_numero": item.nosso_numero}, "name"
		)
	return name


def _row(item, **values) -> dict:
	row = {
		"line_number": item.line_number,
		"nosso_numero": item.nosso_numero,
		"occurrence_code": item.occurrence_code,
		"bank_status": item.status,
		"amount_title": float(item.amount_title or 0),
		"amount_paid": float(item.amount_paid or 0),
		"fees": float(item.fees or 0),
		"credit_date": item.credit_date,
		"payment_date": item.payment_date,
	}
	row.update(values)
	return row


def apply_item(retorno, agreement: str | None, item) -> dict:
	name = _find_boleto(agreement, retorno.bank_code, item)
	if not name:
		if item.status in ("paid",):
			exc = raise_finance_exception(
				"Unknown Nosso Número",
				retorno=retorno.name,
				line_number=item.line_number,
				nosso_numero=item.nosso_numero,
				received_amount=item.amount_paid,
				credit_date=item.credit_date,
				detail=_("The bank reports a payment for a nosso número we did not issue."),
			)
			return _row(item, outcome="Unknown Nosso Número", finance_exception=exc)
		return _row(item, outcome="Ignored", detail=_("Nosso número not issued by us."))

	status = _lock_boleto(name)
	boleto = frappe.get_doc(BOLETO, name)
	if item.status == "registered":
		return _apply_registered(retorno, boleto, status, item)
	if item.status == "rejected":
		return _apply_rejected(retorno, boleto, status, item)
	if item.status == "paid":
		return _apply_paid(retorno, boleto, status, item)
	if item.status == "cancelled":
		return _apply_cancelled(boleto, status, item)
	return _row(item, boleto=name, outcome="Ignored", detail=item.reason or None)


def _apply_registered(retorno, boleto, status, item) -> dict:
	if status not in ("Draft", "Submitted", "Rejected"):
		return _row(item, boleto=boleto.name, outcome="Ignored", detail=_("Already {0}.").format(_(status)))
	boleto.status = "Registered"
	boleto.registered_on = retorno.generated_on or item.payment_date or getdate(nowdate())
	boleto.rejection_reason = None
	boleto.save(ignore_permissions=True)
	return _row(item, boleto=boleto.name, outcome="Registered")


def _apply_rejected(retorno, boleto, status, item) -> dict:
	if status not in ("Draft", "Submitted"):
		return _row(item, boleto=boleto.name, outcome="Ignored", detail=_("Already {0}.").format(_(status)))
	boleto.status = "Rejected"
	boleto.rejection_reason = item.reason or item.occurrence_code
	boleto.save(ignore_permissions=True)
	exc = raise_finance_exception(
		"Rejected Registration",
		retorno=retorno.name,
		line_number=item.line_number,
		nosso_numero=boleto.nosso_numero,
		boleto=boleto,
		expected_amount=boleto.amount,
		detail=_("The bank rejected the registration: {0}").format(boleto.rejection_reason or "-"),
	)
	return _row(
		item, boleto=boleto.name, outcome="Rejected", finance_exception=exc, detail=boleto.rejection_reason
	)


def _apply_paid(retorno, boleto, status, item) -> dict:
	if status == "Paid":
		return _row(item, boleto=boleto.name, outcome="Already Paid", payment_entry=boleto.payment_entry)
	received = money(item.amount_paid or 0)
	expected = money(boleto.amount)
	credit_date = item.credit_date or item.payment_date or getdate(nowdate())
	if status == "Cancelled":
		problem = ("Cancelled Boleto Paid", _("The bank reports a payment for a cancelled boleto."))
	elif received != expected:
		problem = ("Amount Mismatch", _("Paid {0}, expected {1}.").format(received, expected))
	else:
		problem = None
	if problem:
		kind, detail = problem
		exc = raise_finance_exception(
			kind,
			retorno=retorno.name,
			line_number=item.line_number,
			nosso_numero=boleto.nosso_numero,
			boleto=boleto,
			expected_amount=expected,
			received_amount=received,
			credit_date=credit_date,
			detail=detail,
		)
		return _row(item, boleto=boleto.name, outcome=kind, finance_exception=exc)

	_mark_paid(boleto, received, item.payment_date or credit_date, credit_date, source="Bank Return")
	return _row(item, boleto=boleto.name, outcome="Paid", payment_entry=boleto.payment_entry)


def _apply_cancelled(boleto, status, item) -> dict:
	if status in ("Paid", "Cancelled"):
		return _row(item, boleto=boleto.name, outcome="Ignored", detail=_("Already {0}.").format(_(status)))
	boleto.status = "Cancelled"
	boleto.cancel_reason = item.reason or _("Cancelled by the bank")
	boleto.save(ignore_permissions=True)
	return _row(item, boleto=boleto.name, outcome="Cancelled")


def _mark_paid(boleto, amount: Decimal, paid_on, credit_date, source: str):
	payment_entry = accounting.create_payment_entry(boleto, amount, credit_date)
	boleto.status = "Paid"
	boleto.paid_amount = float(amount)
	boleto.paid_on = getdate(paid_on)
	boleto.credit_date = getdate(credit_date)
	boleto.payment_entry = payment_entry
	boleto.payment_source = source
	# the case hears it (case_events): it records the payment date and releases the project
	boleto.save(ignore_permissions=True)


def raise_finance_exception(exception_type: str, *, boleto=None, **values) -> str:
	doc = frappe.get_doc(
		{
			"doctype": "Fiber Finance Exception",
			"exception_type": exception_type,
			"status": "Open",
			"boleto": boleto.name if boleto else None,
			"customer": boleto.customer if boleto else None,
			"onboarding": boleto.onboarding if boleto else None,
			**{k: (float(v) if isinstance(v, Decimal) else v) for k, v in values.items()},
		}
	)
	doc.insert(ignore_permissions=True)
	notify_finance(doc)
	return doc.name


def finance_recipients() -> list[str]:
	email = frappe.db.get_single_value(SETTINGS, "finance_email")
	return [email] if email else staff_recipients("Fiber Finance")


def notify_finance(exception):
	send_once(
		f"finance-exception:{exception.name}",
		"fo_finance_exception",
		finance_recipients(),
		{
			"exception": exception.as_dict(),
			"exception_type": _(exception.exception_type),
			"expected": frappe.format(exception.expected_amount, {"fieldtype": "Currency", "options": "BRL"}),
			"received": frappe.format(exception.received_amount, {"fieldtype": "Currency", "options": "BRL"}),
			"url": frappe.utils.get_url_to_form("Fiber Finance Exception", exception.name),
		},
		reference_doctype="Fiber Finance Exception",
		reference_name=exception.name,
	)


# ---------------------------------------------------------------------------------------------------------------
# Finance actions
# ---------------------------------------------------------------------------------------------------------------


def mark_paid_manually(boleto: str, amount, paid_on, credit_date=None):
	"""Finance confirms a payment seen on the bank statement (same effects as a bank return)."""
	require_roles(FINANCE_ROLES)
	status = _lock_boleto(boleto)
	if status == "Paid":
		frappe.throw(_("Boleto {0} is already paid.").format(boleto), AlreadyPaidError)
	if status in ("Cancelled", "Draft"):
		frappe.throw(_("A {0} boleto cannot be marked as paid.").format(_(status)), BillingError)
	doc = frappe.get_doc(BOLETO, boleto)
	amount = Decimal(str(amount)).quantize(CENT)
	if amount != money(doc.amount):
		frappe.throw(
			_("The amount {0} differs from the boleto amount {1}.").format(amount, money(doc.amount)),
			BillingError,
		)
	paid_on = getdate(paid_on)
	if paid_on > getdate(nowdate()):
		frappe.throw(_("The payment date cannot be in the future."), BillingError)
	_mark_paid(doc, amount, paid_on, getdate(credit_date or paid_on), source="Manual")
	doc.add_comment("Info", _("Marked as paid manually by {0}").format(frappe.session.user))
	return doc


def accept_overpayment(exception: str, resolution: str | None = None):
	"""Finance accepts a bank payment above the boleto amount (e.g. paid late with fine and interest): the whole
	amount is received, the invoice is settled and the excess stays as the customer's unallocated credit."""
	require_roles(FINANCE_ROLES)
	exc = frappe.get_doc("Fiber Finance Exception", exception)
	received, expected = money(exc.received_amount), money(exc.expected_amount)
	if (
		exc.exception_type != "Amount Mismatch"
		or exc.status != "Open"
		or not exc.boleto
		or received <= expected
	):
		frappe.throw(
			_("Only an open amount mismatch with more than the boleto amount received can be accepted."),
			BillingError,
		)
	status = _lock_boleto(exc.boleto)
	if status == "Paid":
		frappe.throw(_("Boleto {0} is already paid.").format(exc.boleto), AlreadyPaidError)
	if status in ("Cancelled", "Draft"):
		frappe.throw(_("A {0} boleto cannot be marked as paid.").format(_(status)), BillingError)
	boleto = frappe.get_doc(BOLETO, exc.boleto)
	credit_date = getdate(exc.credit_date or nowdate())
	_mark_paid(boleto, received, credit_date, credit_date, source="Bank Return")
	exc.status = "Resolved"
	exc.resolution = resolution or _(
		"Payment of {0} accepted; {1} above the boleto stays as customer credit."
	).format(received, received - expected)
	exc.save(ignore_permissions=True)
	return boleto


def reissue(boleto: str, new_due_date):
	"""Replace an expired (or rejected) unpaid boleto: old one Cancelled, new one linked, invoice due date moved."""
	require_roles(FINANCE_ROLES)
	status = _lock_boleto(boleto)
	if status not in ("Expired", "Rejected"):
		frappe.throw(
			_("Only an expired or rejected boleto can be reissued (this one is {0}).").format(_(status)),
			BillingError,
		)
	old = frappe.get_doc(BOLETO, boleto)
	new_due_date = getdate(new_due_date)
	if new_due_date < getdate(nowdate()):
		frappe.throw(_("The new due date cannot be in the past."), BillingError)
	amount = accounting.invoice_outstanding(old.sales_invoice) if old.sales_invoice else money(old.amount)
	if amount <= 0:
		frappe.throw(_("Invoice {0} has nothing outstanding.").format(old.sales_invoice), BillingError)

	agreement = _agreement(old.bank_agreement)
	new = _create_boleto(
		agreement,
		customer=old.customer,
		onboarding=old.onboarding,
		invoice=old.sales_invoice,
		amount=amount,
		due_date=new_due_date,
		payer={
			"payer_name": old.payer_name,
			"payer_tax_id": old.payer_tax_id,
			"payer_address": old.payer_address,
		},
		reissued_from=old.name,
	)
	if old.registration_channel == bank_registration.BANK_API and old.status == "Expired":
		bank_registration.cancel(old, agreement)  # registered online: the write-off goes online too
	old.status = "Cancelled"
	old.reissued_by = new.name
	old.cancel_reason = _("Reissued as {0}").format(new.name)
	old.save(ignore_permissions=True)
	if old.sales_invoice:
		accounting.set_invoice_due_date(old.sales_invoice, new_due_date)
	send_boleto_email(new)
	return new


def expiry_grace_days() -> int:
	meta = frappe.get_meta(SETTINGS)
	if meta.has_field("boleto_expiry_grace_days"):
		value = frappe.db.get_single_value(SETTINGS, "boleto_expiry_grace_days")
		if value:
			return int(value)
	return DEFAULT_EXPIRY_GRACE_DAYS


def expire_overdue(today=None) -> list[str]:
	"""Daily: Submitted/Registered boletos past their due date by more than the grace days become Expired."""
	limit = add_days(getdate(today or nowdate()), -expiry_grace_days())
	names = frappe.get_all(
		BOLETO, filters={"status": ("in", OPEN_STATUSES), "due_date": ("<", limit)}, pluck="name"
	)
	expired = []
	for name in names:
		# one broken boleto never stops the others: its change is undone and logged
		frappe.db.savepoint("fo_expire_boleto")
		try:
			if _lock_boleto(name) not in OPEN_STATUSES:
				continue
			doc = frappe.get_doc(BOLETO, name)
			doc.status = "Expired"
			doc.save(ignore_permissions=True)
			expired.append(name)
		except Exception:
			frappe.db.rollback(save_point="fo_expire_boleto")
			frappe.log_error(
				title=f"Boleto expiry failed: {name}", reference_doctype=BOLETO, reference_name=name
			)
	return expired

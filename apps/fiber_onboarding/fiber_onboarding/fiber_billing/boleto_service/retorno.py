"""Step 3 from the bank: the return file (retorno). Stored once (same SHA-256 refused), parsed whole before
anything is applied, then applied item by item in a background job (all or nothing): registrations, rejections,
cancellations and payments; money that cannot be applied becomes a Finance Exception."""

import frappe
from frappe import _
from frappe.utils import add_to_date, get_datetime, getdate, now_datetime, nowdate

from fiber_onboarding.adapters import cnab_files
from fiber_onboarding.core.process import BoletoStatus
from fiber_onboarding.fiber_billing.boleto_service.finance_exceptions import raise_finance_exception
from fiber_onboarding.fiber_billing.boleto_service.payment import mark_paid
from fiber_onboarding.fiber_billing.boleto_service.shared import BOLETO, BillingError, lock_boleto, money


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
		"fiber_onboarding.fiber_billing.boleto_service.retorno.process_retorno",
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

	status = lock_boleto(name)
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
	if status not in (BoletoStatus.DRAFT, BoletoStatus.SUBMITTED, BoletoStatus.REJECTED):
		return _row(item, boleto=boleto.name, outcome="Ignored", detail=_("Already {0}.").format(_(status)))
	boleto.status = BoletoStatus.REGISTERED
	boleto.registered_on = retorno.generated_on or item.payment_date or getdate(nowdate())
	boleto.rejection_reason = None
	boleto.save(ignore_permissions=True)
	return _row(item, boleto=boleto.name, outcome="Registered")


def _apply_rejected(retorno, boleto, status, item) -> dict:
	if status not in (BoletoStatus.DRAFT, BoletoStatus.SUBMITTED):
		return _row(item, boleto=boleto.name, outcome="Ignored", detail=_("Already {0}.").format(_(status)))
	boleto.status = BoletoStatus.REJECTED
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
	if status == BoletoStatus.PAID:
		return _row(item, boleto=boleto.name, outcome="Already Paid", payment_entry=boleto.payment_entry)
	received = money(item.amount_paid or 0)
	expected = money(boleto.amount)
	credit_date = item.credit_date or item.payment_date or getdate(nowdate())
	if status == BoletoStatus.CANCELLED:
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

	mark_paid(boleto, received, item.payment_date or credit_date, credit_date, source="Bank Return")
	return _row(item, boleto=boleto.name, outcome="Paid", payment_entry=boleto.payment_entry)


def _apply_cancelled(boleto, status, item) -> dict:
	if status in (BoletoStatus.PAID, BoletoStatus.CANCELLED):
		return _row(item, boleto=boleto.name, outcome="Ignored", detail=_("Already {0}.").format(_(status)))
	boleto.status = BoletoStatus.CANCELLED
	boleto.cancel_reason = item.reason or _("Cancelled by the bank")
	boleto.save(ignore_permissions=True)
	return _row(item, boleto=boleto.name, outcome="Cancelled")

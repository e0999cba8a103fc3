"""Step 3 from the bank: the return file (retorno) of any of the six banks, CNAB 240 or 400. Stored once (same
SHA-256 refused), read whole and checked against our agreement (bank, CNPJ, code at the bank) before anything is
applied: a file that does not parse is refused whole (line, column, pt-BR reason, nothing written). Then, in a
background job, each line is applied on its own (``retorno_items``): registrations, rejections, write-offs and
payments; a line that cannot be applied becomes a Finance Exception and never blocks the others."""

import frappe
from frappe import _
from frappe.utils import add_to_date, get_datetime, now_datetime

from fiber_onboarding.adapters import cnab_files
from fiber_onboarding.fiber_billing.boleto_service.retorno_items import SKIPPED, apply_line
from fiber_onboarding.fiber_billing.boleto_service.shared import BillingError


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
	"""Read the whole file first; nothing is written unless every line parses. Then apply line by line."""
	doc = frappe.get_doc("CNAB Retorno", retorno)
	if doc.status == "Processed":
		return doc
	doc.db_set({"status": "Processing", "error_message": None, "error_line": 0, "error_column": 0})

	from fiber_onboarding.fiber_billing.doctype.cnab_retorno.cnab_retorno import read_attachment

	parsed, agreement, error = cnab_files.read(read_attachment(doc.file))
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

	doc.update(
		{
			"bank_code": parsed.bank_code,
			"cnab_layout": f"CNAB {parsed.layout}",
			"bank_agreement": agreement,
			"file_sequence": parsed.file_sequence,
			"generated_on": parsed.generated_on,
		}
	)
	doc.set("rows", [])
	counts = _apply_items(doc, agreement, parsed.items, user)
	doc.update(counts)
	doc.total_items = len(parsed.items)
	doc.status = "Processed"
	doc.imported_at = now_datetime()
	doc.flags.ignore_permissions = True
	doc.save()
	return doc


def _apply_items(doc, agreement: str, items, user: str | None) -> dict:
	"""Each line in its own savepoint (``retorno_items.apply_line``): one line never blocks another."""
	counts = dict.fromkeys(
		("registered_count", "rejected_count", "paid_count", "skipped_count", "exception_count"), 0
	)
	field = {"Registered": "registered_count", "Rejected": "rejected_count", "Paid": "paid_count"}
	total = len(items)
	for i, item in enumerate(items, 1):
		row = apply_line(doc, agreement, item)
		doc.append("rows", row)
		outcome = row["outcome"]
		if outcome in field:
			counts[field[outcome]] += 1
		elif outcome in SKIPPED:
			counts["skipped_count"] += 1
		if row.get("finance_exception"):
			counts["exception_count"] += 1
		if i % 20 == 0 or i == total:
			_progress(doc.name, i, total, user)
	return counts

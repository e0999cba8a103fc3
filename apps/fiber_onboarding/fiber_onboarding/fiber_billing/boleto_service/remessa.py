"""The remittance (remessa): every boleto not yet sent to the bank (new registrations, cancellations of registered
ones) in one CNAB file under the agreement's next sequence; the agreement row is locked first, so a boleto never
goes in two files."""

from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import now_datetime

from fiber_onboarding.adapters import bank_registration, cnab_files
from fiber_onboarding.core.process import BoletoStatus
from fiber_onboarding.fiber_billing.boleto_service.shared import (
	BOLETO,
	NothingToSendError,
	active_agreement,
	money,
)
from fiber_onboarding.fiber_billing.doctype.fiber_bank_agreement.fiber_bank_agreement import (
	lock_agreement,
	next_remessa_sequence,
)


def pending_for_remessa(agreement: str) -> list[tuple[str, str]]:
	"""(boleto, movement) pairs not yet sent: new registrations, and cancellations of registered boletos.

	Locking reads (``FOR UPDATE``): they see the latest committed rows, not the transaction's snapshot, so a
	remittance built right after another one never repeats its boletos.
	"""
	rows = frappe.db.sql(
		f"""select name, status from `tab{BOLETO}`
		where bank_agreement = %(agreement)s and (
			(status = %(submitted)s and ifnull(remessa, '') = ''
				and ifnull(registration_channel, '') != %(api)s)
			or (status = %(cancelled)s and ifnull(remessa, '') != '' and registered_on is not null
				and ifnull(cancellation_remessa, '') = '')
		)
		order by creation asc
		for update""",
		{
			"agreement": agreement,
			"api": bank_registration.BANK_API,
			"submitted": BoletoStatus.SUBMITTED,
			"cancelled": BoletoStatus.CANCELLED,
		},
		as_dict=True,
	)
	new = [(r.name, "Registration") for r in rows if r.status == BoletoStatus.SUBMITTED]
	cancel = [(r.name, "Cancellation") for r in rows if r.status == BoletoStatus.CANCELLED]
	return new + cancel


def build_remessa_file(agreement):
	"""A CNAB Remessa with every boleto not yet sent, under the agreement's next file sequence."""
	agreement = active_agreement(agreement if isinstance(agreement, str) else agreement.name)
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

"""The remittance (remessa): every boleto not yet sent to the bank (new registrations, cancellations of registered
ones) in one CNAB file (the agreement's bank and layout, 240 or 400) under the agreement's next sequence; the
agreement row is locked first, so a boleto never goes in two files. Finance's button builds one; the daily job
(``send_daily_remessas``) builds one per active CNAB agreement with something pending and e-mails Finance."""

from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import now_datetime

from fiber_onboarding.adapters import bank_registration, cnab_files
from fiber_onboarding.core.process import BoletoStatus
from fiber_onboarding.fiber_billing.boleto_service import remessa_alerts
from fiber_onboarding.fiber_billing.boleto_service.finance_exceptions import finance_recipients
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
from fiber_onboarding.utils.mail import send_once


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


class BoletosBlockedError(NothingToSendError):
	"""Every pending boleto has data the bank file cannot carry (``skipped``: (boleto, movement, pt-BR reason))."""

	def __init__(self, message, skipped):
		super().__init__(message)
		self.skipped = skipped


def build_remessa_file(agreement, skip_bad: bool = False):
	"""A CNAB Remessa with every boleto not yet sent, under the agreement's next file sequence.

	With ``skip_bad`` (the daily job) a boleto whose own data the file cannot carry (payer's CPF/CNPJ, CEP, UF…) is
	left out and stays pending; the remessa's ``flags.skipped`` lists them as (boleto, movement, pt-BR reason).
	When none is left, ``BoletosBlockedError`` (nothing is written)."""
	agreement = active_agreement(agreement if isinstance(agreement, str) else agreement.name)
	# lock first, then read what is pending: two simultaneous "Generate" never put a boleto in two files
	lock_agreement(agreement.name)
	pending = pending_for_remessa(agreement.name)
	if not pending:
		frappe.throw(_("There is no boleto waiting to be sent to the bank."), NothingToSendError)

	boletos = [(frappe.get_doc(BOLETO, name), movement) for name, movement in pending]
	sequence = next_remessa_sequence(agreement.name)
	generated_at = now_datetime()
	text, boletos, skipped = cnab_files.remessa_text(agreement, boletos, sequence, generated_at, skip_bad)
	if text is None:
		raise BoletosBlockedError(
			_("No pending boleto of agreement {0} could go in the remittance file.").format(agreement.name),
			skipped,
		)

	remessa = frappe.get_doc(
		{
			"doctype": "CNAB Remessa",
			"bank_agreement": agreement.name,
			"company": agreement.company,
			"status": "Generated",
			"sequence": sequence,
			"cnab_layout": agreement.cnab_layout or "CNAB 240",
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
	remessa.flags.skipped = skipped
	return remessa


def send_daily_remessas() -> list[str]:
	"""Daily: for each active agreement registering by CNAB file, a remessa with its pending boletos (nothing when
	nothing is pending), attached to a CNAB Remessa, and Finance e-mailed to send it. A boleto whose data the file
	cannot carry is left out (it stays pending) and Finance e-mailed its reason; an agreement whose file fails is
	rolled back, logged and Finance e-mailed; the other agreements go on."""
	agreements = frappe.get_all(
		"Fiber Bank Agreement",
		filters={"is_active": 1, "registration_method": "CNAB File"},
		pluck="name",
		order_by="creation asc",
	)
	built = []
	for name in agreements:
		frappe.db.savepoint("fo_daily_remessa")
		try:
			lock_agreement(name)
			if not pending_for_remessa(name):
				continue
			remessa = build_remessa_file(name, skip_bad=True)
			notify_remessa(remessa)
			built.append(remessa.name)
			if remessa.flags.skipped:
				remessa_alerts.notify_blocked(name, remessa.flags.skipped, remessa=remessa.name)
		except BoletosBlockedError as e:
			frappe.db.rollback(save_point="fo_daily_remessa")
			remessa_alerts.notify_blocked(name, e.skipped)
		except Exception as e:
			frappe.db.rollback(save_point="fo_daily_remessa")
			log = frappe.log_error(
				title=f"Daily remessa failed: {name}",
				reference_doctype="Fiber Bank Agreement",
				reference_name=name,
			)
			remessa_alerts.notify_failed(name, pending_for_remessa(name), e, log)
	return built


def notify_remessa(remessa) -> bool:
	"""Finance e-mailed once per remessa: the file is ready to be sent to the bank."""
	return send_once(
		f"cnab-remessa:{remessa.name}",
		"fo_cnab_remessa",
		finance_recipients(),
		{
			"remessa": remessa.as_dict(),
			"agreement": remessa.bank_agreement,
			"total": frappe.format(remessa.total_amount, {"fieldtype": "Currency", "options": "BRL"}),
			"url": frappe.utils.get_url_to_form("CNAB Remessa", remessa.name),
		},
		reference_doctype="CNAB Remessa",
		reference_name=remessa.name,
	)

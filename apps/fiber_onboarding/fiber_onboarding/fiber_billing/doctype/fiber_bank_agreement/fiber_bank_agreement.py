"""A collection agreement (convênio de cobrança) with one bank: account data, GL account and the two counters.

Both counters only move forward. They are taken with ``SELECT … FOR UPDATE`` inside the caller's transaction,
so two boletos never share a nosso número and a remittance sequence is never reused (banks reject a sequence
lower than the previous one: brazil-banking.md §9).
"""

import frappe
from frappe import _
from frappe.model.document import Document

from fiber_onboarding.adapters.bank_registration import validate_agreement
from fiber_onboarding.adapters.cnab_files import agreement_problem, bank_account_of
from fiber_onboarding.core.boleto import BankAccount

DIGIT_FIELDS = (
	"agency",
	"agency_dv",
	"account",
	"account_dv",
	"wallet",
	"agreement_code",
	"beneficiary_code",
	"transmission_code",
	"beneficiary_dv",
)
COUNTERS = ("next_nosso_numero", "last_remessa_sequence")


class BankAgreementError(frappe.ValidationError):
	pass


class FiberBankAgreement(Document):
	def validate(self):
		self.validate_digits()
		self.validate_bank_account()
		self.validate_counters()
		validate_agreement(self)  # Bank API: banks, private certificate files, Inter's webhook secret
		self.validate_bank_data()

	def validate_digits(self):
		for field in DIGIT_FIELDS:
			value = (self.get(field) or "").strip().replace("-", "").replace(".", "")
			self.set(field, value)
			if value and not (value.isascii() and value.isdigit()):
				frappe.throw(
					_("{0} must contain digits only.").format(_(self.meta.get_label(field))),
					BankAgreementError,
				)
		if self.beneficiary_cnpj:
			self.beneficiary_cnpj = "".join(ch for ch in self.beneficiary_cnpj.upper() if ch.isalnum())

	def validate_bank_account(self):
		account = frappe.db.get_value(
			"Account", self.bank_account, ["company", "account_type", "is_group"], as_dict=True
		)
		if (
			not account
			or account.company != self.company
			or account.account_type != "Bank"
			or account.is_group
		):
			frappe.throw(
				_("The bank GL account must be a non-group Bank account of company {0}.").format(
					self.company
				),
				BankAgreementError,
			)

	def validate_counters(self):
		if (self.next_nosso_numero or 0) < 1:
			self.next_nosso_numero = 1
		if self.is_new():
			return
		stored = frappe.db.get_value(self.doctype, self.name, list(COUNTERS), as_dict=True) or {}
		for field in COUNTERS:
			if (self.get(field) or 0) < (stored.get(field) or 0):
				frappe.throw(
					_("{0} cannot go back from {1} to {2}.").format(
						_(self.meta.get_label(field)), stored.get(field), self.get(field)
					),
					BankAgreementError,
				)

	def validate_bank_data(self):
		"""The data the bank's boleto and CNAB layouts need (e.g. Santander's transmission code, Sicoob's DV)."""
		problem = agreement_problem(self)
		if problem:
			frappe.throw(
				_("This agreement's data cannot be used with the bank: {0}").format(problem),
				BankAgreementError,
			)

	def bank_account_data(self) -> BankAccount:
		"""The core's view of this agreement (used to generate boletos and CNAB files)."""
		return bank_account_of(self)


def _locked_value(agreement: str, field: str) -> int:
	rows = frappe.db.sql(
		f"select `{field}` from `tabFiber Bank Agreement` where name=%s for update", (agreement,)
	)
	if not rows:
		frappe.throw(_("Bank agreement {0} not found.").format(agreement), BankAgreementError)
	return int(rows[0][0] or 0)


def _store(agreement: str, field: str, value: int):
	frappe.db.sql(f"update `tabFiber Bank Agreement` set `{field}`=%s where name=%s", (value, agreement))


def lock_agreement(agreement: str) -> None:
	"""Hold the agreement row until the transaction ends (one remittance at a time per agreement)."""
	_locked_value(agreement, "last_remessa_sequence")


def allocate_nosso_numero(agreement: str) -> int:
	"""The next nosso-número sequence of ``agreement`` (row locked; the counter moves forward)."""
	value = max(_locked_value(agreement, "next_nosso_numero"), 1)
	_store(agreement, "next_nosso_numero", value + 1)
	return value


def next_remessa_sequence(agreement: str) -> int:
	"""last_remessa_sequence + 1, stored before the file is built (row locked; never reused)."""
	value = _locked_value(agreement, "last_remessa_sequence") + 1
	_store(agreement, "last_remessa_sequence", value)
	return value

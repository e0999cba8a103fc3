"""The collection masters both the demo site and the test site bill with: the local outbox (mail never leaves the
machine), the Banco do Brasil agreement and the billing defaults of Fiber Onboarding Settings. Idempotent.
"""

import frappe

from fiber_onboarding.setup.company import DEFAULT_COMPANY, SETUP_ITEM, collection_account_name

AGREEMENT_NAME = "BB Cobrança FDT"
FINANCE_EMAIL = "financeiro@example.com"

# Banco do Brasil, 7-digit agreement (convênio), wallet 17: nosso número = agreement (7) + sequence (10)
AGREEMENT_VALUES = {
	"bank_code": "001",
	"agency": "1234",
	"agency_dv": "3",
	"account": "00012345",
	"account_dv": "6",
	"wallet": "17-019",
	"agreement_code": "1234567",
	"beneficiary_code": "1234567",
	"beneficiary_name": DEFAULT_COMPANY,
	"beneficiary_cnpj": "11222333000181",
	"beneficiary_address": "Av. Paulista, 1000 - Bela Vista - São Paulo/SP - 01310-100",
	"cnab_layout": "CNAB 240",
	"registration_method": "CNAB File",
	"next_nosso_numero": 1,
	"last_remessa_sequence": 0,
}


def ensure_loopback_outbox(account_name: str, email_id: str) -> str:
	"""The default outgoing Email Account, pointing at the loopback interface (mail never leaves the machine:
	tests skip SMTP, the demo site mutes e-mails)."""
	if frappe.db.exists("Email Account", account_name):
		account = frappe.get_doc("Email Account", account_name)
		if not (account.enable_outgoing and account.default_outgoing):
			account.enable_outgoing = 1
			account.default_outgoing = 1
			account.flags.ignore_validate = not frappe.flags.in_test
			account.save(ignore_permissions=True)
		return account.name

	account = frappe.get_doc(
		{
			"doctype": "Email Account",
			"email_account_name": account_name,
			"email_id": email_id,
			"enable_incoming": 0,
			"enable_outgoing": 1,
			"default_outgoing": 1,
			"smtp_server": "127.0.0.1",
			"smtp_port": 25,
			"no_smtp_authentication": 1,
			"awaiting_password": 0,
		}
	)
	# outside the test runner Email Account.validate would open an SMTP connection to 127.0.0.1
	account.flags.ignore_validate = not frappe.flags.in_test
	account.insert(ignore_permissions=True)
	return account.name


def ensure_bank_agreement(company: str) -> str | None:
	if not frappe.db.exists("DocType", "Fiber Bank Agreement"):
		return None
	if frappe.db.exists("Fiber Bank Agreement", AGREEMENT_NAME):
		return AGREEMENT_NAME
	doc = frappe.get_doc(
		{
			"doctype": "Fiber Bank Agreement",
			"agreement_name": AGREEMENT_NAME,
			"company": company,
			"bank_account": collection_account_name(company),
			**AGREEMENT_VALUES,
		}
	)
	doc.insert(ignore_permissions=True)
	return doc.name


def ensure_billing_settings(company: str, agreement: str | None):
	settings_doctype = "Fiber Onboarding Settings"
	if not frappe.db.exists("DocType", settings_doctype):
		return
	meta = frappe.get_meta(settings_doctype)
	current = frappe.get_single(settings_doctype)
	# the billing masters are forced to this company's (install may have picked another default company)
	forced = {"company": company, "setup_item": SETUP_ITEM}
	if agreement:
		forced["bank_agreement"] = agreement
	values = {k: v for k, v in forced.items() if meta.has_field(k) and current.get(k) != v}
	if meta.has_field("finance_email") and not current.get("finance_email"):
		values["finance_email"] = FINANCE_EMAIL
	if values:
		frappe.db.set_single_value(settings_doctype, values)
		frappe.clear_document_cache(settings_doctype, settings_doctype)

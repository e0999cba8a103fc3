"""Test-site preparation, called by the test runner through hooks ``before_tests`` (``install.before_tests``).

Everything here is idempotent: the shared test site is prepared once and reused by every run. Tests create their
own documents with factory functions; this only provides the masters every integration test needs.
"""

import frappe

from fiber_onboarding.setup.company import (
	DEFAULT_ABBR,
	DEFAULT_COMPANY,
	SETUP_ITEM,
	collection_account_name,
	ensure_brazil_company,
	ensure_party_defaults,
)

TEST_EMAIL_ACCOUNT = "Fiber Onboarding Tests"
TEST_EMAIL_ID = "fo-tests@example.com"
TEST_AGREEMENT = "BB Cobrança FDT"
TEST_FINANCE_EMAIL = "financeiro@example.com"

# Banco do Brasil, 7-digit agreement (convênio), wallet 17: nosso número = agreement (7) + sequence (10)
TEST_AGREEMENT_VALUES = {
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


def prepare_test_site():
	# our company first: on a blank site this runs the setup wizard for Brazil, so ERPNext's before_tests
	# (next) finds a company and does not create its US test company
	company = ensure_brazil_company(DEFAULT_COMPANY, DEFAULT_ABBR)

	from erpnext.setup.utils import before_tests as erpnext_before_tests

	erpnext_before_tests()
	ensure_party_defaults()  # ERPNext resets the Selling Settings defaults to the tree roots
	make_site_brazilian(company)
	ensure_test_email_account()

	from fiber_onboarding.setup.install import ensure_setup

	ensure_setup()
	agreement = ensure_test_bank_agreement(company)
	ensure_test_settings(company, agreement)
	frappe.db.commit()  # setup, not a controller: the test runner expects a committed site


def make_site_brazilian(company: str):
	"""The test site bills from our company, in BRL, on São Paulo time (a site set up earlier may differ)."""
	from fiber_onboarding.setup.company import COUNTRY, CURRENCY, TIME_ZONE

	global_defaults = {"default_company": company, "default_currency": CURRENCY, "country": COUNTRY}
	for field, value in global_defaults.items():
		if frappe.db.get_single_value("Global Defaults", field) != value:
			frappe.db.set_single_value("Global Defaults", field, value)
	frappe.db.set_default("company", company)
	frappe.db.set_default("currency", CURRENCY)
	if frappe.db.get_single_value("System Settings", "time_zone") != TIME_ZONE:
		frappe.db.set_single_value("System Settings", "time_zone", TIME_ZONE)
		frappe.db.set_default("time_zone", TIME_ZONE)
		frappe.cache.delete_value("time_zone")
	frappe.clear_cache()


def ensure_test_email_account() -> str:
	"""An outgoing account so frappe.sendmail can queue; the runner never sends (in_test skips SMTP)."""
	return ensure_loopback_outbox(TEST_EMAIL_ACCOUNT, TEST_EMAIL_ID)


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


def ensure_test_bank_agreement(company: str) -> str | None:
	if not frappe.db.exists("DocType", "Fiber Bank Agreement"):
		return None
	if frappe.db.exists("Fiber Bank Agreement", TEST_AGREEMENT):
		return TEST_AGREEMENT
	doc = frappe.get_doc(
		{
			"doctype": "Fiber Bank Agreement",
			"agreement_name": TEST_AGREEMENT,
			"company": company,
			"bank_account": collection_account_name(company),
			**TEST_AGREEMENT_VALUES,
		}
	)
	doc.insert(ignore_permissions=True)
	return doc.name


def ensure_test_settings(company: str, agreement: str | None):
	settings_doctype = "Fiber Onboarding Settings"
	if not frappe.db.exists("DocType", settings_doctype):
		return
	meta = frappe.get_meta(settings_doctype)
	current = frappe.get_single(settings_doctype)
	# the billing masters are forced to the test company's (install may have picked another default company)
	forced = {"company": company, "setup_item": SETUP_ITEM}
	if agreement:
		forced["bank_agreement"] = agreement
	values = {k: v for k, v in forced.items() if meta.has_field(k) and current.get(k) != v}
	if meta.has_field("finance_email") and not current.get("finance_email"):
		values["finance_email"] = TEST_FINANCE_EMAIL
	if values:
		frappe.db.set_single_value(settings_doctype, values)
		frappe.clear_document_cache(settings_doctype, settings_doctype)

"""Test-site preparation, called by the test runner through hooks ``before_tests`` (``install.before_tests``).

Everything here is idempotent: the shared test site is prepared once and reused by every run. Tests create their
own documents with factory functions; this only provides the masters every integration test needs.
"""

import frappe

from fiber_onboarding.setup.company import (
	DEFAULT_ABBR,
	DEFAULT_COMPANY,
	ensure_brazil_company,
	ensure_party_defaults,
)
from fiber_onboarding.setup.installers import ensure_setup
from fiber_onboarding.setup.site_masters import (
	ensure_bank_agreement,
	ensure_billing_settings,
	ensure_loopback_outbox,
)

TEST_EMAIL_ACCOUNT = "Fiber Onboarding Tests"
TEST_EMAIL_ID = "fo-tests@example.com"


def prepare_test_site():
	# our company first: on a blank site this runs the setup wizard for Brazil, so ERPNext's before_tests
	# (next) finds a company and does not create its US test company
	company = ensure_brazil_company(DEFAULT_COMPANY, DEFAULT_ABBR)

	from erpnext.setup.utils import before_tests as erpnext_before_tests

	erpnext_before_tests()
	ensure_party_defaults()  # ERPNext resets the Selling Settings defaults to the tree roots
	make_site_brazilian(company)
	ensure_test_email_account()

	ensure_setup()
	agreement = ensure_bank_agreement(company)
	ensure_billing_settings(company, agreement)
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

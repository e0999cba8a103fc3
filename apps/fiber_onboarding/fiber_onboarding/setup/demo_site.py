"""The demo site made by ``bin/setup``: a Brazilian company, a local outbox and a case in every stage.

E-mails land in the Email Queue and never leave the machine: ``bin/setup`` sets ``mute_emails`` in the site
config, and the outgoing account points at the loopback interface.
"""

import frappe

from fiber_onboarding.security.site import harden_site
from fiber_onboarding.setup.company import (
	DEFAULT_ABBR,
	DEFAULT_COMPANY,
	ensure_brazil_company,
	use_site_language,
)
from fiber_onboarding.setup.installers import ensure_setup
from fiber_onboarding.setup.site_masters import (
	ensure_bank_agreement,
	ensure_billing_settings,
	ensure_loopback_outbox,
)

OUTBOX = "Caixa de saída local"
OUTBOX_EMAIL = "ativacao@fibra-demo.example.com"


def setup_demo_site():
	frappe.set_user("Administrator")
	company = ensure_brazil_company(DEFAULT_COMPANY, DEFAULT_ABBR)
	ensure_loopback_outbox(OUTBOX, OUTBOX_EMAIL)
	ensure_setup()
	agreement = ensure_bank_agreement(company)
	ensure_billing_settings(company, agreement)
	frappe.db.set_single_value("System Settings", "time_zone", "America/Sao_Paulo")
	use_site_language()  # staff, Administrator included, read the desk in pt-BR
	harden_site()  # production answers: no tracebacks, login locked after repeated failures (README "Security")
	frappe.db.commit()

	from fiber_onboarding.setup.demo import make_demo

	result = make_demo() or {}
	frappe.db.commit()
	portal_user = result.get("portal_user", "") if isinstance(result, dict) else ""
	site_path = frappe.get_site_path(".fo-demo-done")
	with open(site_path, "w") as fh:  # bin/setup prints this line
		fh.write(printed_credentials() + "\n" if portal_user else "\n")
	print(f"demo data ready ({portal_user or 'no portal user'})")


def printed_credentials() -> str:
	"""The demo customer's login as ``bin/setup`` prints it (the test logs in with exactly this)."""
	from fiber_onboarding.setup.demo import PORTAL_PASSWORD, PORTAL_USER

	return f"{PORTAL_USER} / {PORTAL_PASSWORD}"

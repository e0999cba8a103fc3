"""Integration-tier helpers for the bank API tests: the local bank simulator (``tests/bank_simulator`` at the
repository's top level, loaded by path as docs/bank-api.md says), and Fiber Bank Agreements pointed at it.

``SimulatorTestCase`` starts one simulator (HTTPS on 127.0.0.1, test CA, client certificate required) per test
class and stops it in ``tearDownClass``; its agreements (BB 001 and Inter 077, registration method "Bank API")
carry the simulator's credentials as a real agreement does: Password fields and private files.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import frappe

from fiber_onboarding.fiber_billing import boleto_service
from fiber_onboarding.tests.billing_factory import make_registered_case

try:  # v16
	from frappe.tests import IntegrationTestCase as TestCase
except ImportError:  # v15
	from frappe.tests.utils import FrappeTestCase as TestCase

SETTINGS = "Fiber Onboarding Settings"
REPO_TESTS = Path(__file__).resolve().parents[4] / "tests"  # <repo>/tests


def load_simulator():
	"""The ``bank_simulator`` package, or None when this checkout has no top-level tests folder."""
	if not (REPO_TESTS / "bank_simulator").is_dir():
		return None
	if str(REPO_TESTS) not in sys.path:
		sys.path.insert(0, str(REPO_TESTS))
	import bank_simulator

	return bank_simulator


def private_file(name: str, content: str | bytes) -> str:
	doc = frappe.get_doc({"doctype": "File", "file_name": name, "content": content, "is_private": 1}).insert(
		ignore_permissions=True
	)
	return doc.file_url


def make_agreement(sim, bank: str, identity=None, **overrides):
	"""A Bank API agreement of ``bank`` ("bb"/"inter") with the simulator's credentials and URLs."""
	default = frappe.get_doc("Fiber Bank Agreement", frappe.db.get_single_value(SETTINGS, "bank_agreement"))
	creds = sim.credentials(bank, identity)
	urls = sim.settings(bank)
	tag = frappe.generate_hash(length=6)
	values = {
		"doctype": "Fiber Bank Agreement",
		"agreement_name": f"API {bank.upper()} {tag}",
		"company": default.company,
		"bank_account": default.bank_account,
		"is_active": 1,
		"cnab_layout": "CNAB 240",
		"registration_method": "Bank API",
		"beneficiary_name": default.beneficiary_name,
		"beneficiary_cnpj": default.beneficiary_cnpj,
		"beneficiary_address": default.beneficiary_address,
		"next_nosso_numero": 1,
		"api_environment": "Sandbox",
		"api_client_id": creds["client_id"],
		"api_client_secret": creds["client_secret"],
		"api_certificate": private_file(f"cert-{tag}.pem", creds["certificate"]),
		"api_private_key": private_file(f"key-{tag}.pem", creds["private_key"]),
		"api_base_url": urls["base_url"],
		"api_token_url": urls["token_url"],
		"api_ca_bundle": private_file(f"ca-{tag}.pem", Path(urls["ca_bundle"]).read_text()),
		"api_timeout": 8,
	}
	if bank == "bb":
		values.update(
			bank_code="001",
			agency="1234",
			account="56789",
			wallet="17-019",
			agreement_code="1234567",
			bb_app_key=creds["app_key"],
		)
	else:
		values.update(bank_code="077", agency="0001", account="1234567", account_dv="8", wallet="112")
	values.update(overrides)
	return frappe.get_doc(values).insert(ignore_permissions=True)


class SimulatorTestCase(TestCase):
	"""One running simulator and one BB + one Inter API agreement per class; ``issue`` bills through them."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		simulator = load_simulator()
		if simulator is None:
			raise __import__("unittest").SkipTest("tests/bank_simulator is not in this checkout")
		cls.simulator = simulator
		cls.pki_dir = tempfile.mkdtemp(prefix="fo-bank-sim-")
		cls.addClassCleanup(shutil.rmtree, cls.pki_dir, True)
		cls.pki = simulator.TestPKI(Path(cls.pki_dir))
		cls.sim = simulator.BankSimulator(cls.pki)
		cls.sim.start()
		cls.addClassCleanup(cls.sim.stop)
		frappe.set_user("Administrator")
		previous = frappe.local.conf.get("throttle_user_limit")
		frappe.local.conf["throttle_user_limit"] = 100_000
		cls.addClassCleanup(frappe.local.conf.__setitem__, "throttle_user_limit", previous)
		cls.bb = make_agreement(cls.sim, "bb")
		cls.inter = make_agreement(cls.sim, "inter")

	def setUp(self):
		frappe.set_user("Administrator")
		self.use(self.bb)

	def tearDown(self):
		frappe.set_user("Administrator")

	def use(self, agreement):
		"""Bill the next boletos through ``agreement`` (restored after the test)."""
		previous = frappe.db.get_single_value(SETTINGS, "bank_agreement")
		frappe.db.set_single_value(SETTINGS, "bank_agreement", agreement.name)
		frappe.clear_document_cache(SETTINGS, SETTINGS)
		frappe.clear_document_cache("Fiber Bank Agreement", agreement.name)
		self.addCleanup(frappe.db.set_single_value, SETTINGS, "bank_agreement", previous)

	def issue(self, setup_fee="1500.00", portal=False):
		case = make_registered_case(setup_fee, portal)
		boleto = boleto_service.issue_boleto(case)
		return frappe.get_doc("Fiber Onboarding", case.name), frappe.get_doc("Fiber Boleto", boleto.name)

	def payment_entries(self, boleto) -> list[str]:
		return frappe.get_all(
			"Payment Entry",
			filters={"reference_no": boleto.nosso_numero, "docstatus": 1, "party": boleto.customer},
			pluck="name",
		)

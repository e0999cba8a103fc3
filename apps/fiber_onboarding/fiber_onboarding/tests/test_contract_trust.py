"""Issue #18 on a site: the shipped trust roots are installed (and staff decisions survive migrate), and a contract
signed under an ICP-Brasil- or gov.br-shaped PKI, uploaded through the e-mailed link, is accepted by itself when
the legal responsible signed with a valid certificate, or waits for staff with a precise pt-BR reason.

Revocation is fetched for real: a CRL/OCSP server on 127.0.0.1 (``br_pki.RevocationServer``, started and stopped
by this class) publishes the test CAs' data at the URLs written in the certificates; CRLs land in Redis.
"""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

import frappe
from frappe.tests.utils import FrappeTestCase

from fiber_onboarding.core.process import ContractState
from fiber_onboarding.fiber_contracts.contract_service.issue import create_and_send_contract
from fiber_onboarding.fiber_contracts.revocation_cache import FrappeRevocationCache
from fiber_onboarding.setup.shipped_roots import SETTINGS, ensure_shipped_trust_roots, shipped_roots
from fiber_onboarding.tests import br_pki
from fiber_onboarding.tests import contract_factory as factory
from fiber_onboarding.tests.test_contract_flow import token_of, upload


def _root(ca) -> SimpleNamespace:
	return SimpleNamespace(root_pem=ca.pem, root_sha256=hashlib.sha256(ca.der).hexdigest())


class TestShippedTrustRoots(FrappeTestCase):
	def rows(self) -> dict:
		rows = frappe.get_all(
			"Fiber Trust Root",
			filters={"parent": SETTINGS},
			fields=["name", "label", "kind", "enabled", "sha256"],
		)
		return {r.sha256: r for r in rows}

	def test_install_created_the_shipped_roots_and_migrate_is_idempotent(self):
		shipped = shipped_roots()
		self.assertGreaterEqual(len(shipped), 4)
		labels = {r["label"] for r in shipped}
		self.assertIn("Autoridade Certificadora Raiz Brasileira v5", labels)
		self.assertIn("Autoridade Certificadora Raiz Brasileira v12", labels)
		ensure_shipped_trust_roots()  # what install / migrate / the patch run
		before = self.rows()
		self.assertIn("Autoridade Certificadora Raiz do Governo Federal do Brasil v1", labels)
		for root in shipped:
			self.assertIn(root["sha256"], before, root["label"])
			kind = "gov.br" if "Governo Federal" in root["label"] else "ICP-Brasil"
			self.assertEqual(before[root["sha256"]].kind, kind, root["label"])
		self.assertEqual(ensure_shipped_trust_roots(), [])  # nothing added twice
		self.assertEqual(len(self.rows()), len(before))
		# the rows are usable as they are: pins match, the core accepts them
		from fiber_onboarding.fiber_contracts.trust_roots import load_trust_roots

		roots, problems = load_trust_roots()
		pins = {r.fingerprint() for r in roots}
		self.assertFalse([p for p in problems if "Raiz Brasileira" in p], problems)
		self.assertTrue({r["sha256"] for r in shipped} <= pins)
		# the gov.br chain below its root travels with every check as path helpers (gov.br signatures embed only
		# the signer's certificate)
		from fiber_onboarding.fiber_contracts.trust_roots import chain_helpers

		self.assertEqual(len(chain_helpers()), 2)

	def test_a_root_staff_disabled_stays_disabled_and_a_deleted_one_comes_back(self):
		from fiber_onboarding.patches.v15_0 import add_shipped_trust_roots

		ensure_shipped_trust_roots()
		v5 = next(r for r in shipped_roots() if r["label"].endswith("v5"))
		row = self.rows()[v5["sha256"]]
		frappe.db.set_value("Fiber Trust Root", row.name, "enabled", 0)
		try:
			add_shipped_trust_roots.execute()  # the patch, as on an existing site
			ensure_shipped_trust_roots()  # and the next migrate
			self.assertEqual(self.rows()[v5["sha256"]].enabled, 0)
			self.assertEqual(sum(1 for r in self.rows() if r == v5["sha256"]), 1)
		finally:
			frappe.db.set_value("Fiber Trust Root", row.name, "enabled", 1)
		frappe.db.delete("Fiber Trust Root", {"name": row.name})
		self.assertEqual(ensure_shipped_trust_roots(), [v5["label"]])
		self.assertEqual(self.rows()[v5["sha256"]].enabled, 1)


class TestContractTrust(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.server = br_pki.RevocationServer().__enter__()
		cls.pki = cls.server.pki = br_pki.BrPki(cls.server.base_url)
		factory.trust_test_root(_root(cls.pki.icp_root), "ICP-Brasil de teste", "ICP-Brasil")
		factory.trust_test_root(_root(cls.pki.gov_root), "gov.br de teste", "gov.br")
		cls.portal_user = factory.make_portal_user()

	@classmethod
	def tearDownClass(cls):
		cls.server.__exit__(None, None, None)
		frappe.db.delete("Fiber Trust Root", {"label": ("in", ["ICP-Brasil de teste", "gov.br de teste"])})
		frappe.db.commit()
		super().tearDownClass()

	def setUp(self):
		frappe.set_user("Administrator")
		self.case = factory.make_case(self.portal_user)
		self.contract = create_and_send_contract(self.case)

	def submit(self, holder, **kwargs):
		from fiber_onboarding.fiber_contracts.contract_service.shared import issued_pdf_content

		signed = br_pki.sign(issued_pdf_content(self.contract), holder, **kwargs)
		token = token_of(self.contract)
		frappe.set_user("Guest")  # the legal responsible, through the e-mailed link
		try:
			upload(signed, token=token)
		finally:
			frappe.set_user("Administrator")
		self.contract.reload()
		return {x.check: (x.outcome, x.detail) for x in self.contract.checks}

	def test_e_cpf_of_the_legal_responsible_is_accepted_without_staff(self):
		checks = self.submit(self.pki.e_cpf("MARIA DA SILVA SOUZA", factory.LEGAL_CPF))
		self.assertEqual(self.contract.workflow_state, ContractState.ACCEPTED, checks)
		self.assertEqual(self.contract.latest_decision, "Accept")
		self.assertEqual(checks["revocation"][0], "Pass")
		self.assertIn("consultados on-line", checks["revocation"][1])
		# the intermediate's status came from the root's CRL, now shared through Redis until its nextUpdate
		url = f"{self.server.base_url}/lcr/icp-raiz.crl"
		self.assertEqual(FrappeRevocationCache().get("crl:" + url), self.pki.icp_root.crl())

	def test_gov_br_signature_is_accepted_as_advanced(self):
		checks = self.submit(self.pki.gov_br("MARIA DA SILVA SOUZA", factory.LEGAL_CPF))
		self.assertEqual(self.contract.workflow_state, ContractState.ACCEPTED, checks)
		self.assertIn("avançada", checks["trust"][1])

	def assert_review(self, checks, check: str, text: str):
		self.assertEqual(self.contract.workflow_state, ContractState.SIGNED_UPLOADED, checks)
		self.assertEqual(self.contract.latest_decision, "Review")
		self.assertEqual(checks[check][0], "Warn", checks)
		self.assertIn(text, checks[check][1])

	def test_another_persons_certificate_waits_for_staff_saying_which_cpfs(self):
		checks = self.submit(self.pki.e_cpf("MARIA DA SILVA SOUZA", "11144477735"))
		self.assert_review(checks, "signer", "o CPF do certificado é 111.444.777-35, o do responsável legal")

	def test_company_certificate_of_another_cnpj_waits_for_staff(self):
		holder = self.pki.e_cnpj(
			"OUTRA EMPRESA LTDA", "04252011000110", "MARIA DA SILVA SOUZA", factory.LEGAL_CPF
		)
		if self.case.cnpj == "04252011000110":
			holder = self.pki.e_cnpj(
				"OUTRA LTDA", "33000167000101", "MARIA DA SILVA SOUZA", factory.LEGAL_CPF
			)
		checks = self.submit(holder)
		self.assert_review(checks, "signer", "certificado de outra empresa")

	def test_revoked_certificate_waits_for_staff(self):
		# revoked at its AC, answered by the OCSP responder (a CRL cached by an earlier upload would still be
		# served until its nextUpdate, as it should)
		holder = self.pki.e_cpf("MARIA DA SILVA SOUZA", factory.LEGAL_CPF)
		self.pki.revoke(holder)
		checks = self.submit(holder)
		self.assert_review(checks, "revocation", "foi revogado em 01/06/2020")

	def test_unreachable_revocation_service_waits_for_staff(self):
		# CRLs an earlier upload cached are rightly reused until their nextUpdate: start from an empty cache
		cache = FrappeRevocationCache()
		for slug in self.pki.cas:
			frappe.cache().delete_value(cache._key(f"crl:{self.server.base_url}/lcr/{slug}.crl"))
		self.server.down = True
		try:
			holder = self.pki.e_cpf("MARIA DA SILVA SOUZA", factory.LEGAL_CPF)
			checks = self.submit(holder)
		finally:
			self.server.down = False
		self.assert_review(checks, "revocation", "não foi possível verificar se o certificado foi revogado")

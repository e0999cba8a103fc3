"""Factories for the contract integration tests: a customer with its portal user, a case, a test PKI.

The PKI and the signing are the demo's signing fixture (``setup.demo_signing``: a root CA, an A1-like signer whose
CN is ``NAME:CPF``, incremental PAdES signatures); the tests pin its root as "AC Raiz de Teste".
"""

from __future__ import annotations

import time

import frappe
from frappe.utils import add_days, nowdate

from fiber_onboarding.setup.demo_signing import (
	DEFAULT_ROOT_LABEL,
	SigningPki,
	make_pki,
	pin_trust_root,
	sign_pdf,
)
from fiber_onboarding.tests.billing_factory import make_portal_user

VALID_CNPJS = ("11222333000181", "11444777000161", "45997418000153", "04252011000110", "33000167000101")
LEGAL_NAME = "Maria da Silva Souza"
LEGAL_CPF = "52998224725"


def unique(prefix: str) -> str:
	return f"{prefix}-{frappe.generate_hash(length=8)}"


def make_customer(portal_user: str | None = None) -> str:
	customer = frappe.get_doc(
		{
			"doctype": "Customer",
			"customer_name": unique("Empresa Teste"),
			"customer_type": "Company",
			"customer_group": frappe.db.get_value("Customer Group", {"is_group": 0}, "name")
			or frappe.db.get_value("Customer Group", {}, "name"),
			"territory": frappe.db.get_value("Territory", {"is_group": 0}, "name")
			or frappe.db.get_value("Territory", {}, "name"),
		}
	)
	if portal_user:
		customer.append("portal_users", {"user": portal_user})
	customer.insert(ignore_permissions=True)
	return customer.name


def make_proposal(**values) -> str:
	doc = frappe.get_doc(
		{
			"doctype": "Fiber Proposal",
			"proposal_number": unique("PROP").upper(),
			"company_name": values.get("company_name", "Empresa Teste Ltda"),
			"valid_until": add_days(nowdate(), 30),
			"bandwidth_mbps": values.get("bandwidth_mbps", 500),
			"term_months": values.get("term_months", 36),
			"sla_business_days": values.get("sla_business_days", 30),
			"setup_fee": values.get("setup_fee", 1500),
			"monthly_fee": values.get("monthly_fee", 899.9),
			"terms": values.get("terms"),
		}
	)
	doc.insert(ignore_permissions=True)
	return doc.name


def make_case(portal_user: str | None = None, legal_email: str | None = None, **values):
	"""A case (Fiber Onboarding) of a fresh Customer whose portal user is ``portal_user``."""
	customer = make_customer(portal_user)
	proposal = make_proposal(**values)
	cnpj = VALID_CNPJS[frappe.db.count("Fiber Onboarding") % len(VALID_CNPJS)]
	case = frappe.get_doc(
		{
			"doctype": "Fiber Onboarding",
			"proposal": proposal,
			"customer": customer,
			"portal_user": portal_user,
			"company_name": frappe.db.get_value("Customer", customer, "customer_name"),
			"cnpj": cnpj,
			"site_identifier": "matriz-sp",
			"address_line1": "Avenida Paulista",
			"address_number": "1000",
			"neighborhood": "Bela Vista",
			"city": "São Paulo",
			"state": "SP",
			"cep": "01310100",
			"legal_name": values.get("legal_name", LEGAL_NAME),
			"legal_cpf": values.get("legal_cpf", LEGAL_CPF),
			"legal_email": legal_email or f"juridico-{frappe.generate_hash(length=6)}@cliente.example.com",
			"tech_name": "Técnico Responsável",
			"tech_email": f"ti-{frappe.generate_hash(length=6)}@cliente.example.com",
			"sla_business_days": values.get("sla_business_days", 30),
		}
	)
	# an explicit name: no lock on the ONB naming series, which other test classes on the shared site hold
	# for their whole transaction (a lock taken in another order than theirs deadlocks)
	case.insert(ignore_permissions=True, set_name=unique("ONB-TEST").upper())
	return case


# ---------------------------------------------------------------------------------------------------------------
# Test PKI and signing: the demo's signing fixture (setup.demo_signing), with the tests' root label
# ---------------------------------------------------------------------------------------------------------------


def trust_test_root(pki: SigningPki, label: str = DEFAULT_ROOT_LABEL, kind: str = "ICP-Brasil"):
	"""Pin the test root in Fiber Onboarding Settings, replacing an earlier one of that label.

	Other test classes on the shared site may be saving the settings at the same moment: a deadlock with them
	is retried (this runs first in setUpClass, so the rolled-back transaction held nothing else of ours).
	"""
	for attempt in range(5):
		try:
			pin_trust_root(pki, label, kind)
			return
		except (frappe.QueryDeadlockError, frappe.QueryTimeoutError):
			if attempt == 4:
				raise
			frappe.db.rollback()
			time.sleep(2)

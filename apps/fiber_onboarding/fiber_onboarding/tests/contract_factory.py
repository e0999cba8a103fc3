"""Factories for the contract integration tests: a customer with its portal user, a case, a test PKI.

The PKI imitates ICP-Brasil: a root CA and an A1-like signer certificate whose CN is ``NAME:CPF``; PDFs are
signed incrementally with pyHanko (PAdES), like a signing tool that appends the signature to the issued file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from functools import lru_cache

import frappe
from frappe.utils import add_days, nowdate

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
# Test PKI and signing
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TestPki:
	root_pem: bytes
	root_der: bytes
	signer_cert_der: bytes
	signer_key_der: bytes

	@property
	def root_sha256(self) -> str:
		return hashlib.sha256(self.root_pem).hexdigest()


@lru_cache(maxsize=4)
def make_pki(
	signer_cn: str = f"{LEGAL_NAME.upper()}:{LEGAL_CPF}", root_cn: str = "AC Raiz de Teste"
) -> TestPki:
	"""Root CA -> signer certificate (EC P-256: fast to generate), with non-repudiation like an A1."""
	from cryptography import x509
	from cryptography.hazmat.primitives import hashes, serialization
	from cryptography.hazmat.primitives.asymmetric import ec
	from cryptography.x509.oid import NameOID

	now = dt.datetime.now(dt.timezone.utc)
	root_key = ec.generate_private_key(ec.SECP256R1())
	root_name = x509.Name(
		[
			x509.NameAttribute(NameOID.COUNTRY_NAME, "BR"),
			x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Teste"),
			x509.NameAttribute(NameOID.COMMON_NAME, root_cn),
		]
	)
	usage = dict(
		key_encipherment=False,
		data_encipherment=False,
		key_agreement=False,
		encipher_only=False,
		decipher_only=False,
	)
	root = (
		x509.CertificateBuilder()
		.subject_name(root_name)
		.issuer_name(root_name)
		.public_key(root_key.public_key())
		.serial_number(x509.random_serial_number())
		.not_valid_before(now - dt.timedelta(days=1))
		.not_valid_after(now + dt.timedelta(days=3650))
		.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
		.add_extension(
			x509.KeyUsage(
				digital_signature=False, content_commitment=False, key_cert_sign=True, crl_sign=True, **usage
			),
			critical=True,
		)
		.add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
		.sign(root_key, hashes.SHA256())
	)
	signer_key = ec.generate_private_key(ec.SECP256R1())
	signer = (
		x509.CertificateBuilder()
		.subject_name(
			x509.Name(
				[
					x509.NameAttribute(NameOID.COUNTRY_NAME, "BR"),
					x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ICP-Brasil (teste)"),
					x509.NameAttribute(NameOID.COMMON_NAME, signer_cn),
				]
			)
		)
		.issuer_name(root_name)
		.public_key(signer_key.public_key())
		.serial_number(x509.random_serial_number())
		.not_valid_before(now - dt.timedelta(days=1))
		.not_valid_after(now + dt.timedelta(days=365))
		.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
		.add_extension(
			x509.KeyUsage(
				digital_signature=True, content_commitment=True, key_cert_sign=False, crl_sign=False, **usage
			),
			critical=True,
		)
		.add_extension(
			x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False
		)
		.sign(root_key, hashes.SHA256())
	)
	return TestPki(
		root_pem=root.public_bytes(serialization.Encoding.PEM),
		root_der=root.public_bytes(serialization.Encoding.DER),
		signer_cert_der=signer.public_bytes(serialization.Encoding.DER),
		signer_key_der=signer_key.private_bytes(
			serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
		),
	)


def sign_pdf(pdf: bytes, pki: TestPki) -> bytes:
	"""Sign ``pdf`` incrementally (PAdES, detached CMS), the way signing tools append to the issued file."""
	from asn1crypto import keys, x509
	from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
	from pyhanko.sign import fields, signers
	from pyhanko_certvalidator.registry import SimpleCertificateStore

	signer = signers.SimpleSigner(
		signing_cert=x509.Certificate.load(pki.signer_cert_der),
		signing_key=keys.PrivateKeyInfo.load(pki.signer_key_der),
		cert_registry=SimpleCertificateStore.from_certs([x509.Certificate.load(pki.root_der)]),
	)
	writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
	out = signers.sign_pdf(
		writer,
		signers.PdfSignatureMetadata(
			field_name="AssinaturaContratante", subfilter=fields.SigSeedSubFilter.PADES
		),
		signer=signer,
	)
	return out.getvalue()


def trust_test_root(pki: TestPki, label: str = "AC Raiz de Teste"):
	"""Pin the test root in Fiber Onboarding Settings (a PEM text row), replacing an earlier one of that label.

	Writes the child row alone (no save of the whole single): other test classes on the shared site may be
	saving the settings at the same moment; in tests a deadlock with them is retried (this runs first in
	setUpClass, so the rolled-back transaction held nothing else of ours).
	"""
	import time

	settings_name = "Fiber Onboarding Settings"
	values = {
		"label": label,
		"kind": "ICP-Brasil",
		"enabled": 1,
		"pem": pki.root_pem.decode(),
		"sha256": pki.root_sha256,
	}
	for attempt in range(5):
		try:
			frappe.db.delete("Fiber Trust Root", {"parent": settings_name, "label": label})
			frappe.get_single(settings_name).append("trust_roots", values).db_insert()
			break
		except (frappe.QueryDeadlockError, frappe.QueryTimeoutError):
			if attempt == 4 or not frappe.flags.in_test:  # outside tests (demo data) the caller decides
				raise
			frappe.db.rollback()
			time.sleep(2)
	frappe.clear_document_cache(settings_name, settings_name)

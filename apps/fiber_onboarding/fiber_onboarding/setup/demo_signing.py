"""Signing material of its own for the demo (and the tests): a root CA, an A1-like signer certificate and an
incremental PAdES signature, so the demo's contract is signed, checked and accepted like a customer's.

The PKI imitates ICP-Brasil: a root CA and a signer certificate whose CN is ``NAME:CPF``; PDFs are signed
incrementally with pyHanko (PAdES), like a signing tool that appends the signature to the issued file. The demo
pins its root in the settings as "AC Raiz de Demonstração" (``setup.demo``); the tests pin theirs as
"AC Raiz de Teste" (``tests.contract_factory``). Never a production trust root.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from functools import lru_cache

import frappe

DEFAULT_SIGNER_CN = "MARIA DA SILVA SOUZA:52998224725"
DEFAULT_ROOT_LABEL = "AC Raiz de Teste"


@dataclass(frozen=True)
class SigningPki:
	root_pem: bytes
	root_der: bytes
	signer_cert_der: bytes
	signer_key_der: bytes
	crl_der: bytes = b""  # the root's (empty) CRL: embedded as revocation data by ``sign_pdf``

	@property
	def root_sha256(self) -> str:
		return hashlib.sha256(self.root_pem).hexdigest()


@lru_cache(maxsize=4)
def make_pki(signer_cn: str = DEFAULT_SIGNER_CN, root_cn: str = DEFAULT_ROOT_LABEL) -> SigningPki:
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
	crl = (
		x509.CertificateRevocationListBuilder()
		.issuer_name(root_name)
		.last_update(now - dt.timedelta(days=1))
		.next_update(now + dt.timedelta(days=3650))
		.sign(root_key, hashes.SHA256())
	)
	return SigningPki(
		crl_der=crl.public_bytes(serialization.Encoding.DER),
		root_pem=root.public_bytes(serialization.Encoding.PEM),
		root_der=root.public_bytes(serialization.Encoding.DER),
		signer_cert_der=signer.public_bytes(serialization.Encoding.DER),
		signer_key_der=signer_key.private_bytes(
			serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
		),
	)


def sign_pdf(pdf: bytes, pki: SigningPki) -> bytes:
	"""Sign ``pdf`` incrementally (PAdES, detached CMS), the way signing tools append to the issued file, then
	add the root's CRL to the Document Security Store (PAdES-LT): the check establishes revocation offline,
	as for a customer's signer that embeds revocation data (the demo PKI publishes no CRL on the network)."""
	from asn1crypto import crl, keys, x509
	from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
	from pyhanko.sign import fields, signers
	from pyhanko.sign.validation.dss import DocumentSecurityStore
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
	if not pki.crl_der:
		return out.getvalue()
	buf = io.BytesIO(out.getvalue())
	DocumentSecurityStore.add_dss(buf, None, crls=[crl.CertificateList.load(pki.crl_der)], force_write=True)
	return buf.getvalue()


def pin_trust_root(pki: SigningPki, label: str = DEFAULT_ROOT_LABEL, kind: str = "ICP-Brasil"):
	"""Pin the PKI's root in Fiber Onboarding Settings (a PEM text row), replacing an earlier one of that label.

	Writes the child row alone (no save of the whole single), so staff edits of the settings are left alone.
	"""
	settings_name = "Fiber Onboarding Settings"
	values = {
		"label": label,
		"kind": kind,
		"enabled": 1,
		"pem": pki.root_pem.decode(),
		"sha256": pki.root_sha256,
	}
	frappe.db.delete("Fiber Trust Root", {"parent": settings_name, "label": label})
	frappe.get_single(settings_name).append("trust_roots", values).db_insert()
	frappe.clear_document_cache(settings_name, settings_name)

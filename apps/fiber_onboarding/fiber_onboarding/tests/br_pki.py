"""A test PKI shaped like the two hierarchies a Brazilian contract signature chains to, and a local revocation
server (CRL + OCSP over HTTP on 127.0.0.1) that the tests start and stop themselves.

ICP-Brasil profile (DOC-ICP-04): root -> "AC ... Multipla" (an AC of the 1st level) -> end-entity A1 certificate
with policy 2.16.76.1.2.1.x, keyUsage digitalSignature + nonRepudiation + keyEncipherment (critical), EKU
clientAuth + emailProtection, SAN otherNames (e-CPF: 2.16.76.1.3.1 birth date + CPF + NIS + RG + UF; e-CNPJ:
2.16.76.1.3.2 responsible's name, 2.16.76.1.3.3 CNPJ, 2.16.76.1.3.4 responsible's data), a CRL distribution point
and an AIA OCSP URL; CN "NAME:CPF" (e-CPF) or "COMPANY:CNPJ" (e-CNPJ).

gov.br profile (as observed in certificates of "AC Final do Governo Federal do Brasil v1"): root -> intermediate
-> AC Final -> end-entity with CN = the name only, policy 2.16.76.3.2.1.1, keyUsage digitalSignature only
(critical), EKU clientAuth + emailProtection, SAN otherName 2.16.76.1.3.1 (45 digits: birth date, CPF, NIS, RG)
plus an e-mail, a CRL distribution point and no OCSP.

Every date is fixed and far from today (certificates valid 2020-2099, the expired one ended in 2021, CRLs and
OCSP answers valid until 2099): no test depends on when it runs.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

UTC = dt.timezone.utc
START = dt.datetime(2020, 1, 1, tzinfo=UTC)
END = dt.datetime(2099, 12, 31, tzinfo=UTC)
THIS_UPDATE = dt.datetime(2020, 6, 2, tzinfo=UTC)
NEXT_UPDATE = dt.datetime(2099, 1, 1, tzinfo=UTC)
REVOKED_AT = dt.datetime(2020, 6, 1, tzinfo=UTC)

ICP_POLICY_A1 = "2.16.76.1.2.1.1"  # an e-CPF/e-CNPJ A1 policy arc of ICP-Brasil (the AC's own number follows)
GOVBR_POLICY = "2.16.76.3.2.1.1"


def _key():
	return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(cn: str, org: str = "ICP-Brasil", ou: str | None = None) -> x509.Name:
	attrs = [
		x509.NameAttribute(NameOID.COUNTRY_NAME, "BR"),
		x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
	]
	if ou:
		attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou))
	attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
	return x509.Name(attrs)


def _usage(*, ca=False, nonrep=True, encipher=True):
	return x509.KeyUsage(
		digital_signature=not ca,
		content_commitment=nonrep and not ca,
		key_encipherment=encipher and not ca,
		data_encipherment=False,
		key_agreement=False,
		key_cert_sign=ca,
		crl_sign=ca,
		encipher_only=False,
		decipher_only=False,
	)


def _other_name(oid: str, text: str) -> x509.OtherName:
	value = text.encode("ascii")
	return x509.OtherName(x509.ObjectIdentifier(oid), b"\x04" + bytes([len(value)]) + value)  # OCTET STRING


def person_data(cpf: str, birth: str = "01011980") -> str:
	"""2.16.76.1.3.1 / 3.4 content: birth date (8) + CPF (11) + NIS (11) + RG (15) + issuer/UF (6)."""
	return birth + cpf + "0" * 11 + "000000012345678" + "SSPSP "


@dataclass
class Ca:
	name: x509.Name
	key: object
	cert: x509.Certificate
	slug: str
	revoked: dict = field(default_factory=dict)  # serial -> revocation date

	@property
	def der(self) -> bytes:
		return self.cert.public_bytes(serialization.Encoding.DER)

	@property
	def pem(self) -> bytes:
		return self.cert.public_bytes(serialization.Encoding.PEM)

	def crl(self) -> bytes:
		builder = (
			x509.CertificateRevocationListBuilder()
			.issuer_name(self.name)
			.last_update(THIS_UPDATE)
			.next_update(NEXT_UPDATE)
		)
		for serial, when in self.revoked.items():
			builder = builder.add_revoked_certificate(
				x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build()
			)
		return builder.sign(self.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


@dataclass
class Holder:
	cert: x509.Certificate
	key: object
	chain: list  # issuing CAs, nearest first (root last)

	@property
	def der(self) -> bytes:
		return self.cert.public_bytes(serialization.Encoding.DER)


class BrPki:
	"""Both hierarchies, their CAs' CRLs and OCSP answers published under ``base_url``."""

	def __init__(self, base_url: str, label: str = "Teste"):
		self.base = base_url.rstrip("/")
		self.icp_root = self._root(f"AC Raiz de {label} ICP-Brasil v99", "icp-raiz")
		self.icp_ac = self._ca(f"AC {label} Multipla v1", "icp-ac", self.icp_root)
		self.gov_root = self._root("AC Raiz de Teste do Governo Federal v1", "gov-raiz", org="Gov-Br")
		self.gov_mid = self._ca(
			"AC Intermediaria de Teste do Governo Federal v1", "gov-mid", self.gov_root, "Gov-Br"
		)
		self.gov_final = self._ca(
			"AC Final de Teste do Governo Federal v1", "gov-final", self.gov_mid, "Gov-Br"
		)
		self.cas = {
			ca.slug: ca for ca in (self.icp_root, self.icp_ac, self.gov_root, self.gov_mid, self.gov_final)
		}
		self.ocsp_issuers = {"icp-ac": self.icp_ac}
		self.issued: dict[int, x509.Certificate] = {}  # serial -> certificate (the OCSP responder needs it)

	def _issue(
		self, subject, key, issuer: Ca | None, *, ca: bool, extra=(), start=START, end=END, issuer_slug=None
	):
		signer_name, signer_key = (issuer.name, issuer.key) if issuer else (subject, key)
		builder = (
			x509.CertificateBuilder()
			.subject_name(subject)
			.issuer_name(signer_name)
			.public_key(key.public_key())
			.serial_number(x509.random_serial_number())
			.not_valid_before(start)
			.not_valid_after(end)
			.add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
			.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
		)
		if issuer:
			builder = builder.add_extension(
				x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False
			).add_extension(
				x509.CRLDistributionPoints(
					[
						x509.DistributionPoint(
							[x509.UniformResourceIdentifier(f"{self.base}/lcr/{issuer.slug}.crl")],
							None,
							None,
							None,
						)
					]
				),
				critical=False,
			)
		for ext, critical in extra:
			builder = builder.add_extension(ext, critical=critical)
		return builder.sign(signer_key, hashes.SHA256())

	def _root(self, cn: str, slug: str, org: str = "ICP-Brasil") -> Ca:
		key = _key()
		name = _name(cn, org)
		cert = self._issue(name, key, None, ca=True, extra=[(_usage(ca=True), True)])
		return Ca(name, key, cert, slug)

	def _ca(self, cn: str, slug: str, parent: Ca, org: str = "ICP-Brasil") -> Ca:
		key = _key()
		name = _name(cn, org, ou=parent.name.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)
		cert = self._issue(name, key, parent, ca=True, extra=[(_usage(ca=True), True)])
		return Ca(name, key, cert, slug)

	def _eku(self):
		return (
			x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.EMAIL_PROTECTION]),
			False,
		)

	def e_cpf(self, name: str, cpf: str, *, expired: bool = False) -> Holder:
		"""ICP-Brasil A1 e-CPF of ``name`` (CN "NAME:CPF", otherName 2.16.76.1.3.1), issued by the test AC."""
		ac = self.icp_ac
		key = _key()
		extra = [
			(_usage(), True),
			self._eku(),
			(
				x509.CertificatePolicies(
					[x509.PolicyInformation(x509.ObjectIdentifier(ICP_POLICY_A1), None)]
				),
				False,
			),
			(x509.SubjectAlternativeName([_other_name("2.16.76.1.3.1", person_data(cpf))]), False),
			(
				x509.AuthorityInformationAccess(
					[
						x509.AccessDescription(
							x509.oid.AuthorityInformationAccessOID.OCSP,
							x509.UniformResourceIdentifier(f"{self.base}/ocsp/{ac.slug}"),
						)
					]
				),
				False,
			),
		]
		dates = {"start": START, "end": dt.datetime(2021, 1, 1, tzinfo=UTC)} if expired else {}
		cert = self._issue(
			_name(f"{name}:{cpf}", ou=ac.name.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value),
			key,
			ac,
			ca=False,
			extra=extra,
			**dates,
		)
		return self._holder(cert, key, ac)

	def e_cnpj(self, company: str, cnpj: str, responsible: str, cpf: str) -> Holder:
		"""ICP-Brasil A1 e-CNPJ: CN "COMPANY:CNPJ"; otherNames 3.2 (name), 3.3 (CNPJ), 3.4 (responsible's data)."""
		key = _key()
		san = x509.SubjectAlternativeName(
			[
				_other_name("2.16.76.1.3.4", person_data(cpf)),
				_other_name("2.16.76.1.3.2", responsible),
				_other_name("2.16.76.1.3.3", cnpj),
			]
		)
		extra = [
			(_usage(), True),
			self._eku(),
			(
				x509.CertificatePolicies(
					[x509.PolicyInformation(x509.ObjectIdentifier(ICP_POLICY_A1), None)]
				),
				False,
			),
			(san, False),
		]
		cert = self._issue(_name(f"{company}:{cnpj}"), key, self.icp_ac, ca=False, extra=extra)
		return self._holder(cert, key, self.icp_ac)

	def gov_br(self, name: str, cpf: str) -> Holder:
		"""gov.br signature certificate: CN = name, otherName 2.16.76.1.3.1, digitalSignature only, CRL only."""
		key = _key()
		san = x509.SubjectAlternativeName(
			[_other_name("2.16.76.1.3.1", person_data(cpf)[:45]), x509.RFC822Name("pessoa@exemplo.com.br")]
		)
		extra = [
			(_usage(nonrep=False, encipher=False), True),
			self._eku(),
			(
				x509.CertificatePolicies([x509.PolicyInformation(x509.ObjectIdentifier(GOVBR_POLICY), None)]),
				False,
			),
			(san, False),
		]
		cert = self._issue(
			x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]),
			key,
			self.gov_final,
			ca=False,
			extra=extra,
		)
		return self._holder(cert, key, self.gov_final)

	def _chain(self, ca: Ca) -> list[Ca]:
		chain = [ca]
		while True:
			issuer = chain[-1].cert.issuer
			if issuer == chain[-1].cert.subject:
				return chain
			chain.append(next(c for c in self.cas.values() if c.name == issuer))

	def revoke(self, holder: Holder) -> None:
		holder.chain[0].revoked[holder.cert.serial_number] = REVOKED_AT

	def ocsp_answer(self, slug: str, request_der: bytes) -> bytes:
		ca = self.ocsp_issuers[slug]
		request = ocsp.load_der_ocsp_request(request_der)
		serial = request.serial_number
		# the certificate itself is needed by the builder: find it among the issued ones
		cert = self.issued[serial]
		status = ocsp.OCSPCertStatus.REVOKED if serial in ca.revoked else ocsp.OCSPCertStatus.GOOD
		builder = (
			ocsp.OCSPResponseBuilder()
			.add_response(
				cert=cert,
				issuer=ca.cert,
				algorithm=hashes.SHA1(),
				cert_status=status,
				this_update=THIS_UPDATE,
				next_update=NEXT_UPDATE,
				revocation_time=ca.revoked.get(serial),
				revocation_reason=x509.ReasonFlags.key_compromise if serial in ca.revoked else None,
			)
			.responder_id(ocsp.OCSPResponderEncoding.HASH, ca.cert)
		)
		return builder.sign(ca.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

	def _holder(self, cert, key, ca: Ca) -> Holder:
		self.issued[cert.serial_number] = cert
		return Holder(cert, key, self._chain(ca))


def sign(
	pdf: bytes,
	holder: Holder,
	*,
	field_name: str = "AssinaturaContratante",
	timestamper=None,
	chain: bool = True,
) -> bytes:
	"""Sign ``pdf`` incrementally with pyHanko (PAdES, intermediates embedded unless ``chain=False``, which is
	what the gov.br signer does: only the signer's certificate), optionally with a signature timestamp; no
	revocation data embedded (the checker must fetch it)."""
	from asn1crypto import keys
	from asn1crypto import x509 as asn1_x509
	from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
	from pyhanko.sign import fields, signers
	from pyhanko_certvalidator.registry import SimpleCertificateStore

	key_der = holder.key.private_bytes(
		serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
	)
	cas = [asn1_x509.Certificate.load(ca.der) for ca in holder.chain] if chain else []
	signer = signers.SimpleSigner(
		signing_cert=asn1_x509.Certificate.load(holder.der),
		signing_key=keys.PrivateKeyInfo.load(key_der),
		cert_registry=SimpleCertificateStore.from_certs(cas),
	)
	writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
	meta = signers.PdfSignatureMetadata(field_name=field_name, subfilter=fields.SigSeedSubFilter.PADES)
	return signers.sign_pdf(writer, meta, signer=signer, timestamper=timestamper).getvalue()


class RevocationServer:
	"""CRLs at ``/lcr/<ca>.crl`` and an OCSP responder at ``/ocsp/<ca>`` on 127.0.0.1 (RFC 5280 / RFC 6960 over
	HTTP: GET for CRLs, POST application/ocsp-request). ``hits`` counts requests per path; ``down`` makes every
	answer a 503."""

	def __init__(self):
		self.pki: BrPki | None = None
		self.hits: dict[str, int] = {}
		self.down = False
		server = self

		class Handler(BaseHTTPRequestHandler):
			def log_message(self, *args):
				pass

			def _reply(self, code: int, body: bytes, ctype: str):
				self.send_response(code)
				self.send_header("Content-Type", ctype)
				self.send_header("Content-Length", str(len(body)))
				self.end_headers()
				self.wfile.write(body)

			def do_GET(self):
				server.hits[self.path] = server.hits.get(self.path, 0) + 1
				slug = self.path.removeprefix("/lcr/").removesuffix(".crl")
				if server.down or not self.path.startswith("/lcr/") or slug not in server.pki.cas:
					return self._reply(503 if server.down else 404, b"", "text/plain")
				self._reply(200, server.pki.cas[slug].crl(), "application/pkix-crl")

			def do_POST(self):
				server.hits[self.path] = server.hits.get(self.path, 0) + 1
				body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
				slug = self.path.removeprefix("/ocsp/")
				if server.down or slug not in server.pki.ocsp_issuers:
					return self._reply(503 if server.down else 404, b"", "text/plain")
				self._reply(200, server.pki.ocsp_answer(slug, body), "application/ocsp-response")

		self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
		self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
		self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

	def __enter__(self):
		self.thread.start()
		return self

	def __exit__(self, *exc):
		self.httpd.shutdown()
		self.httpd.server_close()
		self.thread.join()
		return False

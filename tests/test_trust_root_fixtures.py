"""The trust-root fixtures shipped in ``fiber_contracts/roots`` (issue #18, "Trusted signatures out of the box").

Core tier: no frappe. Every ``*.pem`` in the folder carries a ``#`` header (subject CN, SHA-256 of the DER
certificate, ITI source URL, recorded date, where the bytes came from); ``check_fixture`` proves that header
against the certificate itself and that the certificate is a self-signed CA root. The same function is run on
tampered copies, so a wrong header or a non-root certificate is shown to fail.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

ROOTS_DIR = (
	Path(__file__).resolve().parents[1] / "apps/fiber_onboarding/fiber_onboarding/fiber_contracts/roots"
)

# The roots a Brazilian company's document signature must be able to chain to: ICP-Brasil v5 and v12 at least,
# and the root of the gov.br signature ("assinatura eletrônica avançada").
GOVBR_CN = "Autoridade Certificadora Raiz do Governo Federal do Brasil v1"
EXPECTED_CNS = {
	"Autoridade Certificadora Raiz Brasileira v5",
	"Autoridade Certificadora Raiz Brasileira v12",
	GOVBR_CN,
}
# TLS (v10) and code-signing (v11) roots must not become document-signing anchors.
FORBIDDEN_CNS = {
	"Autoridade Certificadora Raiz Brasileira v10",
	"Autoridade Certificadora Raiz Brasileira v11",
}
# Where ITI publishes its roots: acraiz.icpbrasil.gov.br (ICP-Brasil), repo.iti.br / *.iti.gov.br (ITI),
# www.gov.br/iti/... (ITI's pages on the gov.br portal).
ITI_HOSTS = re.compile(r"^(?:[\w-]+\.)*(?:icpbrasil\.gov\.br|iti\.gov\.br|iti\.br)$")
FINGERPRINT = re.compile(r"^(?:[0-9A-F]{2}:){31}[0-9A-F]{2}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
BEGIN = "-----BEGIN CERTIFICATE-----"


class FixtureError(AssertionError):
	"""A root fixture whose header does not match its certificate, or which is not a self-signed CA."""


def parse_fixture(text: str) -> tuple[dict[str, list[str]], x509.Certificate]:
	"""The header fields (``# Key: value`` lines before the certificate) and the single certificate."""
	head, sep, _ = text.partition(BEGIN)
	if not sep:
		raise FixtureError("no PEM certificate")
	if text.count(BEGIN) != 1:
		raise FixtureError("exactly one certificate per file")
	fields: dict[str, list[str]] = {}
	for line in head.splitlines():
		if not line.strip():
			continue
		match = re.match(r"^# ([A-Za-z0-9-]+): (.+)$", line)
		if not match:
			raise FixtureError(f"header line is not '# Key: value': {line!r}")
		fields.setdefault(match[1], []).append(match[2].strip())
	try:
		cert = x509.load_pem_x509_certificate(text[len(head) :].encode("ascii"))
	except ValueError as exc:
		raise FixtureError(f"certificate does not parse: {exc}") from exc
	return fields, cert


def _one(fields: dict[str, list[str]], key: str) -> str:
	values = fields.get(key) or []
	if len(values) != 1:
		raise FixtureError(f"header needs exactly one {key!r} line, has {len(values)}")
	return values[0]


def _self_signature_ok(cert: x509.Certificate) -> bool | None:
	"""True/False when the signature can be checked here; None when ``cryptography`` cannot load the key
	(v13's explicit-parameter brainpool curve), where the openssl check recorded in the README applies."""
	try:
		key = cert.public_key()
	except (UnsupportedAlgorithm, ValueError):
		return None
	try:
		cert.verify_directly_issued_by(cert)
	except InvalidSignature:
		return False
	except (UnsupportedAlgorithm, TypeError):
		if isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
			raise
		return None
	return True


def check_fixture(text: str) -> str:
	"""Check one fixture; return its subject CN or raise ``FixtureError``."""
	fields, cert = parse_fixture(text)
	der = cert.public_bytes(serialization.Encoding.DER)

	recorded = _one(fields, "SHA-256")
	if not FINGERPRINT.match(recorded):
		raise FixtureError(f"SHA-256 must be uppercase colon-separated hex: {recorded}")
	computed = ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())
	if recorded != computed or cert.fingerprint(hashes.SHA256()).hex().upper() != computed.replace(":", ""):
		raise FixtureError(f"SHA-256 in header {recorded} != certificate {computed}")

	cns = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
	if len(cns) != 1 or cns[0].value != _one(fields, "Subject-CN"):
		raise FixtureError(f"Subject-CN in header {_one(fields, 'Subject-CN')!r} != certificate {cns}")

	url = urlparse(_one(fields, "Source-URL"))
	if url.scheme not in ("http", "https") or not ITI_HOSTS.match(url.hostname or ""):
		raise FixtureError(f"Source-URL is not an ITI address: {url.geturl()}")
	if not DATE.match(_one(fields, "Recorded")):
		raise FixtureError(f"Recorded is not a YYYY-MM-DD date: {_one(fields, 'Recorded')}")
	if not fields.get("Bytes-From") or not fields.get("Fingerprint-Confirmed-By"):
		raise FixtureError("header must name where the bytes came from and who confirms the fingerprint")

	if cert.issuer != cert.subject:
		raise FixtureError("not self-signed: issuer != subject")
	try:
		basic = cert.extensions.get_extension_for_class(x509.BasicConstraints)
		usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
	except x509.ExtensionNotFound as exc:
		raise FixtureError(f"CA extension missing: {exc}") from exc
	if not (basic.critical and basic.value.ca):
		raise FixtureError("basicConstraints is not a critical ca=True")
	if not usage.key_cert_sign:
		raise FixtureError("keyUsage lacks keyCertSign")
	try:
		ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
		aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier
	except x509.ExtensionNotFound:
		ski = aki = None
	if aki is not None and aki != ski:
		raise FixtureError("authorityKeyIdentifier != subjectKeyIdentifier: not a root")
	if _self_signature_ok(cert) is False:
		raise FixtureError("self-signature does not verify")
	return cns[0].value


FIXTURES = sorted(ROOTS_DIR.glob("*.pem"))


def test_folder_has_fixtures_and_readme():
	assert (ROOTS_DIR / "README.md").is_file()
	assert FIXTURES, f"no PEM fixtures in {ROOTS_DIR}"


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fixture_header_matches_certificate(path):
	check_fixture(path.read_text(encoding="ascii"))


def test_expected_roots_present_and_unique():
	cns = [check_fixture(p.read_text(encoding="ascii")) for p in FIXTURES]
	assert len(cns) == len(set(cns)), f"duplicate roots: {cns}"
	assert EXPECTED_CNS <= set(cns), f"missing: {EXPECTED_CNS - set(cns)}"
	assert not FORBIDDEN_CNS & set(cns), "TLS/code-signing roots are not document-signing anchors"
	govbr = [p for p in FIXTURES if "Raiz do Governo Federal" in p.read_text(encoding="ascii")]
	assert govbr and all(check_fixture(p.read_text(encoding="ascii")) == GOVBR_CN for p in govbr)
	kinds = {
		check_fixture(p.read_text(encoding="ascii")): parse_fixture(p.read_text(encoding="ascii"))[0]["Kind"]
		for p in FIXTURES
	}
	assert kinds[GOVBR_CN] == ["gov.br"]  # recorded as "avançada", never as ICP-Brasil


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_core_trust_root_accepts_fixture_with_its_pin(path):
	"""The file, header included, is what a Fiber Trust Root row will hold: the core pin check must accept it."""
	from fiber_onboarding.core.pdfcheck import TrustRoot

	fields, _ = parse_fixture(path.read_text(encoding="ascii"))
	kind = "gov.br" if _one(fields, "Kind") == "gov.br" else "icp-brasil"
	TrustRoot.load(path, sha256=_one(fields, "SHA-256"), kind=kind).check()


def _swap_digit(fp: str) -> str:
	return ("1" if fp[0] != "1" else "2") + fp[1:]


def _tamper(name, text):
	head, sep, body = text.partition(BEGIN)
	if name == "fingerprint":
		fp = re.search(r"^# SHA-256: (\S+)$", head, re.M)[1]
		return head.replace(fp, _swap_digit(fp)) + sep + body
	if name == "fingerprint-lowercase":
		fp = re.search(r"^# SHA-256: (\S+)$", head, re.M)[1]
		return head.replace(fp, fp.lower()) + sep + body
	if name == "cn":
		return re.sub(r"^(# Subject-CN: .*)$", r"\1 X", head, flags=re.M) + sep + body
	if name == "source-url":
		return (
			re.sub(
				r"^# Source-URL: .*$", "# Source-URL: https://example.com/ICP-Brasilv5.crt", head, flags=re.M
			)
			+ sep
			+ body
		)
	if name == "no-date":
		return re.sub(r"^# Recorded: .*\n", "", head, flags=re.M) + sep + body
	if name == "bad-date":
		return re.sub(r"^# Recorded: .*$", "# Recorded: 06/12/2026", head, flags=re.M) + sep + body
	if name == "no-provenance":
		return re.sub(r"^# Bytes-From: .*\n", "", head, flags=re.M) + sep + body
	if name == "second-certificate":
		return text + sep + body
	if name == "certificate-byte":
		lines = body.splitlines(keepends=True)
		line = lines[3]
		lines[3] = line[:10] + ("A" if line[10] != "A" else "B") + line[11:]
		return head + sep + "".join(lines)
	raise AssertionError(name)


TAMPERINGS = [
	"fingerprint",
	"fingerprint-lowercase",
	"cn",
	"source-url",
	"no-date",
	"bad-date",
	"no-provenance",
	"second-certificate",
	"certificate-byte",
]


@pytest.mark.parametrize("tampering", TAMPERINGS)
def test_tampered_fixture_is_refused(tampering):
	original = (ROOTS_DIR / "icp-brasil-v5.pem").read_text(encoding="ascii")
	check_fixture(original)
	with pytest.raises(FixtureError):
		check_fixture(_tamper(tampering, original))


def _make_cert(*, ca: bool, self_signed: bool, forged: bool = False):
	"""A throwaway certificate with a header that matches it, to show the CA/self-signed checks bite."""
	import datetime

	from cryptography.hazmat.primitives.asymmetric import ec as _ec

	key = _ec.generate_private_key(_ec.SECP256R1())
	issuer_key = key if self_signed and not forged else _ec.generate_private_key(_ec.SECP256R1())
	name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Teste")])
	issuer = name if self_signed else x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Outra")])
	now = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
	cert = (
		x509.CertificateBuilder()
		.subject_name(name)
		.issuer_name(issuer)
		.public_key(key.public_key())
		.serial_number(1)
		.not_valid_before(now)
		.not_valid_after(now + datetime.timedelta(days=1))
		.add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
		.add_extension(
			x509.KeyUsage(
				digital_signature=not ca,
				content_commitment=False,
				key_encipherment=False,
				data_encipherment=False,
				key_agreement=False,
				key_cert_sign=ca,
				crl_sign=ca,
				encipher_only=False,
				decipher_only=False,
			),
			critical=True,
		)
		.sign(issuer_key, hashes.SHA256())
	)
	der = cert.public_bytes(serialization.Encoding.DER)
	fp = ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())
	header = (
		f"# Subject-CN: Teste\n# Kind: Other\n# SHA-256: {fp}\n"
		"# Source-URL: https://acraiz.icpbrasil.gov.br/credenciadas/RAIZ/teste.crt\n# Recorded: 2026-12-06\n"
		"# Bytes-From: teste\n# Fingerprint-Confirmed-By: teste\n"
	)
	return header + cert.public_bytes(serialization.Encoding.PEM).decode()


def test_generated_self_signed_ca_passes():
	assert check_fixture(_make_cert(ca=True, self_signed=True)) == "Teste"


@pytest.mark.parametrize(
	("ca", "self_signed", "forged"),
	[(False, True, False), (True, False, False), (True, True, True)],
	ids=["end-entity", "not-self-signed", "root-name-other-key"],
)
def test_non_root_certificate_is_refused(ca, self_signed, forged):
	with pytest.raises(FixtureError):
		check_fixture(_make_cert(ca=ca, self_signed=self_signed, forged=forged))


def test_shipped_gov_br_intermediates_chain_to_the_shipped_root():
	"""``roots/intermediates/govbr-chain.pem``: the AC Intermediaria and AC Final of the gov.br chain (path helpers,
	since gov.br signatures embed only the signer's certificate) are CAs issued under the shipped gov.br root."""
	root = parse_fixture((ROOTS_DIR / "govbr-v1.pem").read_text(encoding="ascii"))[1]
	text = (ROOTS_DIR / "intermediates" / "govbr-chain.pem").read_text(encoding="ascii")
	certs = x509.load_pem_x509_certificates(text[text.index(BEGIN) :].encode("ascii"))
	mid, final = certs
	mid.verify_directly_issued_by(root)
	final.verify_directly_issued_by(mid)
	for cert in certs:
		assert cert.issuer != cert.subject  # never an anchor
		assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
	assert final.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == (
		"AC Final do Governo Federal do Brasil v1"
	)

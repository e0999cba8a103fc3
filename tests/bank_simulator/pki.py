"""A throw-away PKI for the bank simulator, generated at test time with ``cryptography``.

One test CA signs the simulator's server certificate (SAN 127.0.0.1 / localhost), the ISP's client
certificates (valid, expired, not yet valid) and "Inter's" webhook client certificate; a second, foreign CA
signs a certificate the simulator must refuse. Everything is written under ``folder`` (PEM files).
"""

from __future__ import annotations

import ipaddress
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["Issued", "TestPKI"]


@dataclass(frozen=True)
class Issued:
	"""A certificate and its key, as PEM text and as files."""

	name: str
	cert_pem: str
	key_pem: str
	cert_path: Path
	key_path: Path
	not_after: datetime


def _name(common_name: str) -> x509.Name:
	return x509.Name(
		[
			x509.NameAttribute(NameOID.COUNTRY_NAME, "BR"),
			x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Fiber Onboarding Tests"),
			x509.NameAttribute(NameOID.COMMON_NAME, common_name),
		]
	)


class _Authority:
	def __init__(self, common_name: str, now: datetime):
		self.key = ec.generate_private_key(ec.SECP256R1())
		self.name = _name(common_name)
		self.cert = (
			x509.CertificateBuilder()
			.subject_name(self.name)
			.issuer_name(self.name)
			.public_key(self.key.public_key())
			.serial_number(x509.random_serial_number())
			.not_valid_before(now - timedelta(days=1))
			.not_valid_after(now + timedelta(days=365))
			.add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
			.add_extension(
				x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
			)
			.add_extension(x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False)
			.sign(self.key, hashes.SHA256())
		)


class TestPKI:
	"""``ca_path`` (the bundle clients trust), ``server``, ``client``, ``inter_webhook`` and helpers."""

	__test__ = False  # not a pytest class

	def __init__(self, folder: Path, now: datetime | None = None):
		self.folder = Path(folder)
		self.folder.mkdir(parents=True, exist_ok=True)
		self.now = now or datetime.now(timezone.utc)
		self.ca = _Authority("Fiber Test Bank CA", self.now)
		self.ca_path = self.folder / "ca.pem"
		self.ca_path.write_bytes(self.ca.cert.public_bytes(serialization.Encoding.PEM))
		self.server = self.issue("127.0.0.1", server=True)
		self.client = self.issue("isp-client")
		self.inter_webhook = self.issue("inter-webhook-client")

	def issue(
		self,
		name: str,
		*,
		server: bool = False,
		valid_from: timedelta = timedelta(days=-1),
		valid_until: timedelta = timedelta(days=60),
		authority: _Authority | None = None,
	) -> Issued:
		authority = authority or self.ca
		key = ec.generate_private_key(ec.SECP256R1())
		builder = (
			x509.CertificateBuilder()
			.subject_name(_name(name))
			.issuer_name(authority.name)
			.public_key(key.public_key())
			.serial_number(x509.random_serial_number())
			.not_valid_before(self.now + valid_from)
			.not_valid_after(self.now + valid_until)
			.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
			.add_extension(
				x509.AuthorityKeyIdentifier.from_issuer_public_key(authority.key.public_key()), critical=False
			)
		)
		if server:
			builder = builder.add_extension(
				x509.SubjectAlternativeName(
					[x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
				),
				critical=False,
			).add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
		else:
			builder = builder.add_extension(
				x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
			)
		cert = builder.sign(authority.key, hashes.SHA256())
		cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
		key_pem = key.private_bytes(
			serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
		).decode()
		stem = name.replace(".", "_")
		cert_path, key_path = self.folder / f"{stem}.crt", self.folder / f"{stem}.key"
		cert_path.write_text(cert_pem)
		key_path.write_text(key_pem)
		return Issued(name, cert_pem, key_pem, cert_path, key_path, cert.not_valid_after_utc)

	def expired_client(self) -> Issued:
		return self.issue(
			"isp-client-expired", valid_from=timedelta(days=-400), valid_until=timedelta(days=-2)
		)

	def future_client(self) -> Issued:
		return self.issue("isp-client-future", valid_from=timedelta(days=5), valid_until=timedelta(days=400))

	def foreign_client(self) -> Issued:
		"""Valid dates, but signed by a CA the simulator does not trust."""
		return self.issue("isp-client-foreign", authority=_Authority("Unknown CA", self.now))

	def server_context(self) -> ssl.SSLContext:
		"""TLS server side that **requires** a client certificate of the test CA."""
		context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
		context.minimum_version = ssl.TLSVersion.TLSv1_2
		context.load_cert_chain(self.server.cert_path, self.server.key_path)
		context.load_verify_locations(cafile=str(self.ca_path))
		context.verify_mode = ssl.CERT_REQUIRED
		return context

	def client_context(self, identity: Issued | None = None) -> ssl.SSLContext:
		"""TLS client side trusting the test CA, presenting ``identity`` (default: Inter's webhook cert)."""
		identity = identity or self.inter_webhook
		context = ssl.create_default_context(cafile=str(self.ca_path))
		context.load_cert_chain(identity.cert_path, identity.key_path)
		return context

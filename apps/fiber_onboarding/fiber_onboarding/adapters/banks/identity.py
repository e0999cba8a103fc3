"""The company's client certificate for mutual TLS with a bank.

:func:`load_identity` reads the certificate and key (PEM text, PEM file path, or a PKCS#12 bundle), refuses an
expired / not yet valid certificate or a key of another certificate *before* any connection, and builds the
``ssl.SSLContext`` (trust roots: the given CA bundle, else certifi). The key only touches the disk re-encrypted
with a random one-time password, inside a private temporary directory removed at once (``ssl`` loads keys from
files only). :class:`TLSAdapter` makes a ``requests`` session use that context.
"""

from __future__ import annotations

import os
import secrets as _secrets
import ssl
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import certifi
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from requests.adapters import HTTPAdapter

from .errors import BankCertificateError

__all__ = ["ClientIdentity", "Secret", "TLSAdapter", "load_identity"]


class Secret:
	"""A secret value that never shows itself in ``repr``, ``str`` or f-strings (use :meth:`reveal`)."""

	__slots__ = ("_value",)

	def __init__(self, value):
		self._value = "" if value is None else str(value)

	def reveal(self) -> str:
		return self._value

	def __bool__(self) -> bool:
		return bool(self._value)

	def __repr__(self) -> str:
		return "Secret('***')"

	__str__ = __repr__

	def __format__(self, spec) -> str:
		return "***"


@dataclass(frozen=True, repr=False)
class ClientIdentity:
	context: ssl.SSLContext
	subject: str
	not_after: datetime

	def __repr__(self) -> str:
		return f"ClientIdentity({self.subject!r}, válido até {self.not_after:%d/%m/%Y})"


def _material(value, label: str) -> bytes:
	if isinstance(value, bytes | bytearray):
		return bytes(value)
	text = str(value or "").strip()
	if not text:
		raise BankCertificateError(f"{label} não informado.")
	if text.startswith("-----BEGIN"):
		return text.encode("ascii", "ignore")
	path = Path(text)
	try:
		return path.read_bytes()
	except OSError:
		raise BankCertificateError(f"Arquivo do {label.lower()} não encontrado ou ilegível: {path.name}.")


def _load(certificate, private_key, password: bytes | None):
	data = _material(certificate, "Certificado do cliente")
	if b"-----BEGIN" not in data:  # PKCS#12 (.pfx / .p12) bundle with the key inside
		try:
			key, leaf, extra = pkcs12.load_key_and_certificates(data, password)
		except ValueError:
			raise BankCertificateError(
				"Certificado do cliente ilegível: envie o .crt/.pem com a chave .key, ou o .pfx com a senha certa."
			)
		if key is None or leaf is None:
			raise BankCertificateError("O arquivo .pfx não contém o certificado e a chave privada.")
		return leaf, [leaf, *extra], key
	try:
		chain = x509.load_pem_x509_certificates(data)
	except ValueError:
		raise BankCertificateError(
			"Certificado do cliente ilegível (esperado PEM: -----BEGIN CERTIFICATE-----)."
		)
	key_data = _material(private_key, "Chave privada do certificado")
	try:
		key = serialization.load_pem_private_key(key_data, password)
	except (ValueError, TypeError):
		raise BankCertificateError("Chave privada ilegível ou senha da chave incorreta.")
	return chain[0], chain, key


def load_identity(
	certificate, private_key=None, *, password=None, ca_bundle=None, now=None
) -> ClientIdentity:
	"""Validate the company's certificate and build the mTLS context (raises :class:`BankCertificateError`)."""
	secret = password.reveal() if isinstance(password, Secret) else password
	secret = secret.encode() if isinstance(secret, str) and secret else (secret or None)
	leaf, chain, key = _load(certificate, private_key, secret)
	now = now or datetime.now(timezone.utc)
	subject = leaf.subject.rfc4514_string()
	if now < leaf.not_valid_before_utc:
		raise BankCertificateError(
			f"O certificado do cliente ({subject}) só é válido a partir de {leaf.not_valid_before_utc:%d/%m/%Y}."
		)
	if now > leaf.not_valid_after_utc:
		raise BankCertificateError(
			f"O certificado do cliente ({subject}) venceu em {leaf.not_valid_after_utc:%d/%m/%Y}: "
			"gere ou renove o certificado no banco e atualize-o no convênio. Nenhuma conexão foi feita."
		)
	spki = serialization.PublicFormat.SubjectPublicKeyInfo
	der = serialization.Encoding.DER
	if leaf.public_key().public_bytes(der, spki) != key.public_key().public_bytes(der, spki):
		raise BankCertificateError("A chave privada informada não corresponde ao certificado do cliente.")
	context = ssl.create_default_context(cafile=str(ca_bundle) if ca_bundle else certifi.where())
	context.minimum_version = ssl.TLSVersion.TLSv1_2
	one_time = _secrets.token_hex(32).encode()
	with tempfile.TemporaryDirectory(prefix="fo-mtls-") as folder:
		cert_path, key_path = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
		pem = serialization.Encoding.PEM
		with open(os.open(cert_path, os.O_WRONLY | os.O_CREAT, 0o600), "wb") as out:
			out.write(b"".join(c.public_bytes(pem) for c in chain))
		with open(os.open(key_path, os.O_WRONLY | os.O_CREAT, 0o600), "wb") as out:
			# traditional PEM encryption (AES-256-CBC) loads in microseconds; PKCS#8 would run a slow KDF twice
			fast = isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
			layout = (
				serialization.PrivateFormat.TraditionalOpenSSL if fast else serialization.PrivateFormat.PKCS8
			)
			out.write(key.private_bytes(pem, layout, serialization.BestAvailableEncryption(one_time)))
		context.load_cert_chain(cert_path, key_path, password=one_time)
	return ClientIdentity(context, subject, leaf.not_valid_after_utc)


class TLSAdapter(HTTPAdapter):
	def __init__(self, context: ssl.SSLContext, **kw):
		self._context = context
		super().__init__(**kw)

	def init_poolmanager(self, *args, **kw):
		kw["ssl_context"] = self._context
		return super().init_poolmanager(*args, **kw)

	def proxy_manager_for(self, *args, **kw):
		kw["ssl_context"] = self._context
		return super().proxy_manager_for(*args, **kw)

	def cert_verify(self, conn, url, verify, cert):
		# the context already holds the trust roots (ca_bundle or certifi) and the client chain: keep
		# verification on, but do not let requests reload a CA file into it for every new connection
		conn.cert_reqs = "CERT_REQUIRED"
		conn.ca_certs = conn.ca_cert_dir = None

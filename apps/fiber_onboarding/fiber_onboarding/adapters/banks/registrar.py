"""Base of the online registrars: settings, credentials, connection test and the richer result.

A bank module subclasses :class:`ApiRegistrar`, declares its ``ENVIRONMENTS`` (token URL, API base URL) and
``SCOPE``, and implements ``register``/``query``/``cancel`` with ``self.http`` (:class:`.transport.BankHttp`).

Construction never talks to the bank, but it validates the certificate (expired → :class:`BankCertificateError`
before any connection). ``credentials`` is a plain dict, as the Frappe side reads it from the agreement:

- ``client_id``, ``client_secret`` — of the application registered at the bank;
- ``certificate``, ``private_key`` — PEM text or file paths (or ``certificate`` = a .pfx bundle, no key);
- ``certificate_password`` — for an encrypted key or a .pfx (optional);
- bank specifics: BB ``app_key`` (developer_application_key); Inter ``account_number`` (x-conta-corrente).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from fiber_onboarding.core.bankapi import BankRegistrar, RegistrationResult
from fiber_onboarding.core.boleto import BankAccount

from .codes import code_problems
from .errors import BankConfigError, BankResponseError
from .transport import BankHttp, Secret, load_identity

__all__ = [
	"ApiRegistrar",
	"ApiRegistrationResult",
	"amount_or_none",
	"date_or_none",
	"money",
	"normalize_environment",
	"only_digits",
	"payer_document",
]

_ENVIRONMENT_NAMES = {
	"sandbox": "sandbox",
	"teste": "sandbox",
	"test": "sandbox",
	"homologation": "homologation",
	"homologacao": "homologation",
	"homologação": "homologation",
	"production": "production",
	"producao": "production",
	"produção": "production",
}


def only_digits(value) -> str:
	return "".join(ch for ch in str(value or "") if ch.isascii() and ch.isdigit())


def money(value) -> float:
	"""A JSON number with two decimals (both banks take amounts as numbers)."""
	return float(Decimal(value).quantize(Decimal("0.01")))


def amount_or_none(value) -> Decimal | None:
	try:
		return Decimal(str(value)).quantize(Decimal("0.01")) if value not in (None, "") else None
	except InvalidOperation:
		return None


def date_or_none(text) -> date | None:
	"""A bank date: ``dd.mm.aaaa`` (BB), ``aaaa-mm-dd`` (Inter) or ``dd/mm/aaaa``."""
	for fmt in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y"):
		try:
			return datetime.strptime(str(text or "").strip()[:10], fmt).date()
		except ValueError:
			continue
	return None


def payer_document(document) -> str:
	"""CPF/CNPJ without mask; alphanumeric CNPJ (2026) kept upper-case."""
	return "".join(ch for ch in str(document or "").upper() if ch.isascii() and ch.isalnum())


def normalize_environment(environment: str, allowed) -> str:
	name = _ENVIRONMENT_NAMES.get(str(environment or "").strip().lower(), "")
	if name not in allowed:
		raise BankConfigError(f"Ambiente {environment!r} inválido; use um de: {', '.join(sorted(allowed))}.")
	return name


@dataclass(frozen=True)
class ApiRegistrationResult(RegistrationResult):
	"""What an online registrar knows beyond :class:`RegistrationResult` (still one, for every caller)."""

	pix_txid: str = ""  # the bank's txid of the Pix charge (the payload itself may carry "***")
	bank_status: str = ""  # the bank's own state code/name, for the record
	paid_amount: Decimal | None = None
	paid_on: date | None = None
	read_back: bool = False  # True when the bank already had the title and it was read back (duplicate)
	problems: tuple[str, ...] = ()  # divergences between the bank's codes and ours (see codes.compare_codes)


class ApiRegistrar(BankRegistrar):
	"""Common part of the bank API registrars (subclasses set ``bank_name``, ``ENVIRONMENTS``, ``SCOPE``)."""

	mode = "api"
	bank_name = ""
	ENVIRONMENTS: dict[str, dict[str, str]] = {}
	SCOPE = ""
	TOKEN_AUTH = "basic"

	def __init__(
		self,
		account: BankAccount,
		credentials: dict | None = None,
		environment: str = "sandbox",
		*,
		base_url: str | None = None,
		token_url: str | None = None,
		ca_bundle=None,
		timeout: float = 10.0,
		clock=time.monotonic,
		now=None,
		**config,
	):
		super().__init__(account, **config)
		if not credentials:
			where = f" do convênio {config['agreement']}" if config.get("agreement") else ""
			raise BankConfigError(
				f"Credenciais da API do {self.bank_name}{where} não configuradas (client id, client secret, "
				"certificado e chave)."
			)
		self.environment = normalize_environment(environment, self.ENVIRONMENTS)
		urls = self.ENVIRONMENTS[self.environment]
		self.base_url = (base_url or urls["api"]).rstrip("/")
		self.token_url = token_url or urls["token"]
		self.client_id = str(credentials.get("client_id") or "").strip()
		self._client_secret = Secret(credentials.get("client_secret"))
		if not self.client_id or not self._client_secret:
			raise BankConfigError(f"Client id e client secret da API do {self.bank_name} são obrigatórios.")
		self.identity = load_identity(
			credentials.get("certificate"),
			credentials.get("private_key"),
			password=Secret(credentials.get("certificate_password")),
			ca_bundle=ca_bundle,
			now=now,
		)
		self.http = BankHttp(
			bank=self.bank_name,
			token_url=self.token_url,
			scope=self.SCOPE,
			client_id=self.client_id,
			client_secret=self._client_secret,
			identity=self.identity,
			timeout=timeout,
			token_auth=self.TOKEN_AUTH,
			describe=self.describe_error,
			clock=clock,
			secrets=self.extra_secrets(credentials),
		)

	def extra_secrets(self, credentials: dict) -> tuple[str, ...]:
		"""Further values to mask in messages (e.g. BB's app key)."""
		return ()

	def describe_error(self, response) -> str:
		"""The bank's error text from an answer (overridden per bank)."""
		return ""

	def __repr__(self) -> str:
		return (
			f"<{type(self).__name__} {self.bank_name} {self.environment} client_id={self.client_id!r} "
			f"certificado={self.identity.subject!r}>"
		)

	def close(self):
		self.http.close()

	def __enter__(self):
		return self

	def __exit__(self, *exc):
		self.close()

	def test_connection(self) -> str:
		"""Fetch a fresh token over mTLS; return a pt-BR confirmation or raise a :mod:`.errors` exception."""
		self.http.token(force=True)
		return (
			f"Conexão com o {self.bank_name} ({self.environment}) confirmada: token obtido com o certificado "
			f"{self.identity.subject}, válido até {self.identity.not_after:%d/%m/%Y}."
		)

	def code_divergences(self, boleto, barcode: str, line: str) -> tuple[str, ...]:
		"""Divergences of the bank's codes from the title; codes that are not a valid boleto raise."""
		if not (barcode or line):
			return ()
		invalid, divergent = code_problems(boleto, barcode, line)
		if invalid:
			raise BankResponseError(
				f"O {self.bank_name} devolveu códigos inválidos (não imprima este boleto): "
				+ " ".join(invalid),
				bank=self.bank_name,
			)
		return tuple(divergent)

	def url(self, path: str) -> str:
		return f"{self.base_url}/{path.lstrip('/')}"

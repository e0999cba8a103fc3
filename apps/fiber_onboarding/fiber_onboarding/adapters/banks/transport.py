"""HTTPS transport shared by the bank API clients: OAuth2 client-credentials token and error mapping.

:class:`BankHttp` sends the requests (a ``requests`` session using the mTLS context of :mod:`.identity`), caches
the access token until it expires (``clock`` is injectable), renews it **once** when the bank answers 401, and
turns transport failures, 401/403, 429 (``Retry-After``) and 5xx into :mod:`.errors` exceptions with pt-BR
messages. Exceptions are raised ``from None`` because ``requests`` messages carry URLs with query strings (BB's
app key), and urllib3's debug log lines get that key masked.
"""

from __future__ import annotations

import email.utils
import logging
import re
import threading
import time
from datetime import datetime, timezone

import requests

from .errors import (
	BankAuthError,
	BankCertificateError,
	BankConnectionError,
	BankRateLimitError,
	BankResponseError,
	BankServerError,
	BankTimeoutError,
	clean_text,
)
from .identity import ClientIdentity, Secret, TLSAdapter, load_identity

__all__ = ["BankHttp", "ClientIdentity", "Secret", "load_identity", "read_json", "retry_after_seconds"]

log = logging.getLogger(__name__)
_QUERY_SECRET = re.compile(r"((?:gw-(?:dev-)?app-key|client_secret|access_token)=)[^&\s\"']+", re.IGNORECASE)


class _RedactQuery(logging.Filter):
	"""urllib3 logs request lines with their query string at DEBUG: mask BB's app key (and any secret param)."""

	def filter(self, record: logging.LogRecord) -> bool:
		if isinstance(record.args, tuple):
			record.args = tuple(
				_QUERY_SECRET.sub(r"\1***", a) if isinstance(a, str) else a for a in record.args
			)
		if isinstance(record.msg, str):
			record.msg = _QUERY_SECRET.sub(r"\1***", record.msg)
		return True


logging.getLogger("urllib3.connectionpool").addFilter(_RedactQuery())


# ---------------------------------------------------------------------------------------------------------------
# HTTP + OAuth2
# ---------------------------------------------------------------------------------------------------------------


def retry_after_seconds(value, now: datetime | None = None) -> int | None:
	"""``Retry-After`` as whole seconds (delta-seconds or an HTTP date); None when absent or unreadable."""
	text = str(value or "").strip()
	if not text:
		return None
	if text.isdigit():
		return int(text)
	try:
		when = email.utils.parsedate_to_datetime(text)
	except (TypeError, ValueError):
		return None
	now = now or datetime.now(timezone.utc)
	return max(0, int((when - now).total_seconds() + 0.999))


def read_json(response: requests.Response, bank: str, what: str):
	"""The JSON body of a bank answer, or :class:`BankResponseError` naming the operation."""
	try:
		return response.json()
	except ValueError:
		raise BankResponseError(
			f"Resposta ilegível do {bank} ao {what} (HTTP {response.status_code}, não é JSON).",
			bank=bank,
			status=response.status_code,
		)


class BankHttp:
	"""One bank's HTTPS client: token cache, single refresh on 401, errors mapped to pt-BR exceptions.

	``token_auth`` is ``"basic"`` (client id/secret in HTTP Basic, as BB) or ``"form"`` (in the form, as Inter).
	``describe(response) -> str`` extracts the bank's own error text for 403/429/5xx messages.
	"""

	def __init__(
		self,
		*,
		bank: str,
		token_url: str,
		scope: str,
		client_id: str,
		client_secret: Secret,
		identity: ClientIdentity,
		timeout: float = 10.0,
		token_auth: str = "basic",
		describe=None,
		clock=time.monotonic,
		secrets=(),
	):
		self.bank = bank
		self.token_url = token_url
		self.scope = scope
		self.client_id = client_id
		self._client_secret = client_secret
		self.timeout = timeout
		self.token_auth = token_auth
		self.describe = describe or (lambda response: "")
		self.clock = clock
		self.certificate_expires = identity.not_after
		self._extra_secrets = tuple(Secret(s) for s in secrets if s)
		self._token: Secret | None = None
		self._expires_at = 0.0
		self._lock = threading.Lock()
		self.token_requests = 0
		self.session = requests.Session()
		self.session.mount("https://", TLSAdapter(identity.context))
		self.session.verify = True

	def __repr__(self) -> str:
		return f"BankHttp({self.bank!r}, client_id={self.client_id!r})"

	def secrets(self) -> tuple[str, ...]:
		token = self._token.reveal() if self._token else ""
		return (self._client_secret.reveal(), token, *(s.reveal() for s in self._extra_secrets))

	def clean(self, text) -> str:
		return clean_text(text, self.secrets())

	def close(self):
		self.session.close()

	# -- transport -------------------------------------------------------------------------------------------
	def _send(self, method: str, url: str, what: str, **kw) -> requests.Response:
		started = self.clock()
		try:
			response = self.session.request(method, url, timeout=self.timeout, allow_redirects=False, **kw)
		except requests.exceptions.SSLError:
			raise BankConnectionError(
				f"Falha na conexão segura (TLS) com o {self.bank} ao {what}: o banco recusou o certificado do "
				"cliente, ou o certificado do servidor não é confiável. Confira o certificado e a chave do "
				"convênio e o ambiente (sandbox/produção).",
				bank=self.bank,
			) from None
		except requests.exceptions.Timeout:
			raise BankTimeoutError(
				f"O {self.bank} não respondeu em {self.timeout:g} s ao {what}. Se era um registro, o título pode "
				"ter sido criado: consulte-o antes de tentar de novo.",
				bank=self.bank,
			) from None
		except requests.exceptions.RequestException as exc:
			raise BankConnectionError(
				f"Não foi possível conectar ao {self.bank} ao {what} ({type(exc).__name__}). "
				"Confira a rede e o ambiente configurado.",
				bank=self.bank,
			) from None
		path = url.split("?", 1)[0]
		log.info(
			"%s %s %s -> %s (%.3fs)", self.bank, method, path, response.status_code, self.clock() - started
		)
		return response

	def _raise_common(self, response: requests.Response, what: str):
		status = response.status_code
		detail = self.clean(self.describe(response))
		suffix = f" Resposta do banco: {detail}" if detail else ""
		if status == 429:
			wait = retry_after_seconds(response.headers.get("Retry-After"))
			when = f"em {wait} s" if wait is not None else "em alguns instantes"
			raise BankRateLimitError(
				f"Limite de requisições do {self.bank} atingido ao {what}; tente novamente {when}.{suffix}",
				retry_after=wait,
				bank=self.bank,
				status=status,
			)
		if status >= 500:
			raise BankServerError(
				f"O {self.bank} está com falha (HTTP {status}) ao {what}; tente novamente mais tarde.{suffix}",
				bank=self.bank,
				status=status,
			)
		if status == 403:
			raise BankAuthError(
				f"O {self.bank} negou acesso ao {what} (HTTP 403): confira os escopos/permissões da aplicação "
				f"e a conta informada.{suffix}",
				bank=self.bank,
				status=status,
			)

	# -- OAuth2 ----------------------------------------------------------------------------------------------
	def token(self, force: bool = False) -> str:
		"""A valid access token (cached until shortly before ``expires_in``)."""
		with self._lock:
			if not force and self._token and self.clock() < self._expires_at:
				return self._token.reveal()
			self._token = None
			if datetime.now(timezone.utc) > self.certificate_expires:  # a long-lived client outlived it
				raise BankCertificateError(
					f"O certificado do cliente venceu em {self.certificate_expires:%d/%m/%Y}: renove-o no banco "
					"e atualize-o no convênio. Nenhuma conexão foi feita.",
					bank=self.bank,
				)
			form = {"grant_type": "client_credentials", "scope": self.scope}
			kw = {}
			if self.token_auth == "basic":
				kw["auth"] = (self.client_id, self._client_secret.reveal())
			else:
				form.update(client_id=self.client_id, client_secret=self._client_secret.reveal())
			self.token_requests += 1
			response = self._send("POST", self.token_url, "obter o token de acesso", data=form, **kw)
			if response.status_code in (400, 401, 403):
				detail = self.clean(self.describe(response))
				raise BankAuthError(
					f"O {self.bank} recusou as credenciais da API (HTTP {response.status_code}): confira o "
					"client id, o client secret, os escopos liberados e se o certificado é o da mesma aplicação."
					+ (f" Resposta do banco: {detail}" if detail else ""),
					bank=self.bank,
					status=response.status_code,
				)
			self._raise_common(response, "obter o token de acesso")
			body = read_json(response, self.bank, "obter o token de acesso")
			token = body.get("access_token") if isinstance(body, dict) else None
			if not token or not isinstance(token, str) or response.status_code != 200:
				raise BankResponseError(
					f"O {self.bank} não devolveu um token de acesso válido.",
					bank=self.bank,
					status=response.status_code,
				)
			try:
				lifetime = float(body.get("expires_in") or 300)
			except (TypeError, ValueError):
				lifetime = 300.0
			self._token = Secret(token)
			self._expires_at = self.clock() + max(0.0, lifetime - min(60.0, lifetime / 10))
			return token

	def request(self, method: str, url: str, what: str, *, headers=None, **kw) -> requests.Response:
		"""Send an authorised request; 2xx and 4xx other than 401/403/429 are returned for the caller to read."""
		for attempt in (1, 2):
			token = self.token(force=attempt == 2)
			sent = {"Authorization": f"Bearer {token}", "Accept": "application/json", **(headers or {})}
			response = self._send(method, url, what, headers=sent, **kw)
			if response.status_code != 401:
				break
		if response.status_code == 401:
			raise BankAuthError(
				f"O {self.bank} recusou o token de acesso mesmo após renová-lo ao {what}: confira o certificado, "
				"as credenciais e os escopos da aplicação.",
				bank=self.bank,
				status=401,
			)
		self._raise_common(response, what)
		return response

"""The bank simulator: one HTTPS server (client certificate required) speaking BB Cobranças v2 and Inter v3.

Both banks live on the same host under their own paths, so a test points the adapters at::

	BB:    token_url = sim.url + "/oauth/token",     base_url = sim.url + "/cobrancas/v2"
	Inter: token_url = sim.url + "/oauth/v2/token",  base_url = sim.url + "/cobranca/v3"

(:meth:`BankSimulator.settings` returns them with the CA bundle). Each bank keeps its applications
(client id → secret, app key), the tokens it issued and its titles; :meth:`BankSimulator.fault` queues a
canned answer (429, 5xx, 401, malformed, hang) for the next request to one endpoint of one bank.
"""

from __future__ import annotations

import base64
import re
import secrets
import threading
from collections import defaultdict, deque
from datetime import date
from urllib.parse import unquote_plus

from .bb import BBBank
from .inter import InterBank
from .pki import Issued, TestPKI
from .server import Recorded, Reply, TLSServer

_ROUTES = [
	("POST", r"/oauth/token", "bb", "token"),
	("POST", r"/oauth/v2/token", "inter", "token"),
	("POST", r"/cobrancas/v2/boletos", "bb", "register"),
	("GET", r"/cobrancas/v2/boletos/(?P<id>\d+)", "bb", "query"),
	("GET", r"/cobrancas/v2/boletos/(?P<id>\d+)/pix", "bb", "pix"),
	("POST", r"/cobrancas/v2/boletos/(?P<id>\d+)/baixar", "bb", "cancel"),
	("PUT", r"/cobranca/v3/cobrancas/webhook", "inter", "webhook"),
	("GET", r"/cobranca/v3/cobrancas/webhook", "inter", "webhook"),
	("DELETE", r"/cobranca/v3/cobrancas/webhook", "inter", "webhook"),
	("POST", r"/cobranca/v3/cobrancas", "inter", "register"),
	("GET", r"/cobranca/v3/cobrancas", "inter", "list"),
	("GET", r"/cobranca/v3/cobrancas/(?P<id>[0-9a-f-]+)", "inter", "query"),
	("POST", r"/cobranca/v3/cobrancas/(?P<id>[0-9a-f-]+)/cancelar", "inter", "cancel"),
]


# -- canned faults -------------------------------------------------------------------------------------------
def hang() -> Reply:
	return Reply(0, hang=True)


def rate_limited(retry_after: str | None = "7") -> Reply:
	headers = {"Retry-After": retry_after} if retry_after is not None else {}
	return Reply(
		429, {"statusCode": 429, "error": "Too Many Requests", "message": "Limite excedido"}, headers
	)


def server_error(status: int = 503) -> Reply:
	return Reply(status, {"erros": [{"codigo": "5000", "versao": "1", "mensagem": "Serviço indisponível"}]})


def malformed(status: int = 200) -> Reply:
	return Reply(status, b"<html>gateway</html>")


def _route(request: Recorded):
	for method, pattern, bank, endpoint in _ROUTES:
		match = re.fullmatch(pattern, request.path)
		if method == request.method and match:
			return bank, endpoint, match
	return None


class BankSimulator(TLSServer):
	"""Start with ``with BankSimulator(pki) as sim:`` (background thread, ephemeral port on 127.0.0.1)."""

	def __init__(self, pki: TestPKI, *, token_ttl: int = 600, today: date | None = None):
		super().__init__(pki.server_context())
		self.pki = pki
		self.token_ttl = token_ttl
		self.today = today or date.today()
		self.tokens: dict[str, str] = {}  # token → bank (the valid ones)
		self.issued: list[str] = []  # every token ever issued
		self.faults: dict[tuple[str, str], deque] = defaultdict(deque)
		self.counts: dict[tuple[str, str], int] = defaultdict(int)
		self._state = threading.RLock()
		self.bb = BBBank(self)
		self.inter = InterBank(self)

	# -- test controls ---------------------------------------------------------------------------------------
	def fault(self, bank: str, endpoint: str, reply: Reply, times: int = 1):
		for _ in range(times):
			self.faults[(bank, endpoint)].append(reply)

	def revoke_tokens(self):
		"""Every token issued so far becomes invalid (the bank answers 401 until a new one is fetched)."""
		with self._state:
			self.tokens.clear()

	def count(self, bank: str, endpoint: str) -> int:
		return self.counts[(bank, endpoint)]

	def settings(self, bank: str) -> dict:
		paths = {"bb": ("/oauth/token", "/cobrancas/v2"), "inter": ("/oauth/v2/token", "/cobranca/v3")}[bank]
		return {
			"token_url": self.url + paths[0],
			"base_url": self.url + paths[1],
			"ca_bundle": self.pki.ca_path,
		}

	def credentials(self, bank: str, identity: Issued | None = None, **overrides) -> dict:
		app = (self.bb if bank == "bb" else self.inter).app
		identity = identity or self.pki.client
		creds = {
			"client_id": app["client_id"],
			"client_secret": app["client_secret"],
			"certificate": identity.cert_pem,
			"private_key": identity.key_pem,
		}
		if bank == "bb":
			creds["app_key"] = app["app_key"]
		return {**creds, **overrides}

	# -- dispatch --------------------------------------------------------------------------------------------
	def handle(self, request: Recorded) -> Reply:
		self.log(request)
		route = _route(request)
		if route is None:
			return Reply(404, {"title": "Recurso não encontrado", "detail": request.path})
		bank, endpoint, match = route
		with self._state:
			self.counts[(bank, endpoint)] += 1
			queued = self.faults[(bank, endpoint)]
			fault = queued.popleft() if queued else None
		if fault is not None:
			return fault
		owner = self.bb if bank == "bb" else self.inter
		if endpoint == "token":
			return self._token(owner, bank, request)
		refused = self._authorised(owner, bank, request)
		if refused is not None:
			return refused
		with self._state:
			return getattr(owner, endpoint)(request, match.groupdict().get("id"))

	def _token(self, owner, bank: str, request: Recorded) -> Reply:
		form = {k: v for k, v in (p.split("=", 1) for p in request.body.decode().split("&") if "=" in p)}
		form = {k: _unquote(v) for k, v in form.items()}
		if bank == "bb":
			auth = request.headers.get("Authorization", "")
			try:
				client_id, secret = base64.b64decode(auth.removeprefix("Basic ")).decode().split(":", 1)
			except ValueError:
				client_id, secret = "", ""
		else:
			client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
		if form.get("grant_type") != "client_credentials":
			return Reply(400, {"error": "unsupported_grant_type"})
		if (client_id, secret) != (owner.app["client_id"], owner.app["client_secret"]):
			return owner.invalid_client()
		asked = set(form.get("scope", "").split())
		if not asked or not asked <= owner.app["scopes"]:
			return Reply(400, {"error": "invalid_scope", "error_description": "Escopo não liberado"})
		token = secrets.token_urlsafe(24)
		with self._state:
			self.tokens[token] = bank
			self.issued.append(token)
		return Reply(
			200,
			{
				"access_token": token,
				"token_type": "Bearer",
				"expires_in": self.token_ttl,
				"scope": " ".join(sorted(asked)),
			},
		)

	def _authorised(self, owner, bank: str, request: Recorded) -> Reply | None:
		token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
		with self._state:
			valid = self.tokens.get(token) == bank
		if not valid:
			return owner.invalid_token()
		return owner.check_request(request)


def _unquote(value: str) -> str:
	return unquote_plus(value)

"""Banco Inter charge webhook (API Cobrança v3): authenticate, parse and de-duplicate payment notices.

Inter POSTs a JSON **array** to the registered ``webhookUrl`` whenever a charge changes, each item with
``codigoSolicitacao``, ``seuNumero``, ``situacao``, ``dataHoraSituacao``, ``valorTotalRecebido``,
``origemRecebimento`` (BOLETO/PIX), ``nossoNumero``, ``codigoBarras``, ``linhaDigitavel``, ``txid``,
``pixCopiaECola``; it retries a failed delivery several times (same payload).

Inter signs nothing, so authenticity rests on two things the Frappe side combines:

1. a **URL token**: :func:`inter_webhook_url` adds ``token=<HMAC of the agreement's webhook secret>`` to the URL
   registered at Inter, and :func:`parse_inter_callback` refuses any call without it (constant-time compare);
2. optionally **Inter's client certificate**: Inter calls over mTLS with a certificate of the CA shipped in the
   integration kit (``ca.crt``); the reverse proxy verifies it and passes ``X-SSL-Client-Verify: SUCCESS``
   (``require_client_cert=True`` then refuses calls without it).

Replays (Inter's own retries or a captured request sent again) are stopped by :class:`ReplayGuard`: every
notice has an ``idempotency_key`` (bank, codigoSolicitacao, situacao, dataHoraSituacao, amount); a key seen
before, or a notice older than ``max_age``, is not accepted twice.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

from .inter import INTER_STATES

__all__ = [
	"InterWebhookError",
	"PaymentNotice",
	"ReplayGuard",
	"inter_webhook_url",
	"parse_inter_callback",
	"webhook_token",
]

MAX_BODY = 1_000_000
_PURPOSE = b"fiber_onboarding/inter-cobranca-webhook/v1"


class InterWebhookError(ValueError):
	"""A callback refused: ``code`` is ``auth``, ``certificate`` or ``payload``; the message is pt-BR."""

	def __init__(self, code: str, message: str):
		super().__init__(message)
		self.code = code
		self.message = message


@dataclass(frozen=True)
class PaymentNotice:
	bank_reference: str  # codigoSolicitacao
	seu_numero: str  # our nosso número sequence, as sent at registration
	nosso_numero: str  # Inter's
	situacao: str
	status: str  # one of core.bankapi.STATUSES
	occurred_at: datetime | None
	amount: Decimal | None  # valorTotalRecebido
	channel: str  # BOLETO, PIX or ""
	txid: str
	idempotency_key: str
	bank_code: str = "077"


def webhook_token(secret: str) -> str:
	"""The token put in the registered webhook URL (derived from the agreement's webhook secret)."""
	if not secret:
		raise InterWebhookError("auth", "Segredo do webhook do Inter não configurado no convênio.")
	return hmac.new(str(secret).encode(), _PURPOSE, hashlib.sha256).hexdigest()


def inter_webhook_url(base_url: str, secret: str) -> str:
	"""``base_url`` with the authentication token appended (the URL to register at Inter)."""
	if not str(base_url or "").startswith("https://"):
		raise InterWebhookError("auth", "A URL do webhook do Inter deve começar com https://.")
	joiner = "&" if "?" in base_url else "?"
	return f"{base_url}{joiner}token={webhook_token(secret)}"


def _header(headers, name: str) -> str:
	lowered = name.lower()
	for key, value in dict(headers or {}).items():
		if str(key).lower() == lowered:
			return str(value)
	return ""


def _when(text) -> datetime | None:
	value = str(text or "").strip()
	if not value:
		return None
	try:
		moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
	except ValueError:
		raise InterWebhookError("payload", f"Data/hora {value!r} inválida na notificação do Inter.")
	return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _amount(value) -> Decimal | None:
	if value in (None, ""):
		return None
	try:
		return Decimal(str(value)).quantize(Decimal("0.01"))
	except InvalidOperation:
		raise InterWebhookError("payload", f"Valor {value!r} inválido na notificação do Inter.")


def _notice(item) -> PaymentNotice:
	if not isinstance(item, dict) or not item.get("codigoSolicitacao") or not item.get("situacao"):
		raise InterWebhookError(
			"payload", "Notificação do Inter sem codigoSolicitacao ou situacao; nada foi processado."
		)
	situacao = str(item["situacao"])
	status = INTER_STATES.get(situacao, ("unknown", situacao))[0]
	occurred_at, amount = _when(item.get("dataHoraSituacao")), _amount(item.get("valorTotalRecebido"))
	key_source = "|".join(
		[
			"077",
			str(item["codigoSolicitacao"]),
			situacao,
			str(item.get("dataHoraSituacao") or ""),
			str(amount),
		]
	)
	return PaymentNotice(
		bank_reference=str(item["codigoSolicitacao"]),
		seu_numero=str(item.get("seuNumero") or ""),
		nosso_numero=str(item.get("nossoNumero") or ""),
		situacao=situacao,
		status=status,
		occurred_at=occurred_at,
		amount=amount,
		channel=str(item.get("origemRecebimento") or ""),
		txid=str(item.get("txid") or ""),
		idempotency_key=hashlib.sha256(key_source.encode()).hexdigest(),
	)


def parse_inter_callback(
	headers,
	body: bytes | str,
	secret: str,
	*,
	token: str | None,
	require_client_cert: bool = False,
	client_verify_header: str = "X-SSL-Client-Verify",
) -> list[PaymentNotice]:
	"""Authenticate one callback request and return its notices (raises :class:`InterWebhookError`).

	``token`` is the ``token`` query parameter of the request; ``headers`` the request headers (mapping).
	"""
	expected = webhook_token(secret)
	if not token or not hmac.compare_digest(str(token), expected):
		raise InterWebhookError("auth", "Notificação recusada: token do webhook ausente ou inválido.")
	if require_client_cert and _header(headers, client_verify_header).upper() != "SUCCESS":
		raise InterWebhookError(
			"certificate", "Notificação recusada: chegou sem o certificado de cliente do Inter (mTLS)."
		)
	content_type = _header(headers, "Content-Type")
	if content_type and "json" not in content_type.lower():
		raise InterWebhookError("payload", f"Notificação do Inter com tipo de conteúdo {content_type!r}.")
	raw = body.encode() if isinstance(body, str) else bytes(body or b"")
	if len(raw) > MAX_BODY:
		raise InterWebhookError("payload", "Notificação do Inter grande demais; nada foi processado.")
	try:
		data = json.loads(raw.decode("utf-8"))
	except (UnicodeDecodeError, ValueError):
		raise InterWebhookError("payload", "Notificação do Inter não é um JSON válido; nada foi processado.")
	items = data if isinstance(data, list) else [data]
	return [_notice(item) for item in items]


class ReplayGuard:
	"""Accepts each notice once. ``store`` is any set-like object (``in``/``add``) — a DB-backed one on the
	Frappe side, a ``set`` in tests; ``max_age`` refuses notices older than that (None: no age limit)."""

	def __init__(self, store=None, *, max_age: timedelta | None = timedelta(days=30)):
		self.store = set() if store is None else store
		self.max_age = max_age

	def accept(self, notice: PaymentNotice, now: datetime) -> bool:
		if notice.idempotency_key in self.store:
			return False
		if (
			self.max_age is not None
			and notice.occurred_at is not None
			and now - notice.occurred_at > self.max_age
		):
			return False
		self.store.add(notice.idempotency_key)
		return True

	def fresh(self, notices, now: datetime) -> list[PaymentNotice]:
		"""The notices not seen before (each is remembered)."""
		return [n for n in notices if self.accept(n, now)]

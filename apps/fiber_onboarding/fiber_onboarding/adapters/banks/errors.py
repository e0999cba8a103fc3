"""Errors of the bank API clients: one :class:`BankApiError` subclass per situation finance staff must tell apart.

Every message is pt-BR, written for staff, and never carries a secret (client secret, token, app key, private
key): bank texts quoted in a message pass through :func:`clean_text` first. ``retryable`` says whether trying
again later can help (a timeout, a 5xx, a rate limit) or whether someone must fix data or credentials first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from fiber_onboarding.core.bankapi import BankApiError

__all__ = [
	"BankAuthError",
	"BankCertificateError",
	"BankConfigError",
	"BankConnectionError",
	"BankDuplicateError",
	"BankNotFoundError",
	"BankRateLimitError",
	"BankRequestError",
	"BankResponseError",
	"BankServerError",
	"BankTimeoutError",
	"BankValidationError",
	"FieldError",
	"clean_text",
]

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def clean_text(text, secrets: Iterable[str] = (), limit: int = 300) -> str:
	"""A bank-provided text made safe to show: secrets masked, control characters removed, length capped."""
	value = _CONTROL.sub(" ", str(text or "")).strip()
	for secret in secrets:
		if secret and len(secret) >= 4:
			value = value.replace(secret, "***")
	return value if len(value) <= limit else value[: limit - 1] + "…"


@dataclass(frozen=True)
class FieldError:
	"""One field message of a bank's validation answer (``field`` may be empty when the bank names none)."""

	field: str
	message: str
	code: str = ""

	def __str__(self) -> str:
		label = f"{self.field}: " if self.field else ""
		code = f" (código {self.code})" if self.code else ""
		return f"{label}{self.message}{code}"


class BankRequestError(BankApiError):
	"""Base of the API client errors: ``kind`` (stable code), ``retryable``, the HTTP ``status`` when any."""

	kind = "error"
	retryable = True

	def __init__(self, message: str, *, bank: str = "", status: int | None = None):
		super().__init__(message)
		self.message = message
		self.bank = bank
		self.status = status


class BankConfigError(BankRequestError):
	"""Missing or invalid settings (credentials, environment, agreement data): fix the configuration."""

	kind = "config"
	retryable = False


class BankCertificateError(BankConfigError):
	"""The client certificate or its key is unreadable, expired, not yet valid or does not match."""

	kind = "certificate"


class BankAuthError(BankRequestError):
	"""The bank refused the credentials (client id/secret, scopes) or the access token."""

	kind = "auth"
	retryable = False


class BankConnectionError(BankRequestError):
	"""No connection, or the TLS handshake failed (certificate refused by the bank, untrusted server)."""

	kind = "connection"


class BankTimeoutError(BankRequestError):
	"""The bank did not answer in time. For a registration the outcome is unknown: query before retrying."""

	kind = "timeout"


class BankRateLimitError(BankRequestError):
	"""HTTP 429: too many requests. ``retry_after`` is the wait the bank asked for, in seconds (None if not
	given)."""

	kind = "rate_limit"

	def __init__(self, message: str, *, retry_after: int | None = None, **kw):
		super().__init__(message, **kw)
		self.retry_after = retry_after


class BankServerError(BankRequestError):
	"""HTTP 5xx: the bank failed; try again later."""

	kind = "server"


class BankResponseError(BankRequestError):
	"""The bank answered something that cannot be read (not JSON, fields missing, invalid codes)."""

	kind = "malformed"


class BankValidationError(BankRequestError):
	"""The bank refused the data; ``field_errors`` lists its messages. Fix the title before retrying."""

	kind = "validation"
	retryable = False

	def __init__(self, message: str, *, field_errors: Iterable[FieldError] = (), **kw):
		self.field_errors = tuple(field_errors)
		if self.field_errors:
			message = message + " " + "; ".join(str(f) for f in self.field_errors)
		super().__init__(message, **kw)


class BankDuplicateError(BankValidationError):
	"""The bank already has this title (same nosso número / seu número). Adapters read it back instead."""

	kind = "duplicate"


class BankNotFoundError(BankRequestError):
	"""The bank has no such title."""

	kind = "not_found"
	retryable = False

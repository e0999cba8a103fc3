"""Signed, expiring tokens for links in e-mails (contract upload, project approval).

A token is ``<payload>.<signature>``, both URL-safe base64 without padding. The payload carries the purpose,
the document name and the expiry (Unix seconds). The signature is HMAC-SHA256 over the payload with a
site secret. Verification is constant-time and checks purpose, document and expiry.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json


class TokenError(ValueError):
	"""The token is malformed, tampered with, for another purpose or document, or expired."""

	def __init__(self, code: str, message: str):
		super().__init__(message)
		self.code = code


def _b64(data: bytes) -> str:
	return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
	pad = "=" * (-len(text) % 4)
	return base64.urlsafe_b64decode(text + pad)


def make_token(secret: bytes | str, purpose: str, name: str, expires_at: int) -> str:
	if isinstance(secret, str):
		secret = secret.encode()
	payload = _b64(
		json.dumps({"p": purpose, "n": name, "e": int(expires_at)}, separators=(",", ":")).encode()
	)
	signature = _b64(hmac.new(secret, payload.encode("ascii"), hashlib.sha256).digest())
	return f"{payload}.{signature}"


def read_token(secret: bytes | str, token: str, purpose: str, now: int) -> str:
	"""Return the document name the token was issued for, or raise :class:`TokenError`."""
	if isinstance(secret, str):
		secret = secret.encode()
	if not isinstance(token, str) or token.count(".") != 1 or len(token) > 2048:
		raise TokenError("malformed", "Link inválido.")
	payload, signature = token.split(".")
	expected = _b64(hmac.new(secret, payload.encode("ascii", "replace"), hashlib.sha256).digest())
	if not hmac.compare_digest(expected, signature):
		raise TokenError("signature", "Link inválido.")
	try:
		data = json.loads(_unb64(payload))
		token_purpose, name, expires_at = data["p"], data["n"], int(data["e"])
	except (ValueError, KeyError, TypeError):
		raise TokenError("malformed", "Link inválido.")
	if token_purpose != purpose:
		raise TokenError("purpose", "Link inválido.")
	if now > expires_at:
		raise TokenError("expired", "Este link expirou. Entre no portal para continuar.")
	return name

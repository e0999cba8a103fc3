"""CNAB 240 — compatibility module over :mod:`fiber_onboarding.core.cnab` (kept for existing callers).

- ``build_remessa(RemessaHeader, items, file_sequence, generated_at)``: the CNAB 240 remessa of Banco do Brasil or
  Itaú (``SUPPORTED_BANKS``, the banks the CNAB registrar offers), written by ``core.cnab``.
- ``parse_retorno(text)``: ``core.cnab.read_retorno`` (any of the six banks, CNAB 240 or 400, same tolerance and
  checks) with the former status vocabulary: a write-off (``written_off``) is reported as ``"cancelled"``.
- ``retorno_key(account, nosso_numero)``: the title key as the retorno carries it (BB and Itaú).

New code should use :mod:`fiber_onboarding.core.cnab` directly.
"""

from __future__ import annotations

from datetime import datetime

from .cnab import _read_retorno, write_remessa
from .cnab import retorno_key as _retorno_key
from .cnab.model import (
	WRITTEN_OFF,
	Agreement,
	CnabError,
	Payer,
	RemessaError,
	RemessaHeader,
	RemessaItem,
	Retorno,
	RetornoItem,
)

__all__ = [
	"SUPPORTED_BANKS",
	"CnabError",
	"Payer",
	"RemessaError",
	"RemessaHeader",
	"RemessaItem",
	"Retorno",
	"RetornoItem",
	"build_remessa",
	"parse_retorno",
	"retorno_key",
]

SUPPORTED_BANKS = ("001", "341")
_LEGACY_STATUSES = {WRITTEN_OFF: "cancelled"}


def _check_bank(account) -> None:
	code = str(account.bank_code or "").zfill(3)
	if code not in SUPPORTED_BANKS:
		raise RemessaError(
			"CNAB 240 não implementado para o banco {} (suportados: {}).".format(
				code, ", ".join(SUPPORTED_BANKS)
			)
		)


def retorno_key(account, nosso_numero) -> str:
	"""The nosso número as a retorno of this bank carries it (``RetornoItem.nosso_numero``)."""
	_check_bank(account)
	return _retorno_key(account, nosso_numero)


def build_remessa(
	header: RemessaHeader, items: list[RemessaItem], file_sequence: int, generated_at: datetime
) -> str:
	"""The remessa file (lines of 240 characters joined by CR LF, final CR LF included)."""
	_check_bank(header.account)
	agreement = Agreement(
		header.account,
		header.company_name,
		header.company_cnpj,
		message_1=header.message_1,
		message_2=header.message_2,
	)
	return write_remessa(agreement, items, file_sequence, generated_at, 240)


def parse_retorno(text: str) -> Retorno:
	"""Parse and validate a retorno; raises :class:`CnabError` (1-based line and column) for the first problem."""
	if not isinstance(text, str):
		raise CnabError(1, 1, "O retorno deve ser texto.")
	return _read_retorno(text, None, _LEGACY_STATUSES)

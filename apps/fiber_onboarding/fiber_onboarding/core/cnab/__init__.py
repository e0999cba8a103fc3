"""CNAB cobrança files (remessa and retorno, CNAB 240 and CNAB 400) for the six main collection banks.

Banco do Brasil 001, Santander 033, Caixa 104 (SIGCB), Bradesco 237, Itaú 341, Sicoob 756 — each bank module
(``banks/``) names the manual and version its layouts follow. Plain Python, never imports frappe.

Public API::

	read_retorno(data, expect_company=None) -> Retorno  # layout and bank detected from the file
	read_remessa(data, expect_company=None) -> Remessa  # a remessa read back (support, tests)
	write_remessa(agreement, items, file_sequence, generated_at, layout=240) -> str
	retorno_key(account, sequence) -> str               # the title key RetornoItem.nosso_numero carries

A file is read whole before anything is returned; the first problem raises :class:`CnabError` with its 1-based
line and column and a pt-BR message. Tolerated: UTF-8 BOM, Latin-1, CR LF / LF / CR, a missing final line end,
blanks past column 240/400, lowercase letters. Refused: wrong record counts or sequences, non-numeric amounts or
dates, impossible dates, an unknown bank, a file of another company (``expect_company``).
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from datetime import datetime

from ..boleto import BankAccount, BoletoError
from . import reader240, reader400, textfile, writer240, writer400
from .banks import KEYS, PROFILES_240, PROFILES_400
from .model import (
	OTHER,
	PAID,
	REGISTERED,
	REJECTED,
	STATUSES,
	WRITTEN_OFF,
	Agreement,
	CnabError,
	Payer,
	Remessa,
	RemessaError,
	RemessaItem,
	RemessaTitle,
	Retorno,
	RetornoItem,
	TitleError,
)

__all__ = [
	"OTHER",
	"PAID",
	"REGISTERED",
	"REJECTED",
	"STATUSES",
	"SUPPORTED",
	"WRITTEN_OFF",
	"Agreement",
	"BankAccount",
	"CnabError",
	"Payer",
	"Remessa",
	"RemessaError",
	"RemessaItem",
	"RemessaTitle",
	"Retorno",
	"RetornoItem",
	"TitleError",
	"detect",
	"manuals",
	"read_remessa",
	"read_retorno",
	"retorno_key",
	"write_remessa",
]

SUPPORTED = {code: (240, 400) for code in sorted(PROFILES_240)}


def detect(data: bytes | str) -> tuple[int, str]:
	"""(layout, bank code) of a file, from its header line only."""
	lines = textfile.split(textfile.decode(data))
	if not lines or not lines[0]:
		raise CnabError(1, 1, "arquivo vazio.")
	layout = textfile.layout_of(lines[0])
	bank = lines[0][0:3] if layout == 240 else reader400.ALIASES.get(lines[0][76:79], lines[0][76:79])
	return layout, bank


def read_retorno(data: bytes | str, expect_company=None) -> Retorno:
	"""The whole retorno, checked; ``expect_company``: CPF/CNPJ, the company's code at the bank, or Agreement."""
	return _read_retorno(data, expect_company)


@contextmanager
def _no_cycle_collection():
	"""A file is read or written in one go, building one object per title and no reference cycles: the cycle
	collector would only traverse the growing list again and again (~7% of a retorno's reading)."""
	enabled = gc.isenabled()
	gc.disable()
	try:
		yield
	finally:
		if enabled:
			gc.enable()


def _read_retorno(data, expect_company=None, statuses: dict | None = None) -> Retorno:
	layout, lines = textfile.lines_of(data)
	with _no_cycle_collection():
		if layout == 240:
			return reader240.read_retorno(lines, PROFILES_240, expect_company, statuses)
		return reader400.read_retorno(lines, PROFILES_400, expect_company, statuses)


def read_remessa(data: bytes | str, expect_company=None) -> Remessa:
	layout, lines = textfile.lines_of(data)
	with _no_cycle_collection():
		if layout == 240:
			return reader240.read_remessa(lines, PROFILES_240, expect_company)
		return reader400.read_remessa(lines, PROFILES_400, expect_company)


def _bank(account: BankAccount) -> str:
	return str(account.bank_code or "").strip().zfill(3)


def write_remessa(
	agreement: Agreement,
	items: list[RemessaItem],
	file_sequence: int,
	generated_at: datetime,
	layout: int = 240,
) -> str:
	"""The remessa text (lines joined by CR LF, final CR LF included) in CNAB ``layout`` 240 or 400."""
	profiles = {240: PROFILES_240, 400: PROFILES_400}.get(layout)
	if profiles is None:
		raise RemessaError(f"Leiaute {layout!r} inválido (240 ou 400).")
	code = _bank(agreement.account)
	profile_cls = profiles.get(code)
	if profile_cls is None:
		raise RemessaError(
			f"Banco {code} não suportado no CNAB {layout} (suportados: {', '.join(sorted(profiles))})."
		)
	writer = writer240 if layout == 240 else writer400
	with _no_cycle_collection():
		return writer.write(profile_cls(agreement), items, file_sequence, generated_at)


def retorno_key(account: BankAccount, sequence) -> str:
	"""The key of a title (``RetornoItem.nosso_numero`` / ``RemessaTitle.nosso_numero``) from the nosso-número
	sequence given to ``boleto.generate`` — the same in CNAB 240 and 400."""
	key = KEYS.get(_bank(account))
	if key is None:
		raise RemessaError(f"Banco {_bank(account)} não suportado (suportados: {', '.join(sorted(KEYS))}).")
	try:
		return key(account, sequence)
	except BoletoError as exc:
		raise RemessaError(exc.message)


def manuals() -> dict[str, dict[int, str]]:
	"""{bank code: {240: manual, 400: manual}} — the bank manuals (and versions) the layouts follow."""
	return {
		code: {240: PROFILES_240[code].manual, 400: PROFILES_400[code].manual}
		for code in sorted(PROFILES_240)
	}

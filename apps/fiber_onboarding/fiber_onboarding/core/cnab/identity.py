"""Is this file the expected company's? (``expect_company`` of the readers)

``expect_company`` is a CPF/CNPJ (mask allowed), the company's code at the bank (convênio, código do
beneficiário / cedente, código da empresa), or an :class:`~.model.Agreement` (bank, CNPJ and the code its bank
puts in the file). The file is refused when any identifier it carries differs, and also when it carries none of
the identifiers given (nothing could be checked, so nothing is trusted).
"""

from __future__ import annotations

from .model import Agreement, CnabError


def clean(value) -> str:
	return "".join(ch for ch in str(value or "").upper() if ch.isascii() and ch.isalnum()).lstrip("0")


def is_document(value: str) -> bool:
	found = "".join(ch for ch in str(value or "").upper() if ch.isascii() and ch.isalnum())
	return (len(found) == 11 and found.isdigit()) or len(found) == 14


class Expected:
	"""The identifiers to check, normalized once."""

	__slots__ = ("bank", "code", "document")

	def __init__(self, expect, agreement_code=None):
		self.bank = ""
		self.document = ""
		self.code = ""
		if isinstance(expect, Agreement):
			self.bank = str(expect.account.bank_code or "").zfill(3)
			self.document = clean(expect.company_document)
			self.code = clean(agreement_code(expect)) if agreement_code else ""
		elif is_document(expect):
			self.document = clean(expect)
		else:
			self.code = clean(expect)
			if not self.code:
				raise CnabError(1, 1, f"empresa esperada {expect!r} inválida (informe CNPJ/CPF ou convênio).")


def check_header(expected: Expected | None, bank: str, document: str, doc_at, code: str, code_at) -> bool:
	"""Check the header's identifiers; returns True when something was checked. ``*_at`` = (line, column)."""
	if expected is None:
		return True
	checked = False
	if expected.bank and expected.bank != bank:
		raise CnabError(1, 1, f"arquivo do banco {bank}; esperado {expected.bank}.")
	if expected.document and document.strip(" 0"):
		if clean(document) != expected.document:
			raise CnabError(
				doc_at[0], doc_at[1], f"arquivo de outra empresa: CNPJ/CPF {document.strip()} no arquivo."
			)
		checked = True
	if expected.code and code.strip(" 0"):
		if clean(code) != expected.code:
			raise CnabError(
				code_at[0], code_at[1], f"arquivo de outra empresa: código {code.strip()} no arquivo."
			)
		checked = True
	return checked


def nothing_checked(number: int) -> CnabError:
	return CnabError(
		number,
		1,
		"não foi possível conferir a empresa: o arquivo não traz o identificador informado "
		"(informe o CNPJ/CPF ou o convênio/código do beneficiário).",
	)

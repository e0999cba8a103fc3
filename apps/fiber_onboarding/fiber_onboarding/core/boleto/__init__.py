"""Boleto bancário (FEBRABAN): generation and decoding of the barcode and linha digitável.

Public API::

        from fiber_onboarding.core.boleto import BankAccount, Boleto, BoletoError, generate, decode
        from fiber_onboarding.core.boleto import factor_for, date_for_factor

Plain Python, never imports frappe. Money is ``Decimal`` (centavos inside); see ``codes`` for the arithmetic and
``banks`` for the six banks' free fields (001, 033, 104, 237, 341, 756).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from .banks import BANKS, BankAccount, get_bank
from .codes import (
	MAX_CENTS,
	BoletoError,
	barcode_from_line,
	build_barcode,
	check_barcode,
	check_line,
	date_for_factor,
	factor_for,
	format_line,
	line_from_barcode,
	normalize,
)

__all__ = [
	"BankAccount",
	"Boleto",
	"BoletoError",
	"date_for_factor",
	"decode",
	"factor_for",
	"generate",
	"to_cents",
]

_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Boleto:
	bank_code: str
	amount: Decimal
	due_date: date | None  # None when the barcode carries no due-date factor (factor 0000)
	barcode: str
	line: str
	line_formatted: str
	nosso_numero: str  # as printed on the boleto, with its DV ("" when the bank's layout is unknown)
	free_field: str
	valid: bool = True
	factor: int = 0
	problems: tuple[str, ...] = field(default=())

	def as_dict(self) -> dict:
		return {
			"bank_code": self.bank_code,
			"bank_name": BANKS[self.bank_code].name if self.bank_code in BANKS else "",
			"amount": str(self.amount),
			"due_date": self.due_date.isoformat() if self.due_date else None,
			"factor": self.factor,
			"barcode": self.barcode,
			"line": self.line,
			"line_formatted": self.line_formatted,
			"nosso_numero": self.nosso_numero,
			"free_field": self.free_field,
			"valid": self.valid,
			"problems": list(self.problems),
		}


def to_cents(amount) -> int:
	"""Decimal / int / numeric string → integer centavos. Floats and sub-centavo fractions are refused."""
	if type(amount) is Decimal and amount.is_finite():  # fast path
		cents = amount.scaleb(2)
		if cents == cents.to_integral_value():
			return int(cents)
		raise BoletoError(f"Valor {amount} tem mais de duas casas decimais.", "amount")
	if isinstance(amount, bool) or isinstance(amount, float):
		raise BoletoError("Valor deve ser informado como Decimal ou texto, nunca como float.", "amount")
	if isinstance(amount, int):
		return amount * 100
	if isinstance(amount, str):
		text = amount.strip()
		if "," in text:  # pt-BR "1.234,56"
			text = text.replace(".", "").replace(",", ".")
		try:
			amount = Decimal(text)
		except InvalidOperation:
			raise BoletoError(f"Valor inválido: {amount!r}.", "amount")
	if not isinstance(amount, Decimal) or not amount.is_finite():
		raise BoletoError(f"Valor inválido: {amount!r}.", "amount")
	cents = amount * 100
	if cents != cents.to_integral_value():
		raise BoletoError(f"Valor {amount} tem mais de duas casas decimais.", "amount")
	return int(cents)


def _cents_to_decimal(cents: int) -> Decimal:
	return Decimal(cents).scaleb(-2).quantize(_CENT)


def generate(account: BankAccount, nosso_numero, due_date: date | None, amount) -> Boleto:
	"""Build a boleto: ``nosso_numero`` is the sequence *without* DV; every DV is computed here."""
	bank = get_bank(account.bank_code)
	cents = to_cents(amount)
	if cents <= 0:
		raise BoletoError("Valor do boleto deve ser maior que zero.", "amount")
	if cents > MAX_CENTS:
		raise BoletoError("Valor acima do máximo de R$ 99.999.999,99 do código de barras.", "amount")
	factor = 0 if due_date is None else factor_for(due_date)
	free_field, printed = bank.build(account, nosso_numero)
	barcode = build_barcode(bank.code, factor, cents, free_field)
	line = line_from_barcode(barcode)
	return Boleto(
		bank_code=bank.code,
		amount=_cents_to_decimal(cents),
		due_date=due_date,
		barcode=barcode,
		line=line,
		line_formatted=format_line(line),
		nosso_numero=printed,
		free_field=free_field,
		valid=True,
		factor=factor,
	)


def decode(text: str, today: date | None = None) -> Boleto:
	"""Parse a typed linha digitável (47 digits, dots/spaces allowed) or a 44-digit barcode.

	Raises :class:`BoletoError` (pt-BR message) for wrong length, non-digits, a bad field DV or general DV, a
	factor outside the acceptance window around ``today``. A boleto whose bank-specific free-field DVs do not
	match is returned with ``valid=False`` and the reasons in ``problems``.
	"""
	digits = normalize(text)
	n = len(digits)
	if digits[0] == "8" and n in (44, 48):
		raise BoletoError(
			"Código de arrecadação (contas de consumo/tributos, começa com 8) não é boleto bancário.",
			"collection",
		)
	if n == 47:
		check_line(digits)
		barcode = barcode_from_line(digits)
		line = digits
	elif n == 44:
		check_barcode(digits)
		barcode = digits
		line = line_from_barcode(digits)
	else:
		raise BoletoError(
			f"Tamanho inválido: {n} dígitos (a linha digitável tem 47 e o código de barras 44).",
			"length",
		)
	problems = []
	if barcode[3] != "9":
		problems.append(f"Moeda {barcode[3]} não é o real (9).")
	factor = int(barcode[5:9])
	if factor == 0:
		due = None
	elif factor < 1000:
		raise BoletoError(f"Fator de vencimento {barcode[5:9]} inválido.", "factor")
	else:
		due = date_for_factor(factor, today)
	bank_code = barcode[0:3]
	free_field = barcode[19:44]
	nosso_numero = ""
	bank = BANKS.get(bank_code)
	if bank is not None:
		nosso_numero, bank_problems = bank.inspect(free_field)
		problems.extend(bank_problems)
	return Boleto(
		bank_code=bank_code,
		amount=_cents_to_decimal(int(barcode[9:19])),
		due_date=due,
		barcode=barcode,
		line=line,
		line_formatted=format_line(line),
		nosso_numero=nosso_numero,
		free_field=free_field,
		valid=not problems,
		factor=factor,
		problems=tuple(problems),
	)

"""FEBRABAN boleto arithmetic: 44-digit barcode, 47-digit linha digitável, check digits, due-date factor.

Plain Python, no frappe. Money is handled as integer centavos. Layout (brazil-banking.md §2-§5):

barcode  = bank(3) currency(1) general DV(1) factor(4) amount(10) free field(25)
line     = bank+currency+ff[0:5] DV | ff[5:15] DV | ff[15:25] DV | general DV | factor+amount
"""

from __future__ import annotations

from datetime import date, timedelta

BASE_DATE = date(1997, 10, 7)
CYCLE_START = date(2000, 7, 3)  # first date with factor 1000
WINDOW_BEFORE = 3000  # Itaú annex 6: factors accepted from 3 000 days before ...
WINDOW_AFTER = 5500  # ... to 5 500 days after the current date
MAX_CENTS = 9_999_999_999  # R$ 99.999.999,99 (10 digits)


class BoletoError(ValueError):
	"""Invalid boleto input. ``str(error)`` is a pt-BR message for the user."""

	def __init__(self, message: str, code: str = "invalid"):
		super().__init__(message)
		self.message = message
		self.code = code


# ---------------------------------------------------------------------------------------------------------------
# Check digits
# ---------------------------------------------------------------------------------------------------------------

# The weighted sums below run in C: the digits are grouped by weight with extended slices of the ASCII bytes and
# each group is summed with ``sum(bytes)`` (minus 48 per digit); no per-digit Python loop.
_ASCII_ZERO = 48
# byte -> 1 for "5".."9": a doubled digit d >= 5 contributes 2d - 9 (sum of the product's digits)
_GE5 = bytes(1 if 53 <= i <= 57 else 0 for i in range(256))


def mod10(digits: str) -> int:
	"""Mod 10 DV (weights 2, 1, 2 ... from the right; products' digits summed; 10 -> 0)."""
	b = digits.encode("ascii")[::-1]
	doubled = b[0::2]
	single = b[1::2]
	total = (
		sum(single)
		- _ASCII_ZERO * len(single)
		+ 2 * (sum(doubled) - _ASCII_ZERO * len(doubled))
		- 9 * sum(doubled.translate(_GE5))
	)
	return -total % 10


def mod11_weights_from_right(digits: str, low: int = 2, high: int = 9) -> int:
	"""Weighted sum with weights low..high cycling from the rightmost digit."""
	b = digits.encode("ascii")[::-1]
	period = high - low + 1
	total = 0
	for k in range(min(period, len(b))):
		group = b[k::period]
		total += (low + k) * (sum(group) - _ASCII_ZERO * len(group))
	return total


# Weights 2..9 cycling from the right over the 43 digits of the general DV, per class of index mod 8 (left to right)
_W43_CLASSES = tuple((c, 2 + (42 - c) % 8, len(range(c, 43, 8))) for c in range(8))


def general_dv(digits43: str) -> int:
	"""Barcode position 5: mod 11 over the other 43 digits; 0, 10 and 11 become 1 (never 0)."""
	b = digits43.encode("ascii")
	total = 0
	for start, weight, count in _W43_CLASSES:
		total += weight * (sum(b[start::8]) - _ASCII_ZERO * count)
	dv = 11 - total % 11
	return 1 if dv > 9 else dv


# ---------------------------------------------------------------------------------------------------------------
# Due-date factor
# ---------------------------------------------------------------------------------------------------------------


def factor_for(due: date) -> int:
	"""Due-date factor (1000-9999), with the 2025-02-22 rollover and the following ones every 9 000 days."""
	if due < CYCLE_START:
		raise BoletoError(
			"Data de vencimento {} anterior a 03/07/2000 não é representável no fator de vencimento.".format(
				due.strftime("%d/%m/%Y")
			),
			"due_date",
		)
	return ((due - BASE_DATE).days - 1000) % 9000 + 1000


def date_for_factor(factor: int, today: date | None = None) -> date:
	"""The single date with this factor inside ``[today - 3000 days, today + 5500 days]``.

	Raises :class:`BoletoError` when the factor is out of range or falls in the 499-day gap of the window.
	"""
	if not isinstance(factor, int) or not 1000 <= factor <= 9999:
		raise BoletoError(f"Fator de vencimento {factor} inválido (deve estar entre 1000 e 9999).", "factor")
	today = today or date.today()
	first = CYCLE_START + timedelta(days=factor - 1000)  # cycle 1 date
	low = today - timedelta(days=WINDOW_BEFORE)
	# smallest k with first + 9000k >= low
	delta = (low - first).days
	k = -(-delta // 9000) if delta > 0 else 0
	candidate = first + timedelta(days=9000 * k)
	if candidate > today + timedelta(days=WINDOW_AFTER):
		raise BoletoError(
			"Fator de vencimento {} fora da janela aceita em {} (de {} a {}).".format(
				factor,
				today.strftime("%d/%m/%Y"),
				low.strftime("%d/%m/%Y"),
				(today + timedelta(days=WINDOW_AFTER)).strftime("%d/%m/%Y"),
			),
			"factor_window",
		)
	return candidate


# ---------------------------------------------------------------------------------------------------------------
# Barcode and line
# ---------------------------------------------------------------------------------------------------------------


def build_barcode(bank_code: str, factor: int, cents: int, free_field: str, currency: str = "9") -> str:
	"""Assemble the 44-digit barcode (computes the general DV). ``factor`` 0 means "no due date"."""
	if not (0 <= cents <= MAX_CENTS):
		raise BoletoError(
			"Valor fora do intervalo aceito no código de barras (de R$ 0,00 a R$ 99.999.999,99).", "amount"
		)
	body = f"{bank_code}{currency}{factor:04d}{cents:010d}{free_field}"
	if len(body) != 43 or not body.isdigit():
		raise BoletoError("Dados do código de barras inválidos (banco, moeda ou campo livre).", "barcode")
	return f"{body[:4]}{general_dv(body)}{body[4:]}"


def _luhn(doubled: bytes, single: bytes) -> int:
	total = (
		sum(single)
		- _ASCII_ZERO * len(single)
		+ 2 * (sum(doubled) - _ASCII_ZERO * len(doubled))
		- 9 * sum(doubled.translate(_GE5))
	)
	return -total % 10


def line_from_barcode(barcode: str) -> str:
	"""47-digit linha digitável (digits only) from a 44-digit barcode."""
	b = barcode.encode("ascii")
	f1 = b[0:4] + b[19:24]  # 9 digits: the even indices get weight 2
	f2 = b[24:34]  # 10 digits: the odd indices get weight 2
	f3 = b[34:44]
	return (
		f"{barcode[0:4]}{barcode[19:24]}{_luhn(f1[0::2], f1[1::2])}"
		f"{barcode[24:34]}{_luhn(f2[1::2], f2[0::2])}"
		f"{barcode[34:44]}{_luhn(f3[1::2], f3[0::2])}{barcode[4:19]}"
	)


def barcode_from_line(line: str) -> str:
	"""44-digit barcode from the 47 digits of a line (no check performed)."""
	return line[0:4] + line[32] + line[33:47] + line[4:9] + line[10:20] + line[21:31]


def format_line(line: str) -> str:
	"""``AAABC.CCCCX DDDDD.DDDDDY EEEEE.EEEEEZ K UUUUVVVVVVVVVV``."""
	return f"{line[0:5]}.{line[5:10]} {line[10:15]}.{line[15:21]} {line[21:26]}.{line[26:32]} {line[32]} {line[33:47]}"


_STRIP = str.maketrans("", "", " .-\t\r\n")


def normalize(text: str) -> str:
	"""Digits of a typed line or barcode: removes spaces, dots and hyphens; rejects anything else."""
	if not isinstance(text, str):
		raise BoletoError("Informe a linha digitável ou o código de barras como texto.", "type")
	digits = text.translate(_STRIP)
	if not digits:
		raise BoletoError(
			"Informe a linha digitável (47 dígitos) ou o código de barras (44 dígitos).", "empty"
		)
	if not (digits.isascii() and digits.isdigit()):
		bad = next(ch for ch in digits if not ("0" <= ch <= "9"))
		raise BoletoError(
			f"A linha digitável/código de barras contém caractere não numérico: {bad!r}.", "non_digit"
		)
	return digits


def check_line(line: str) -> None:
	"""Check the three field DVs and the general DV of a 47-digit line; raise BoletoError naming the field."""
	for n, (start, end) in enumerate(((0, 9), (10, 20), (21, 31)), start=1):
		expected = mod10(line[start:end])
		if expected != ord(line[end]) - _ASCII_ZERO:
			raise BoletoError(
				f"Dígito verificador do campo {n} da linha digitável inválido (informado {line[end]}, esperado {expected}).",
				"field_dv",
			)
	check_barcode(barcode_from_line(line), what="da linha digitável (campo 4)")


def check_barcode(barcode: str, what: str = "do código de barras (posição 5)") -> None:
	expected = general_dv(barcode[:4] + barcode[5:])
	if expected != ord(barcode[4]) - _ASCII_ZERO:
		raise BoletoError(
			f"Dígito verificador geral {what} inválido (informado {barcode[4]}, esperado {expected}).",
			"general_dv",
		)

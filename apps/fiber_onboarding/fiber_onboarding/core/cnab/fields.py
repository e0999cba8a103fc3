"""Record layouts written as the manuals print them, and the field conversions shared by readers and writers.

A record is declared field by field with the manual's 1-based positions::

        HEADER = Record(
            240,
            "header de arquivo",
            (
                "1-3 9 bank",  # numeric value, right-aligned, zero-filled
                "4-7 = 0000",  # literal
                "9-17 _",  # blanks
                "73-102 X company",  # text value, left-aligned, blank-filled, cut to size
                "167-171 0",  # zeros
            ),
        )

Writing compiles the declaration once into a single ``str.format`` template (the whole record in one C call);
every position must be declared exactly once. Reading takes the named fields by slice.
"""

from __future__ import annotations

import string
import unicodedata
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from operator import itemgetter
from struct import Struct

from .model import CnabError, RemessaError

CENT = Decimal("0.01")


class Record:
	__slots__ = ("fields", "format", "names", "size", "template", "what")

	def __init__(self, size: int, what: str, fields: tuple[str, ...]):
		self.size = size
		self.what = what
		self.fields = []  # (start, end, kind, name or literal)
		self.names: dict[str, tuple[int, int]] = {}
		parts = []
		position = 1
		for text in fields:
			where, kind, *rest = text.split(" ", 2)
			start, _sep, end = where.partition("-")
			start, end = int(start), int(end or start)
			width = end - start + 1
			if start != position or width < 1:
				raise AssertionError(f"{what}: campo {text!r} não começa na posição {position}")
			value = rest[0] if rest else ""
			if kind == "=":
				if len(value) > width:
					raise AssertionError(f"{what}: literal {value!r} maior que {width}")
				parts.append(value.ljust(width).replace("{", "{{").replace("}", "}}"))
			elif kind == "_":
				parts.append(" " * width)
			elif kind == "0":
				parts.append("0" * width)
			elif kind == "9":
				parts.append(f"{{{value}:0>{width}}}")
				self.names[value] = (start, end)
			elif kind == "X":
				parts.append(f"{{{value}:<{width}.{width}}}")
				self.names[value] = (start, end)
			else:
				raise AssertionError(f"{what}: tipo de campo {kind!r} desconhecido")
			self.fields.append((start, end, kind, value))
			position = end + 1
		if position != size + 1:
			raise AssertionError(f"{what}: declara {position - 1} posições; o registro tem {size}")
		self.template = "".join(parts)
		self.format = _compiled(self.template)

	def write(self, values: dict) -> str:
		text = self.format(values)
		if len(text) != self.size:
			self._overflow(values)
		return text

	def bind(self, constants: dict) -> Record:
		"""A copy whose fields found in ``constants`` are written once, here (less work per title)."""
		bound = object.__new__(Record)
		bound.size, bound.what, bound.fields, bound.names = self.size, self.what, self.fields, self.names
		parts = []
		for start, end, kind, value in self.fields:
			width = end - start + 1
			if kind in ("9", "X") and value in constants:
				chunk = f"{{0:{'0>' if kind == '9' else '<'}{width}{'' if kind == '9' else f'.{width}'}}}"
				chunk = chunk.format(constants[value])
				if len(chunk) != width:
					self._overflow(constants)
				parts.append(chunk.replace("{", "{{").replace("}", "}}"))
			elif kind == "9":
				parts.append(f"{{{value}:0>{width}}}")
			elif kind == "X":
				parts.append(f"{{{value}:<{width}.{width}}}")
			elif kind == "=":
				parts.append(value.ljust(width).replace("{", "{{").replace("}", "}}"))
			else:
				parts.append((" " if kind == "_" else "0") * width)
		bound.template = "".join(parts)
		bound.format = _compiled(bound.template)
		return bound

	def _overflow(self, values: dict):
		for start, end, kind, name in self.fields:
			if kind == "9" and len(str(values[name])) > end - start + 1:
				raise RemessaError(
					f"{self.what}: {name} {str(values[name])!r} não cabe nas posições {start} a {end}."
				)
		raise AssertionError(f"{self.what}: registro com tamanho errado")

	def slice(self, name: str) -> slice:
		start, end = self.names[name]
		return slice(start - 1, end)


def _compiled(template: str):
	"""``template.format_map`` as a function holding one f-string: the same result (each field through
	``format(value, spec)``, a missing name a KeyError), without parsing the template again for every record."""
	body = []
	for literal, name, spec, conversion in string.Formatter().parse(template):
		literal = literal.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r").replace("\n", "\\n")
		body.append(literal.replace("{", "{{").replace("}", "}}"))
		if name is not None:
			if not name.isidentifier() or conversion or not all(c.isalnum() or c in "<>.0" for c in spec):
				raise AssertionError(f"campo {name!r}:{spec!r} fora do que os leiautes declaram")
			body.append(f"{{v['{name}']:{spec}}}")
	namespace: dict = {}
	exec(f'def format(v):\n\treturn f"{"".join(body)}"', namespace)  # source built from the layouts only
	return namespace["format"]


def joined(records, separator: str, renames) -> tuple:
	"""(format, size): one compiled function writing ``records`` joined by ``separator`` (e.g. a title's segments
	P, Q and R in one call), the fields of each record renamed by its dict in ``renames`` (its own sequence number,
	say). ``size`` is the length when every record has its own: a 9 field too long makes the text longer, so a
	different length means a record to write on its own (``Record.write`` says which field)."""
	parts = []
	for record, names in zip(records, renames, strict=True):
		chunk = []
		for literal, name, spec, _conversion in string.Formatter().parse(record.template):
			chunk.append(literal.replace("{", "{{").replace("}", "}}"))
			if name is not None:
				chunk.append(f"{{{names.get(name, name)}:{spec}}}")
		parts.append("".join(chunk))
	template = separator.replace("{", "{{").replace("}", "}}").join(parts)
	return _compiled(template), sum(record.size for record in records) + len(separator) * (len(records) - 1)


# ---------------------------------------------------------------------------------------------------------------
# Writing: values as the fields want them
# ---------------------------------------------------------------------------------------------------------------


def text(value) -> str:
	"""Upper-case ASCII for alphanumeric fields (accents removed, control characters blanked)."""
	if type(value) is str and value.isascii() and value.isprintable():  # fast path: nothing to remove
		return value.upper()
	return _text(value)


class Texts(dict):
	"""``text`` of the values a file's titles repeat (city, neighborhood): each computed once per file."""

	def __missing__(self, value):
		result = self[value] = text(value)
		return result


@lru_cache(maxsize=65536)
def _text(value) -> str:
	value = unicodedata.normalize("NFKD", str(value or ""))
	value = value.encode("ascii", "ignore").decode("ascii").upper()
	return "".join(ch if 32 <= ord(ch) < 127 else " " for ch in value)


def digits(value, label: str, size: int, required: bool = True) -> str:
	"""Digits of a numeric header field (mask characters dropped), checked to fit ``size``."""
	if type(value) is int and 0 <= value < 10**size:  # fast paths
		return str(value).zfill(size)
	if type(value) is str and value.isascii() and value.encode().isdigit() and 0 < len(value) <= size:
		return value.zfill(size)
	found = "".join(ch for ch in str(value or "") if ch.isascii() and ch.isalnum()).upper()
	if not found:
		if required:
			raise RemessaError(f"{label} não informado.")
		return "0" * size
	if not found.isdigit() or len(found.lstrip("0")) > size:
		raise RemessaError(f"{label} {value!r} inválido (até {size} dígitos).")
	return found[-size:].zfill(size)


def document(value, label: str = "Documento") -> tuple[str, str]:
	"""(1 CPF / 2 CNPJ, characters without mask); CNPJ may be alphanumeric."""
	found = _document(str(value or ""))
	if found is None:
		raise RemessaError(f"{label} {value!r} não é CPF (11 dígitos) nem CNPJ (14 caracteres).")
	return found


@lru_cache(maxsize=65536)
def _document(value: str) -> tuple[str, str] | None:
	found = "".join(ch for ch in value.upper() if ch.isascii() and ch.isalnum())
	if len(found) == 11 and found.isdigit():
		return "1", found
	if len(found) == 14:
		return "2", found
	return None


@lru_cache(maxsize=65536)
def only_digits(value: str) -> str:
	return "".join(ch for ch in value if ch.isdigit())


@lru_cache(maxsize=8192)
def ddmmyyyy(value: date | None) -> str:
	return f"{value.day:02d}{value.month:02d}{value.year:04d}" if value else "00000000"


@lru_cache(maxsize=8192)
def ddmmyy(value: date | None) -> str:
	return f"{value.day:02d}{value.month:02d}{value.year % 100:02d}" if value else "000000"


def cents(value, label: str = "Valor") -> int:
	if type(value) is Decimal and value.is_finite():  # fast path
		result = value.scaleb(2)
		if result == result.to_integral_value():
			return int(result)
		raise RemessaError(f"{label} {value} tem mais de duas casas decimais.")
	if isinstance(value, bool) or isinstance(value, float):
		raise RemessaError(f"{label} deve ser Decimal ou texto, nunca float.")
	try:
		amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
	except Exception:
		raise RemessaError(f"{label} inválido: {value!r}.")
	if not amount.is_finite():
		raise RemessaError(f"{label} inválido: {value!r}.")
	result = amount.scaleb(2)
	if result != result.to_integral_value():
		raise RemessaError(f"{label} {value} tem mais de duas casas decimais.")
	return int(result)


def percent(value, label: str = "Percentual") -> Decimal:
	try:
		return _percent(value)
	except (TypeError, ArithmeticError, ValueError):
		raise RemessaError(f"{label} {value!r} fora do intervalo 0-100.")


@lru_cache(maxsize=1024)
def _percent(value) -> Decimal:
	amount = Decimal(str(value or 0)) if not isinstance(value, Decimal) else value
	if not (0 <= amount < 100):
		raise ValueError(value)
	return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@lru_cache(maxsize=8192)
def day_after(value: date) -> date:
	return value + timedelta(days=1)


def daily_interest(amount_cents: int, monthly_rate) -> int:
	"""Interest per day of delay in centavos: monthly rate / 30 over the amount (at least 1 centavo)."""
	if not monthly_rate:
		return 0
	if type(amount_cents) is int and amount_cents > 0 and type(monthly_rate) is Decimal:
		hundredths = _hundredths(monthly_rate)
		if hundredths:  # the same result in integers: amount * rate / 3000, halves rounded up (all positive)
			daily, rest = divmod(amount_cents * hundredths, 300000)
			if 2 * rest >= 300000:
				daily += 1
			return daily if daily > 1 else 1
	daily = (Decimal(amount_cents) * monthly_rate / Decimal(3000)).quantize(
		Decimal(1), rounding=ROUND_HALF_UP
	)
	return int(max(daily, 1))


@lru_cache(maxsize=256)
def _hundredths(rate: Decimal) -> int:
	"""A positive rate of at most two decimal places (``percent`` gives them) times 100, else 0."""
	if not rate.is_finite() or rate <= 0:
		return 0
	scaled = rate.scaleb(2)
	return int(scaled) if scaled == scaled.to_integral_value() and scaled < 10**6 else 0


def agency_dv(agreement, bank: str) -> str:
	dv = str(getattr(agreement, "agency_dv", "") or "").strip().upper()
	if len(dv) != 1:
		raise RemessaError(f"Informe o dígito verificador da agência ({bank}) no convênio.")
	return dv


def cents_text(value: str):
	"""Digits of a numeric field as Decimal centavos (None when not digits)."""
	return Decimal(int(value)).scaleb(-2) if value.isdigit() and value.isascii() else None


# ---------------------------------------------------------------------------------------------------------------
# Reading: strict conversions (money and dates), with the column of the first bad character
# ---------------------------------------------------------------------------------------------------------------


def first_bad(line: str, start: int, end: int) -> int:
	for i in range(start - 1, end):
		if not ("0" <= line[i] <= "9"):
			return i + 1
	return start


class Dates(dict):
	"""ddmmyyyy / ddmmyy text -> date, None for zeros (or blanks), False when invalid. 2-digit years: 20yy."""

	def __missing__(self, value):
		result = self[value] = _date(value)
		return result


class ByteDates(dict):
	"""``Dates`` keyed by the field's bytes (a line encoded once and cut by ``struct``)."""

	def __missing__(self, value):
		result = self[value] = _date(value.decode("latin-1"))
		return result


def _date(value: str):
	if not value.strip(" 0"):
		return None
	if not (value.isdigit() and value.isascii()):
		return False
	year = int(value[4:]) + (2000 if len(value) == 6 else 0)
	try:
		return date(year, int(value[2:4]), int(value[0:2]))
	except ValueError:
		return False


class Money(dict):
	"""Centavos text (str or bytes) -> Decimal (cached: a retorno repeats the same amounts a lot); None when not
	digits."""

	def __missing__(self, value):
		result = Decimal(int(value)).scaleb(-2) if value.isdigit() and value.isascii() else None
		self[value] = result
		return result


def cutter(spans) -> tuple:
	"""(unpack, reorder) for 0-based (start, end) spans that do not overlap: ``reorder(unpack(raw))`` is the tuple of
	``raw[start:end]`` in the spans' order, for bytes ``raw`` (a line encoded once, one byte per character): one
	``Struct`` cuts the fields by position, one ``itemgetter`` puts them in order (two C calls for a record)."""
	fmt, position, order = "", 0, {}
	for start, end in sorted(set(spans)):
		if start < position or end <= start:
			raise AssertionError(f"campo {start + 1}-{end} vazio ou sobreposto a outro")
		fmt += f"{start - position}x{end - start}s" if start > position else f"{end - start}s"
		order[start, end] = len(order)
		position = end
	return Struct(fmt).unpack_from, itemgetter(*(order[span] for span in spans))


def bad_number(number: int, line: str, start: int, end: int, what: str) -> CnabError:
	column = first_bad(line, start, end)
	return CnabError(number, column, f"{what}: campo numérico com caractere {line[column - 1]!r}.")


def bad_date(number: int, start: int, value: str, what: str) -> CnabError:
	return CnabError(number, start, f"{what} inválida: {value!r}.")

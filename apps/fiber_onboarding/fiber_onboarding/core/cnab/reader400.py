"""CNAB 400 reader: retorno and remessa of the six banks' 400-position layouts.

Everything is checked before anything is returned; the first problem raises ``CnabError`` with its 1-based line
and column. Checked: known bank, retorno/remessa header, the sequence number of every record (395-400 = its line,
so a missing or extra record is caught), numeric money and date fields and real dates, record types, the bank's
trailer counts, nothing after the trailer.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from itertools import repeat
from operator import itemgetter
from struct import Struct

from .codes import describe
from .fields import ByteDates, Dates, Money, bad_date, bad_number
from .identity import Expected, check_header, clean, nothing_checked
from .layout400 import Profile400
from .model import CnabError, Remessa, RemessaTitle, Retorno, RetornoItem

ALL_MONEY = (
	"amount_title",
	"amount_paid",
	"fees",
	"interest",
	"discount",
	"rebate",
	"net_credit",
	"other_expenses",
	"other_credits",
	"iof",
)
ALL_DATES = ("payment_date", "due_date", "credit_date")
DATE_LABELS = {
	"payment_date": "data da ocorrência",
	"due_date": "data de vencimento",
	"credit_date": "data do crédito",
	"issue_date": "data de emissão",
}
ALIASES = {"353": "033", "008": "033"}  # Santander's former compensation codes, still in some headers


def _header(lines, profiles, operation: str, what: str, dates):
	header = lines[0]
	literal = "RETORNO" if operation == "2" else "REMESSA"
	if header[1] != operation or header[2:9].upper() != literal:
		raise CnabError(
			1, 2, f"o arquivo não é {what} (header {header[0:9]!r}; esperado 0{operation}{literal})."
		)
	bank = ALIASES.get(header[76:79], header[76:79])
	profile_cls = profiles.get(bank)
	if profile_cls is None:
		raise CnabError(
			1,
			77,
			f"banco {header[76:79]!r} não suportado no CNAB 400 (suportados: {', '.join(sorted(profiles))}).",
		)
	profile = profile_cls(None)
	generated_on = dates[header[94:100]]
	if not generated_on:
		if not header[94:100].isdigit():
			raise bad_number(1, header, 95, 100, "header de arquivo")
		raise bad_date(1, 95, header[94:100], "data de gravação do arquivo")
	sequence = 0
	span = profile.H_SEQUENCE if operation == "2" else profile.H_SEQUENCE_REMESSA
	if span:
		start, end = span
		if not (header[start:end].isdigit() and header[start:end].isascii()):
			raise bad_number(1, header, start + 1, end, "header de arquivo")
		sequence = int(header[start:end])
	return bank, profile, generated_on, sequence


def _sequence(line: str, number: int) -> None:
	seq = line[394:400]
	if not (seq.isdigit() and seq.isascii()):
		raise bad_number(number, line, 395, 400, "número sequencial do registro")
	if int(seq) != number:
		raise CnabError(number, 395, f"número sequencial do registro {int(seq)}; esperado {number}.")


def _numbers(fields: dict, money: tuple):
	"""(unpack, reorder, indices, records): bytes -> the numeric fields by position -> the amounts in ALL_MONEY's
	order, then the dates in ALL_DATES' (``indices``: their positions in what ``unpack`` gives; the last one, b"",
	for an amount the layout does not carry); ``records`` cuts them from 400-byte records laid end to end."""
	names = [n for n in ALL_MONEY if n in money] + list(ALL_DATES)
	spans = sorted((fields[n], n) for n in names)
	fmt, position, order = "", 0, {}
	for (start, end), name in spans:
		if start < position:
			raise AssertionError(f"campos {name} e anterior se sobrepõem no detalhe")
		fmt += f"{start - position}x{end - start}s" if start > position else f"{end - start}s"
		order[name] = len(order)
		position = end
	unpack = Struct(fmt + "0s").unpack_from  # the last field: b"" for an amount the layout does not carry
	indices = [order.get(n, len(order)) for n in ALL_MONEY + ALL_DATES]
	records = Struct(f"{fmt}{400 - position}x0s").iter_unpack  # the same fields of records laid end to end
	return unpack, itemgetter(*indices), indices, records


_SEQUENCE = itemgetter(slice(394, 400))
_KIND = itemgetter(0)


def sequences_ok(lines: list[str]) -> bool:
	"""Whether every record carries its line number in 395-400, in two C calls over the file (when not, the
	records are checked one by one, so the first problem found is still the first in the file)."""
	n_lines = len(lines)
	return "".join(map(_SEQUENCE, lines)) == "%06d" * n_lines % tuple(range(1, n_lines + 1))


CHUNK = 1024  # details read column by column at a time


class _Amounts(Money):
	bad = False

	def __missing__(self, value):
		result = super().__missing__(value)
		if result is None:
			self.bad = True
		return result


class _ByteDates(ByteDates):
	bad = False

	def __missing__(self, value):
		result = super().__missing__(value)
		if result is False:
			self.bad = True
		return result


def _converted(convert, column: tuple) -> list:
	"""``convert`` applied to every value of a column (one field of every detail); a column with one value in every
	record (usual for the amounts a file never uses: IOF, abatimento, outros créditos…) is converted once."""
	first = column[0]
	if column == (first,) * len(column):
		return [convert(first)] * len(column)
	return list(map(convert, column))


def _walk(lines, profile, detail_type: str, extra_types: str, on_detail, on_extra, remessa: bool = False):
	"""Record by record: sequence numbers, types, the trailer last; returns (details, line of the trailer)."""
	n_lines = len(lines)
	details = 0
	sequenced = sequences_ok(lines)
	for index in range(1, n_lines):
		line = lines[index]
		number = index + 1
		if not sequenced and line[394:400] != f"{number:06d}":
			_sequence(line, number)
		kind = line[0]
		if kind == detail_type:
			details += 1
			on_detail(line, number)
		elif kind == "9":
			if number != n_lines:
				raise CnabError(number + 1, 1, "conteúdo após o trailer do arquivo.")
			profile.check_trailer(line, number, details, n_lines, remessa)
			return details
		elif kind in extra_types and kind:
			on_extra(line, number)
		elif kind == "0":
			raise CnabError(number, 1, "header de arquivo repetido.")
		else:
			raise CnabError(number, 1, f"tipo de registro {kind!r} desconhecido no CNAB 400 deste banco.")
	raise CnabError(n_lines + 1, 1, f"arquivo truncado: falta o trailer (registro 9) após a linha {n_lines}.")


def _identity(profile, header, expect, bank, remessa=False):
	if remessa:
		agreement = profile.agreement_of_remessa(header)
		code_of = profile.remessa_agreement_code
		a0 = (profile.H_AGREEMENT_REMESSA or profile.H_AGREEMENT)[0] + 1
	else:
		agreement = profile.agreement_of(header)
		code_of = profile.agreement_code
		a0 = profile.H_AGREEMENT[0] + 1
	expected = Expected(expect, code_of) if expect is not None else None
	checked = check_header(expected, bank, "", (1, 1), agreement, (1, a0)) if expected else True
	return expected, agreement, checked


def read_retorno(lines: list[str], profiles: dict, expect=None, statuses: dict | None = None) -> Retorno:
	dates = Dates()
	byte_dates = ByteDates()
	money = Money()
	bank, profile, generated_on, sequence = _header(lines, profiles, "2", "um retorno", dates)
	header = lines[0]
	expected, agreement, checked = _identity(profile, header, expect, bank)
	fields = profile.DETAIL_FIELDS
	money_fields = [(n, slice(*fields[n]), fields[n][0] + 1, fields[n][1]) for n in profile.MONEY]
	date_fields = [(n, slice(*fields[n]), fields[n][0] + 1, fields[n][1]) for n in profile.DATES]
	# one C call cuts the numeric fields of a detail (its line encoded once, one byte per character), another puts
	# them in a fixed order: the amounts (one the layout does not carry reads as b"" and becomes None), the dates
	unpack, reorder, indices, records = _numbers(fields, profile.MONEY)
	# and one more takes the text fields: occurrence, document number, wallet, motives, key
	getter = itemgetter(
		slice(*fields["occurrence"]),
		slice(*fields["document_number"]),
		slice(*profile.wallet),
		slice(*profile.motives) if profile.motives else slice(0, 0),
		slice(*(profile.KEY or (0, 0))),
	)
	occurrences = profile.occurrences
	motive_size = profile.motive_size
	detail_type = profile.detail_type
	detail_document = profile.detail_document
	key_from_detail = None if profile.KEY else profile.key_from_detail
	check_document = expected is not None and bool(expected.document)
	doc_column = fields["doc"][0] + 1
	explained: dict = {}
	items: list[RetornoItem] = []
	append = items.append
	company_document = ""
	to_money = money.__getitem__

	def slow_values(line: str, number: int) -> tuple:
		"""Field by field, naming the first bad one (also what the fast path does not expect, e.g. blank dates)."""
		values = dict.fromkeys(ALL_MONEY)
		for name, s, start, end in money_fields:
			value = money[line[s]]
			if value is None:
				raise bad_number(number, line, start, end, "registro de detalhe")
			values[name] = value
		for name, s, start, end in date_fields:
			value = dates[line[s]]
			if value is False:
				if not line[s].isdigit():
					raise bad_number(number, line, start, end, "registro de detalhe")
				raise bad_date(number, start, line[s], DATE_LABELS[name])
			values[name] = value
		return tuple(values[name] for name in ALL_MONEY) + tuple(values.get(name) for name in ALL_DATES)

	n_lines = len(lines)
	details = 0
	sequenced = sequences_ok(lines)
	if sequenced and n_lines > 2 and "".join(map(_KIND, lines[1:])) == detail_type * (n_lines - 2) + "9":
		# the usual file: header, details only, trailer; the details cut and converted column by column in C calls,
		# CHUNK records at a time (what they touch stays in the processor's cache); anything unexpected (a bad
		# number or date) leaves this to the record-by-record loop below, which finds the first problem
		amounts = _Amounts()  # a non-digit amount reads as None and marks the cache bad
		dates_seen = _ByteDates()  # a non-digit or impossible date reads as False and marks the cache bad
		to_amount = amounts.__getitem__
		day = dates_seen.__getitem__
		span = profile.DETAIL_DOCUMENT
		if span == "doc" and type(profile).detail_document is Profile400.detail_document:
			span = fields["doc"]
		cut_document = itemgetter(slice(*span)) if isinstance(span, tuple) else detail_document
		found_document, found_checked = company_document, checked
		done: list[RetornoItem] = []
		for first in range(1, n_lines - 1, CHUNK):
			body = lines[first : min(first + CHUNK, n_lines - 1)]
			# the details laid end to end, one byte per character (Latin-1, "?" for any other): columns stay
			columns = list(zip(*records("".join(body).encode("latin-1", "replace")), strict=True))
			none = len(columns) - 1  # the b"" column: an amount the layout does not carry is None
			title, paid, fees, interest, discount, rebate, net, other_expenses, other_credits, iof = (
				_converted(to_amount, columns[i]) if i != none else repeat(None) for i in indices[:10]
			)
			paid_on, due, credit = (_converted(day, columns[i]) for i in indices[10:])
			if amounts.bad or dates_seen.bad:
				break
			texts = list(zip(*map(getter, body), strict=True))
			codes, document_numbers, wallets, motives = texts[0], texts[1], texts[2], texts[3]
			keys = list(map(key_from_detail, body)) if key_from_detail else texts[4]
			docs = list(map(cut_document, body))
			if check_document:
				for number, doc in enumerate(docs, first + 1):
					if doc.strip(" 0"):
						found_document = found_document or doc.strip()
						found_checked |= check_header(
							expected, bank, doc, (number, doc_column), "", (number, 1)
						)
			elif not found_document and "".join(docs).strip(" 0"):
				found_document = next(doc.strip() for doc in docs if doc.strip(" 0"))
			pairs = list(zip(codes, motives, strict=True))
			for pair in set(pairs).difference(explained):
				explained[pair] = describe(occurrences, pair[0], pair[1], motive_size, statuses)
			status, reason, text, reason_codes = zip(*map(explained.__getitem__, pairs), strict=True)
			done += map(
				RetornoItem, keys, codes, status, reason, title, paid, fees, credit, paid_on,
				range(first + 1, first + 1 + len(body)), text, reason_codes, map(str.strip, document_numbers), due,
				interest, discount, rebate, net, other_expenses, map(str.strip, wallets), other_credits, iof,
			)  # fmt: skip
		else:
			profile.check_trailer(lines[-1], n_lines, n_lines - 2, n_lines, False)
			if not found_checked:
				raise nothing_checked(1)
			company_name = header[profile.H_COMPANY[0] : profile.H_COMPANY[1]].strip()
			return Retorno(bank, sequence, generated_on, done, found_document, 400, company_name, agreement)
	for index in range(1, n_lines):
		line = lines[index]
		number = index + 1
		kind = line[0]
		if not sequenced and line[394:400] != f"{number:06d}":
			_sequence(line, number)
		if kind == detail_type:
			details += 1
			n = reorder(unpack(line.encode("latin-1", "replace")))
			f = getter(line)
			paid_on = due = credit = False
			if b"".join(n).isdigit():  # bytes.isdigit: ASCII digits only, 7x faster than str's
				paid_on, due, credit = byte_dates[n[10]], byte_dates[n[11]], byte_dates[n[12]]
			if paid_on is False or due is False or credit is False:
				title, paid, fees, interest, discount, rebate, net, other_expenses, other_credits, iof, paid_on, due, credit = (
					slow_values(line, number)
				)  # fmt: skip
			else:
				title, paid, fees, interest, discount, rebate, net, other_expenses, other_credits, iof = map(
					to_money, n[:10]
				)
			if check_document or not company_document:
				doc = detail_document(line)
				if doc.strip(" 0"):
					company_document = company_document or doc.strip()
					if check_document:
						checked |= check_header(expected, bank, doc, (number, doc_column), "", (number, 1))
			code = f[0]
			described = explained.get(code + f[3])
			if described is None:
				described = explained[code + f[3]] = describe(occurrences, code, f[3], motive_size, statuses)
			status, reason, text, codes = described
			key = key_from_detail(line) if key_from_detail else f[4]
			append(
				RetornoItem(
					key, code, status, reason, title, paid, fees, credit, paid_on, number, text,
					codes, f[1].strip(), due, interest, discount, rebate, net, other_expenses, f[2].strip(),
					other_credits, iof,
				)
			)  # fmt: skip
		elif kind == "9":
			if number != n_lines:
				raise CnabError(number + 1, 1, "conteúdo após o trailer do arquivo.")
			profile.check_trailer(line, number, details, n_lines, False)
			if not checked:
				raise nothing_checked(1)
			company_name = header[profile.H_COMPANY[0] : profile.H_COMPANY[1]].strip()
			return Retorno(
				bank, sequence, generated_on, items, company_document, 400, company_name, agreement
			)
		elif kind and kind in profile.extra_types:
			if items:
				profile.extra_record(line, items[-1])
		elif kind == "0":
			raise CnabError(number, 1, "header de arquivo repetido.")
		else:
			raise CnabError(number, 1, f"tipo de registro {kind!r} desconhecido no CNAB 400 deste banco.")
	raise CnabError(n_lines + 1, 1, f"arquivo truncado: falta o trailer (registro 9) após a linha {n_lines}.")


def read_remessa(lines: list[str], profiles: dict, expect=None) -> Remessa:
	dates = Dates()
	money = Money()
	bank, profile, generated_on, sequence = _header(lines, profiles, "1", "uma remessa", dates)
	header = lines[0]
	expected, agreement, checked = _identity(profile, header, expect, bank, True)
	f = {name: slice(*span) for name, span in profile.REMESSA_FIELDS.items()}
	items: list[RemessaTitle] = []
	total = Decimal("0.00")
	company = {"document": ""}

	def on_detail(line: str, number: int) -> None:
		nonlocal total
		amount = money[line[f["amount"]]]
		if amount is None:
			start, end = profile.REMESSA_FIELDS["amount"]
			raise bad_number(number, line, start + 1, end, "registro de detalhe")
		parsed = {}
		for name in ("due_date", "issue_date"):
			value = dates[line[f[name]]]
			if value is False:
				raise bad_date(number, profile.REMESSA_FIELDS[name][0] + 1, line[f[name]], DATE_LABELS[name])
			parsed[name] = value
		doc = profile.remessa_document(line)
		if doc.strip(" 0") and not company["document"]:
			company["document"] = doc.strip()
		total += amount
		fine, interest_code, interest_value = profile.remessa_fine(line) or (None, "", None)
		fine_amount = None
		if isinstance(fine, tuple):  # (None, amount): the layout carries the fine as an amount
			fine, fine_amount = fine
		items.append(
			RemessaTitle(
				number,
				line[f["movement"]],
				profile.key_from_remessa(line),
				line[f["document_number"]].strip(),
				parsed["due_date"],
				amount,
				parsed["issue_date"],
				line[f["payer_doc"]].lstrip("0"),
				line[f["payer_name"]].strip(),
				line[f["payer_cep"]],
				fine,
				interest_code,
				interest_value,
				fine_amount,
			)
		)

	def on_extra(line: str, number: int) -> None:
		if items:
			fine = profile.remessa_extra_fine(line)
			if fine is not None:
				items[-1] = replace(items[-1], fine_percent=fine)

	_walk(lines, profile, profile.detail_type, profile.remessa_extra_types, on_detail, on_extra, True)
	if expected is not None and expected.document and company["document"]:
		if clean(company["document"]) != expected.document:
			raise CnabError(2, profile.DETAIL_FIELDS["doc"][0] + 1, "remessa de outra empresa.")
		checked = True
	if not checked:
		raise nothing_checked(1)
	return Remessa(
		400, bank, sequence, generated_on, company["document"], header[46:76].strip(), agreement, items,
		len(lines), total,
	)  # fmt: skip

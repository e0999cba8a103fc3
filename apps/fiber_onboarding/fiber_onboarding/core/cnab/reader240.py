"""CNAB 240 reader: retorno (segments T + U per title, optional Y) and remessa (P + Q + R per title).

Everything is checked before anything is returned; the first problem raises ``CnabError`` with its 1-based line
and column. Checked: known bank, one bank in every line, retorno/remessa code, numeric money and date fields, real
dates, lot structure and sequence numbers, the record counts of both trailers, nothing after the file trailer.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from operator import itemgetter

from .codes import describe
from .fields import ByteDates, Dates, Money, bad_date, bad_number, cutter
from .identity import Expected, check_header, nothing_checked
from .layout240 import T_DATES, T_MONEY, U_DATES, U_MONEY
from .model import CnabError, Remessa, RemessaTitle, Retorno, RetornoItem


def _numeric(line: str, number: int, spans, what: str) -> None:
	for start, end in spans:
		chunk = line[start:end]
		if not (chunk.isdigit() and chunk.isascii()):
			raise bad_number(number, line, start + 1, end, what)


def _header(lines, profiles, code: str, what: str, dates):
	header = lines[0]
	bank = header[0:3]
	profile_cls = profiles.get(bank)
	if profile_cls is None:
		if not (bank.isdigit() and bank.isascii()):
			raise CnabError(1, 1, f"código do banco {bank!r} inválido no header.")
		raise CnabError(
			1, 1, f"banco {bank} não suportado no CNAB 240 (suportados: {', '.join(sorted(profiles))})."
		)
	_numeric(header, 1, ((143, 151), (157, 163)), "header de arquivo")
	if header[142] != code:
		raise CnabError(1, 143, f"o arquivo não é {what} (código {header[142]!r}; {code} = {what}).")
	generated_on = dates[header[143:151]]
	if not generated_on:
		raise CnabError(1, 144, f"data de geração do arquivo inválida: {header[143:151]!r}.")
	return bank, profile_cls(None), generated_on, int(header[157:163])


def _identity(profile, header: str, expect, bank: str):
	h = profile.H_FIELDS
	doc = header[h["doc"][0] : h["doc"][1]]
	agreement = profile.agreement_of(header)
	if expect is not None:
		expected = Expected(expect, profile.agreement_code)
		if not check_header(expected, bank, doc, (1, h["doc"][0] + 1), agreement, (1, h["agreement"][0] + 1)):
			raise nothing_checked(1)
	doc = doc.strip()
	if len(doc) == 15 and doc[0] == "0":  # 15-position fields (Santander) carry the 14-character CNPJ
		doc = doc[1:]
	return doc, agreement, header[h["company"][0] : h["company"][1]].strip()


class _Lots:
	"""Lot bookkeeping shared by both readers."""

	__slots__ = ("bank", "count", "lot", "lots", "seq")

	def __init__(self, bank: str):
		self.bank = bank
		self.lot = None
		self.lots = 0
		self.count = 0
		self.seq = 1

	def detail(self, line: str, number: int) -> None:
		if self.lot is None:
			raise CnabError(number, 8, "registro de detalhe fora de um lote.")
		if line[3:7] != self.lot:
			raise CnabError(
				number, 4, f"número do lote {line[3:7]!r} diferente do header de lote ({self.lot})."
			)
		if not (line[8:13].isdigit() and line[8:13].isascii()):
			raise bad_number(number, line, 9, 13, f"segmento {line[13]}")
		if int(line[8:13]) != self.seq:
			raise CnabError(number, 9, f"número sequencial {int(line[8:13])} no lote; esperado {self.seq}.")
		self.seq += 1
		self.count += 1

	def other(self, line: str, number: int, n_lines: int) -> bool:
		"""Lot header, lot trailer, file trailer; True at the file trailer."""
		kind = line[7]
		if kind == "1":
			if self.lot is not None:
				raise CnabError(number, 8, "header de lote sem o trailer do lote anterior.")
			_numeric(line, number, ((3, 7),), "header de lote")
			self.lot, self.lots, self.count, self.seq = line[3:7], self.lots + 1, 1, 1
			return False
		if kind == "5":
			if self.lot is None:
				raise CnabError(number, 8, "trailer de lote sem header de lote.")
			_numeric(line, number, ((3, 7), (17, 23)), "trailer de lote")
			if line[3:7] != self.lot:
				raise CnabError(
					number, 4, f"número do lote {line[3:7]!r} diferente do header de lote ({self.lot})."
				)
			declared = int(line[17:23])
			if declared != self.count + 1:
				raise CnabError(
					number, 18, f"trailer de lote declara {declared} registros; o lote tem {self.count + 1}."
				)
			self.lot = None
			return False
		if kind == "9":
			if self.lot is not None:
				raise CnabError(number, 8, f"trailer de arquivo antes do trailer do lote {self.lot}.")
			_numeric(line, number, ((17, 23), (23, 29)), "trailer de arquivo")
			if line[3:7] != "9999":
				raise CnabError(number, 4, "lote do trailer de arquivo deve ser 9999.")
			if int(line[17:23]) != self.lots:
				raise CnabError(
					number,
					18,
					f"trailer de arquivo declara {int(line[17:23])} lotes; o arquivo tem {self.lots}.",
				)
			if int(line[23:29]) != number:
				raise CnabError(
					number,
					24,
					f"trailer de arquivo declara {int(line[23:29])} registros; o arquivo tem {number}.",
				)
			if number != n_lines:
				raise CnabError(number + 1, 1, "conteúdo após o trailer de arquivo.")
			return True
		if kind == "0":
			raise CnabError(number, 8, "header de arquivo repetido.")
		raise CnabError(number, 8, f"tipo de registro {kind!r} desconhecido (esperado 0, 1, 3, 5 ou 9).")


def _truncated(n_lines: int) -> CnabError:
	return CnabError(
		n_lines + 1, 1, f"arquivo truncado: falta o trailer de arquivo (registro 9) após a linha {n_lines}."
	)


_T_ORDER = ("nn", "wallet", "document_number", "due_date", "amount_title", "fees", "motives")
_U_ORDER = (
	"interest",
	"discount",
	"rebate",
	"iof",
	"amount_paid",
	"net_credit",
	"other_expenses",
	"other_credits",
	"payment_date",
	"credit_date",
)


def _checked_pair(profile, t: str, u: str, number: int, money, dates) -> tuple:
	"""The T and U fields in _T_ORDER + _U_ORDER, converted; raises CnabError naming the first bad field."""
	tf, uf = profile.T_FIELDS, profile.U_FIELDS
	values = {name: t[a:b] for name, (a, b) in tf.items()}
	values.update({name: u[a:b] for name, (a, b) in uf.items()})
	for fields, line, record, n, kind in (
		(profile.T_MONEY, t, tf, number, "segmento T"),
		(profile.U_MONEY, u, uf, number + 1, "segmento U"),
	):
		for name in fields:
			a, b = record[name]
			value = money[line[a:b]]
			if value is None:
				raise bad_number(n, line, a + 1, b, kind)
			values[name] = value
	for fields, line, record, n, kind in (
		(profile.T_DATES, t, tf, number, "segmento T"),
		(profile.U_DATES, u, uf, number + 1, "segmento U"),
	):
		for name in fields:
			a, b = record[name]
			value = dates[line[a:b]]
			if value is False:
				if not line[a:b].isdigit():
					raise bad_number(n, line, a + 1, b, kind)
				raise bad_date(n, a + 1, line[a:b], _DATE_LABELS[name])
			values[name] = value
	return tuple(values[name] for name in _T_ORDER) + tuple(values[name] for name in _U_ORDER)


_DATE_LABELS = {
	"due_date": "data de vencimento",
	"payment_date": "data da ocorrência",
	"credit_date": "data do crédito",
}


def read_retorno(lines: list[str], profiles: dict, expect=None, statuses: dict | None = None) -> Retorno:
	dates = Dates()
	money = Money()
	bank, profile, generated_on, file_sequence = _header(lines, profiles, "2", "um retorno", dates)
	company_document, agreement, company_name = _identity(profile, lines[0], expect, bank)
	occurrences = profile.occurrences
	t_get = itemgetter(
		*(slice(*profile.T_FIELDS[name]) for name in ("nn", "wallet", "document_number", "motives"))
	)
	t_cut, t_order = cutter([profile.T_FIELDS[name] for name in ("due_date", "amount_title", "fees")])
	u_cut, u_order = cutter([profile.U_FIELDS[name] for name in _U_ORDER])
	byte_dates = ByteDates()
	standard = (profile.T_MONEY, profile.T_DATES, profile.U_MONEY, profile.U_DATES) == (
		T_MONEY,
		T_DATES,
		U_MONEY,
		U_DATES,
	)
	motive_size = profile.motive_size
	key_from_t = profile.key_from_t
	explained: dict = {}
	items: list[RetornoItem] = []
	append = items.append
	to_money = money.__getitem__
	lots = _Lots(bank)
	n_lines = len(lines)
	index = 1
	while index < n_lines:
		line = lines[index]
		number = index + 1
		if line[0:3] != bank:
			raise CnabError(number, 1, f"código do banco {line[0:3]!r} diferente do header ({bank}).")
		if line[7] != "3":
			if lots.other(line, number, n_lines):
				return Retorno(
					bank, file_sequence, generated_on, items, company_document, 240, company_name, agreement
				)
			index += 1
			continue
		segment = line[13]
		if segment == "T" or segment == "t":
			t = line
			u = lines[index + 1] if index + 1 < n_lines else ""
			code = t[15:17]
			lot, seq = lots.lot, lots.seq
			row = None
			if (
				standard
				and t[3:7] == lot
				and t[8:13] == f"{seq:05d}"
				and u[0:8] == t[0:8]
				and u[8:13] == f"{seq + 1:05d}"
				and u[13] in "Uu"
				and u[15:17] == code
			):
				nn, wallet, doc, motives = t_get(t)
				# the numeric fields as bytes (each line encoded once, one byte per character), cut by Struct
				tn = t_order(t_cut(t.encode("latin-1", "replace")))
				un = u_order(u_cut(u.encode("latin-1", "replace")))
				if b"".join(tn + un).isdigit():  # bytes.isdigit: ASCII digits only, 7x faster than str's
					due_on, paid_on, credited_on = byte_dates[tn[0]], byte_dates[un[8]], byte_dates[un[9]]
					if due_on is not False and paid_on is not False and credited_on is not False:
						row = (nn, wallet, doc, due_on, to_money(tn[1]), to_money(tn[2]), motives,
							*map(to_money, un[:8]), paid_on, credited_on)  # fmt: skip
						lots.seq += 2
						lots.count += 2
			if row is None:  # the slow path names the problem (or accepts what the fast path does not expect)
				lots.detail(t, number)
				if not u:
					raise CnabError(
						number + 1,
						14,
						f"arquivo truncado: falta o segmento U do segmento T da linha {number}.",
					)
				u_number = number + 1
				if u[0:3] != bank:
					raise CnabError(u_number, 1, f"código do banco {u[0:3]!r} diferente do header ({bank}).")
				if u[7] != "3" or u[13].upper() != "U":
					raise CnabError(
						u_number,
						8 if u[7] != "3" else 14,
						f"segmento U esperado após o segmento T da linha {number}.",
					)
				lots.detail(u, u_number)
				if u[15:17] != code:
					raise CnabError(u_number, 16, "código de movimento do segmento U difere do segmento T.")
				row = _checked_pair(profile, t, u, number, money, dates)
			(nn, wallet, doc, due_on, amount, fees, motives, interest, discount, rebate, iof, paid, net, other_expenses,
				other_credits, paid_on, credited_on) = row  # fmt: skip
			described = explained.get(code + motives)
			if described is None:
				described = explained[code + motives] = describe(
					occurrences, code, motives, motive_size, statuses
				)
			status, reason, text, codes = described
			append(
				RetornoItem(
					key_from_t(nn), code, status, reason, amount, paid, fees, credited_on, paid_on, number, text,
					codes, doc.strip(), due_on, interest, discount, rebate, net, other_expenses, wallet.strip(),
					other_credits, iof,
				)
			)  # fmt: skip
			index += 2
			continue
		segment = segment.upper()
		if segment == "U":
			raise CnabError(number, 14, "segmento U sem o segmento T correspondente.")
		if segment not in ("Y", "V", "W"):
			raise CnabError(number, 14, f"segmento {segment!r} desconhecido no retorno (esperado T ou U).")
		lots.detail(line, number)
		if segment == "Y" and line[17:19] == "03" and items:
			profile.pix_from_y(items[-1], line)
		index += 1
	raise _truncated(n_lines)


def read_remessa(lines: list[str], profiles: dict, expect=None) -> Remessa:
	dates = Dates()
	money = Money()
	bank, profile, generated_on, file_sequence = _header(lines, profiles, "1", "uma remessa", dates)
	company_document, agreement, company_name = _identity(profile, lines[0], expect, bank)
	items: list[RemessaTitle] = []
	lots = _Lots(bank)
	n_lines = len(lines)
	total = Decimal("0.00")
	current = None
	index = 1
	while index < n_lines:
		line = lines[index]
		number = index + 1
		if line[0:3] != bank:
			raise CnabError(number, 1, f"código do banco {line[0:3]!r} diferente do header ({bank}).")
		if line[7] != "3":
			if lots.other(line, number, n_lines):
				return Remessa(
					240, bank, file_sequence, generated_on, company_document, company_name, agreement,
					items, n_lines, total,
				)  # fmt: skip
			index += 1
			continue
		lots.detail(line, number)
		segment = line[13].upper()
		if segment == "P":
			amount = money[line[85:100]]
			if amount is None:
				raise bad_number(number, line, 86, 100, "segmento P")
			parsed = []
			for start, label in ((78, "data de vencimento"), (110, "data de emissão")):
				value = dates[line[start - 1 : start + 7]]
				if value is False:
					raise bad_date(number, start, line[start - 1 : start + 7], label)
				parsed.append(value)
			interest = money[line[126:141]]
			if interest is None:
				raise bad_number(number, line, 127, 141, "segmento P")
			total += amount
			current = {
				"line_number": number,
				"movement": line[15:17],
				"nosso_numero": profile.key_from_p(line),
				"document_number": line[195:220].strip(),
				"due_date": parsed[0],
				"amount": amount,
				"issue_date": parsed[1],
				"interest_code": line[117],
				"interest_value": interest,
			}
		elif segment == "Q":
			if current is None:
				raise CnabError(number, 14, "segmento Q sem o segmento P correspondente.")
			current.update(
				payer_document=line[18:33].lstrip("0"),
				payer_name=line[33:73].strip(),
				payer_cep=line[128:136],
			)
			items.append(RemessaTitle(**current))
			current = None
		elif segment == "R":
			if not items:
				raise CnabError(number, 14, "segmento R sem os segmentos P e Q.")
			fine = money[line[74:89]]
			if fine is None:
				raise bad_number(number, line, 75, 89, "segmento R")
			items[-1] = replace(items[-1], fine_percent=fine if line[65] == "2" else None)
		elif segment not in ("S", "Y"):
			raise CnabError(number, 14, f"segmento {segment!r} desconhecido na remessa (esperado P, Q, R).")
		index += 1
	raise _truncated(n_lines)

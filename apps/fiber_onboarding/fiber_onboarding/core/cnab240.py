"""CNAB 240 (FEBRABAN) cobrança: remessa writer and retorno parser for Banco do Brasil (001) and Itaú (341).

Layout versions (documented, to be confirmed at each bank's homologation):

- **Banco do Brasil** — "Layout de Arquivo Retorno/Remessa CNAB 240 — Cobrança", FEBRABAN 240 with BB's
  specifics: file layout version ``083``, lot layout ``042``; convênio field = convênio 9 + "0014" + carteira 2 +
  variação 3 + 2 blanks; agency/account with mod-11 DVs; identification of the title (segment P 38-57) =
  convênio + nosso número (+ DV for 4/6-digit agreements), left-aligned; espécie 04 (duplicata de serviço).
- **Itaú** — "Cobrança FEBRABAN 240" (Itaú manual, item 3): file layout ``040``, lot layout ``030``; account block
  ``0 AAAA ␣ 0000000 CCCCC ␣ D``; segment P 38-40 carteira, 41-48 nosso número, 49 DAC; name fields 30 characters.

Structure: file header (0), one lot (1: header, per title segments P, Q and R, 5: trailer), file trailer (9).
Interest (juros de mora) is in segment P (positions 118-141), the fine (multa) in segment R (66-89), both starting
the day after the due date. Lines are 240 characters, joined with CR LF. The file sequence number (NSA) is a
parameter: the Frappe layer keeps the never-decreasing per-agreement counter.

Retorno: segments T and U (FEBRABAN positions; Itaú differs only in the nosso-número/document block of T).
``parse_retorno`` validates everything first and raises :class:`CnabError` (1-based line and column) for the
first problem: nothing half-parsed is returned.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .boleto import BankAccount, BoletoError, to_cents
from .boleto.banks import bb_mod11, bb_wallet, get_bank
from .boleto.codes import mod10

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
LINE = 240
_ZERO = Decimal("0.00")
_CENT = Decimal("0.01")


class CnabError(ValueError):
	"""A CNAB file was rejected. ``line`` and ``column`` are 1-based; ``message`` is pt-BR."""

	def __init__(self, line: int, column: int, message: str):
		super().__init__(f"Linha {line}, coluna {column}: {message}")
		self.line = line
		self.column = column
		self.message = message


class RemessaError(ValueError):
	"""The data given to ``build_remessa`` cannot be written (pt-BR message naming the item)."""


# ---------------------------------------------------------------------------------------------------------------
# Remessa data
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Payer:
	name: str
	document: str  # CPF (11) or CNPJ (14, numeric or alphanumeric), mask allowed
	address: str
	cep: str
	city: str
	uf: str
	neighborhood: str = ""


@dataclass(frozen=True)
class RemessaHeader:
	account: BankAccount
	company_name: str
	company_cnpj: str
	message_1: str = ""
	message_2: str = ""


@dataclass(frozen=True)
class RemessaItem:
	nosso_numero: int | str  # the sequence without DV, as given to boleto.generate
	document_number: str
	due_date: date
	amount: Decimal
	issue_date: date
	payer: Payer
	fine_percent: Decimal = _ZERO
	monthly_interest_percent: Decimal = _ZERO
	movement: str = "01"  # 01 entrada de título; 02 pedido de baixa


# ---------------------------------------------------------------------------------------------------------------
# Field formatting
# ---------------------------------------------------------------------------------------------------------------


def _ascii(text) -> str:
	"""Upper-case ASCII for alphanumeric fields (accents removed, control characters dropped)."""
	text = unicodedata.normalize("NFKD", str(text or ""))
	text = text.encode("ascii", "ignore").decode("ascii").upper()
	return "".join(ch if 32 <= ord(ch) < 127 else " " for ch in text)


class _Record:
	"""A 240-position record filled by 1-based positions; every position must be written exactly once."""

	__slots__ = ("chars", "filled", "what")

	def __init__(self, what: str):
		self.chars = [""] * LINE
		self.filled = [False] * LINE
		self.what = what

	def put(self, start: int, end: int, value: str) -> None:
		size = end - start + 1
		if len(value) != size:
			raise AssertionError(f"{self.what}: campo {start}-{end} com {len(value)} caracteres")
		for i in range(start - 1, end):
			if self.filled[i]:
				raise AssertionError(f"{self.what}: posição {i + 1} escrita duas vezes")
			self.filled[i] = True
			self.chars[i] = value[i - start + 1]

	def num(self, start: int, end: int, value, label: str = "") -> None:
		text = str(value)
		size = end - start + 1
		if not (text.isascii() and text.isalnum()) or len(text) > size:
			raise RemessaError(
				"{}: {} {!r} não cabe em {} posições numéricas.".format(
					self.what, label or "campo", text, size
				)
			)
		self.put(start, end, text.rjust(size, "0"))

	def alpha(self, start: int, end: int, value) -> None:
		size = end - start + 1
		self.put(start, end, _ascii(value)[:size].ljust(size))

	def blank(self, start: int, end: int) -> None:
		self.put(start, end, " " * (end - start + 1))

	def zeros(self, start: int, end: int) -> None:
		self.put(start, end, "0" * (end - start + 1))

	def text(self) -> str:
		missing = [i + 1 for i, f in enumerate(self.filled) if not f]
		if missing:
			raise AssertionError(f"{self.what}: posições não preenchidas {missing[:5]}")
		return "".join(self.chars)


def _doc(document: str) -> tuple[str, str]:
	"""(inscription type 1 CPF / 2 CNPJ, digits/characters without mask)."""
	text = "".join(ch for ch in str(document or "").upper() if ch.isascii() and ch.isalnum())
	if len(text) == 11 and text.isdigit():
		return "1", text
	if len(text) == 14:
		return "2", text
	raise RemessaError(f"Documento {document!r} não é CPF (11 dígitos) nem CNPJ (14 caracteres).")


def _ddmmyyyy(value: date | None) -> str:
	return value.strftime("%d%m%Y") if value else "00000000"


def _money(value) -> str:
	try:
		return str(to_cents(value))
	except BoletoError as exc:
		raise RemessaError(exc.message)


def _percent(value) -> Decimal:
	value = Decimal(str(value or 0)) if not isinstance(value, Decimal) else value
	if value < 0 or value >= 100:
		raise RemessaError(f"Percentual {value} fora do intervalo 0-100.")
	return value.quantize(_CENT, rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------------------------------------------------------
# Bank layouts (writer side)
# ---------------------------------------------------------------------------------------------------------------


class _BankLayout:
	code = ""
	bank_name = ""
	file_version = ""
	lot_version = ""

	def __init__(self, account: BankAccount):
		self.account = account
		self.bank = get_bank(account.bank_code)

	def agreement_block(self) -> str:  # 20 chars, file header 33-52 and lot header 34-53
		raise NotImplementedError

	def account_block(self) -> str:  # 20 chars, file header 53-72 and lot header 54-73
		raise NotImplementedError

	def file_header_tail(self, rec: _Record) -> None:  # 167-240
		rec.zeros(167, 171)
		rec.blank(172, 240)

	def segment_p_title(self, rec: _Record, item: RemessaItem) -> None:  # 18-62
		raise NotImplementedError

	def segment_p_document(self, rec: _Record, item: RemessaItem) -> None:  # 63-77
		rec.alpha(63, 77, item.document_number)

	def species(self) -> str:
		return "04"

	def interest(self, item: RemessaItem) -> tuple[str, str]:
		"""(code, 15-digit value) for P 118 and 127-141."""
		rate = _percent(item.monthly_interest_percent)
		if not rate:
			return "3", "0" * 15
		return "2", str(int(rate * 100)).rjust(15, "0")

	def name_size(self) -> int:
		return 40

	def lot_trailer_fill(self, rec: _Record) -> None:
		rec.zeros(24, 240)


class _BancoDoBrasil(_BankLayout):
	code = "001"
	bank_name = "BANCO DO BRASIL S.A."
	file_version = "083"
	lot_version = "042"

	def _wallet(self) -> tuple[str, str]:
		carteira, variation = bb_wallet(self.account.wallet)
		if not (len(carteira) == 2 and carteira.isdigit()):
			raise RemessaError(f"Carteira BB {self.account.wallet!r} inválida (ex.: 17-019).")
		if not variation:
			raise RemessaError("Informe a variação da carteira BB (ex.: carteira 17-019).")
		if not (variation.isdigit() and len(variation) <= 3):
			raise RemessaError(f"Variação da carteira BB {variation!r} inválida.")
		return carteira, variation.zfill(3)

	def agreement_block(self) -> str:
		carteira, variation = self._wallet()
		agreement = str(self.account.agreement or "").strip()
		if not agreement.isdigit() or len(agreement) > 9:
			raise RemessaError(f"Convênio BB {agreement!r} inválido.")
		return agreement.zfill(9) + "0014" + carteira + variation + "  "

	def _agency_account(self) -> tuple[str, str, str, str]:
		agency = str(self.account.agency).strip()
		account = str(self.account.account).strip()
		if not (agency.isdigit() and len(agency) <= 5 and account.isdigit() and len(account) <= 12):
			raise RemessaError("Agência/conta BB inválidas.")
		account_dv = str(self.account.account_dv or "").strip().upper() or bb_mod11(account)
		return agency.zfill(5), bb_mod11(agency), account.zfill(12), account_dv

	def account_block(self) -> str:
		agency, agency_dv, account, account_dv = self._agency_account()
		return agency + agency_dv + account + account_dv + " "

	def segment_p_title(self, rec, item):
		agency, agency_dv, account, account_dv = self._agency_account()
		rec.put(18, 22, agency)
		rec.put(23, 23, agency_dv)
		rec.put(24, 35, account)
		rec.put(36, 36, account_dv)
		rec.blank(37, 37)
		try:
			key = self.bank.retorno_key(self.account, item.nosso_numero)
		except BoletoError as exc:
			raise RemessaError(exc.message)
		rec.alpha(38, 57, key)
		carteira, _variation = self._wallet()
		rec.put(58, 58, "7" if carteira == "17" else "1")  # 7: carteira 17 simples; 1: carteira 11/12 simples
		rec.put(59, 59, "1")  # forma de cadastramento: com registro
		rec.put(60, 60, "1")  # tipo de documento: tradicional
		rec.put(61, 61, "2")  # emissão do boleto: cliente
		rec.put(62, 62, "2")  # distribuição: cliente


class _Itau(_BankLayout):
	code = "341"
	bank_name = "BANCO ITAU SA"
	file_version = "040"
	lot_version = "030"

	def _parts(self, item_nn=0):
		try:
			return self.bank._parts(self.account, item_nn)
		except BoletoError as exc:
			raise RemessaError(exc.message)

	def agreement_block(self) -> str:
		return " " * 20

	def account_block(self) -> str:
		_wallet, agency, acct, _nn, acct_dac = self._parts()
		return f"0{agency} 0000000{acct} {acct_dac}"

	def file_header_tail(self, rec):
		rec.zeros(167, 171)
		rec.blank(172, 225)
		rec.zeros(226, 228)
		rec.blank(229, 240)

	def segment_p_title(self, rec, item):
		wallet, agency, acct, nn, acct_dac = self._parts(item.nosso_numero)
		rec.put(18, 18, "0")
		rec.put(19, 22, agency)
		rec.blank(23, 23)
		rec.zeros(24, 30)
		rec.put(31, 35, acct)
		rec.blank(36, 36)
		rec.put(37, 37, str(acct_dac))
		rec.put(38, 40, wallet)
		rec.put(41, 48, nn)
		rec.put(49, 49, str(self.bank.nn_dac(agency, acct, wallet, nn)))
		rec.blank(50, 57)
		rec.zeros(58, 62)

	def segment_p_document(self, rec, item):
		rec.alpha(63, 72, item.document_number)
		rec.blank(73, 77)

	def species(self) -> str:
		return "08"  # Itaú: 08 = duplicata de serviço

	def interest(self, item):
		rate = _percent(item.monthly_interest_percent)
		if not rate:
			return "0", "0" * 15
		# Itaú: value of interest per day of delay (monthly rate / 30 over the amount), in centavos
		daily = (Decimal(to_cents(item.amount)) * rate / Decimal(3000)).quantize(
			Decimal(1), rounding=ROUND_HALF_UP
		)
		return "1", str(int(max(daily, 1))).rjust(15, "0")

	def name_size(self) -> int:
		return 30

	def lot_trailer_fill(self, rec):
		rec.blank(24, 240)


_LAYOUTS = {"001": _BancoDoBrasil, "341": _Itau}


def _layout(account: BankAccount) -> _BankLayout:
	code = str(account.bank_code or "").zfill(3)
	cls = _LAYOUTS.get(code)
	if cls is None:
		raise RemessaError(
			"CNAB 240 não implementado para o banco {} (suportados: {}).".format(
				code, ", ".join(SUPPORTED_BANKS)
			)
		)
	return cls(account)


def retorno_key(account: BankAccount, nosso_numero) -> str:
	"""The nosso número as a retorno of this bank carries it (``RetornoItem.nosso_numero``)."""
	layout = _layout(account)
	try:
		return layout.bank.retorno_key(account, nosso_numero)
	except BoletoError as exc:
		raise RemessaError(exc.message)


# ---------------------------------------------------------------------------------------------------------------
# Remessa writer
# ---------------------------------------------------------------------------------------------------------------


def _common_detail(rec: _Record, bank: str, seq: int, segment: str, movement: str) -> None:
	rec.put(1, 3, bank)
	rec.put(4, 7, "0001")
	rec.put(8, 8, "3")
	rec.num(9, 13, seq, "sequencial")
	rec.put(14, 14, segment)
	rec.blank(15, 15)
	rec.num(16, 17, movement, "movimento")


def build_remessa(
	header: RemessaHeader, items: list[RemessaItem], file_sequence: int, generated_at: datetime
) -> str:
	"""The remessa file (lines of 240 characters joined by CR LF, final CR LF included)."""
	layout = _layout(header.account)
	if not isinstance(file_sequence, int) or not 1 <= file_sequence <= 999999:
		raise RemessaError("Número sequencial do arquivo deve estar entre 1 e 999999.")
	if not items:
		raise RemessaError("A remessa precisa de ao menos um título.")
	bank = layout.code
	doc_type, doc = _doc(header.company_cnpj)
	agreement = layout.agreement_block()
	account_block = layout.account_block()
	lines = []

	rec = _Record("header de arquivo")
	rec.put(1, 3, bank)
	rec.put(4, 7, "0000")
	rec.put(8, 8, "0")
	rec.blank(9, 17)
	rec.put(18, 18, doc_type)
	rec.num(19, 32, doc, "CNPJ")
	rec.put(33, 52, agreement)
	rec.put(53, 72, account_block)
	rec.alpha(73, 102, header.company_name)
	rec.alpha(103, 132, layout.bank_name)
	rec.blank(133, 142)
	rec.put(143, 143, "1")
	rec.put(144, 151, generated_at.strftime("%d%m%Y"))
	rec.put(152, 157, generated_at.strftime("%H%M%S"))
	rec.num(158, 163, file_sequence, "NSA")
	rec.put(164, 166, layout.file_version)
	layout.file_header_tail(rec)
	lines.append(rec.text())

	rec = _Record("header de lote")
	rec.put(1, 3, bank)
	rec.put(4, 7, "0001")
	rec.put(8, 8, "1")
	rec.put(9, 9, "R")
	rec.put(10, 11, "01")
	rec.put(12, 13, "00" if bank == "341" else "  ")
	rec.put(14, 16, layout.lot_version)
	rec.blank(17, 17)
	rec.put(18, 18, doc_type)
	rec.num(19, 33, doc, "CNPJ")
	rec.put(34, 53, agreement)
	rec.put(54, 73, account_block)
	rec.alpha(74, 103, header.company_name)
	rec.alpha(104, 143, header.message_1)
	rec.alpha(144, 183, header.message_2)
	rec.num(184, 191, file_sequence, "número da remessa")
	rec.put(192, 199, generated_at.strftime("%d%m%Y"))
	rec.zeros(200, 207)
	rec.blank(208, 240)
	lines.append(rec.text())

	seq = 0
	for index, item in enumerate(items, start=1):
		what = f"título {index} (nosso número {item.nosso_numero})"
		if item.movement not in ("01", "02"):
			raise RemessaError(f"{what}: movimento {item.movement!r} não suportado.")
		if not isinstance(item.due_date, date) or not isinstance(item.issue_date, date):
			raise RemessaError(f"{what}: datas de vencimento e emissão são obrigatórias.")
		if item.due_date < item.issue_date:
			raise RemessaError(f"{what}: vencimento anterior à emissão.")
		amount = _money(item.amount)
		if int(amount) <= 0:
			raise RemessaError(f"{what}: valor deve ser maior que zero.")
		payer_type, payer_doc = _doc(item.payer.document)
		cep = "".join(ch for ch in str(item.payer.cep or "") if ch.isdigit())
		if len(cep) != 8:
			raise RemessaError(f"{what}: CEP do pagador {item.payer.cep!r} inválido.")
		uf = _ascii(item.payer.uf).strip()
		if len(uf) != 2 or not uf.isalpha():
			raise RemessaError(f"{what}: UF do pagador {item.payer.uf!r} inválida.")
		if not _ascii(item.payer.name).strip():
			raise RemessaError(f"{what}: nome do pagador não informado.")
		day_after = item.due_date + timedelta(days=1)

		seq += 1
		rec = _Record("segmento P do " + what)
		_common_detail(rec, bank, seq, "P", item.movement)
		try:
			layout.segment_p_title(rec, item)
		except RemessaError as exc:
			raise RemessaError(f"{what}: {exc}")
		layout.segment_p_document(rec, item)
		rec.put(78, 85, _ddmmyyyy(item.due_date))
		rec.num(86, 100, amount, "valor")
		rec.zeros(101, 105)
		rec.put(106, 106, "0" if bank == "341" else " ")
		rec.put(107, 108, layout.species())
		rec.put(109, 109, "N")
		rec.put(110, 117, _ddmmyyyy(item.issue_date))
		code, value = layout.interest(item)
		rec.put(118, 118, code)
		rec.put(119, 126, _ddmmyyyy(day_after) if code not in ("0", "3") else "00000000")
		rec.put(127, 141, value)
		rec.put(142, 142, "0")
		rec.zeros(143, 150)
		rec.zeros(151, 165)
		rec.zeros(166, 180)
		rec.zeros(181, 195)
		rec.alpha(196, 220, item.document_number)
		rec.put(221, 221, "3")  # não protestar
		rec.put(222, 223, "00")
		if bank == "341":
			rec.put(224, 224, "0")
			rec.put(225, 226, "00")
			rec.zeros(227, 239)
		else:
			rec.put(224, 224, "0")
			rec.put(225, 227, "000")
			rec.put(228, 229, "09")
			rec.zeros(230, 239)
		rec.blank(240, 240)
		lines.append(rec.text())

		seq += 1
		rec = _Record("segmento Q do " + what)
		_common_detail(rec, bank, seq, "Q", item.movement)
		rec.put(18, 18, payer_type)
		rec.num(19, 33, payer_doc, "documento do pagador")
		size = layout.name_size()
		rec.alpha(34, 33 + size, item.payer.name)
		if size < 40:
			rec.blank(34 + size, 73)
		rec.alpha(74, 113, item.payer.address)
		rec.alpha(114, 128, item.payer.neighborhood)
		rec.put(129, 133, cep[:5])
		rec.put(134, 136, cep[5:])
		rec.alpha(137, 151, item.payer.city)
		rec.put(152, 153, uf)
		rec.put(154, 154, "0")
		rec.zeros(155, 169)
		rec.blank(170, 209)
		rec.zeros(210, 212)
		rec.blank(213, 240)
		lines.append(rec.text())

		seq += 1
		rec = _Record("segmento R do " + what)
		_common_detail(rec, bank, seq, "R", item.movement)
		rec.put(18, 18, "0")
		rec.zeros(19, 26)
		rec.zeros(27, 41)
		rec.put(42, 42, "0")
		rec.zeros(43, 50)
		rec.zeros(51, 65)
		fine = _percent(item.fine_percent)
		if fine:
			rec.put(66, 66, "2")  # percentual
			rec.put(67, 74, _ddmmyyyy(day_after))
			rec.num(75, 89, int(fine * 100), "multa")
		else:
			rec.put(66, 66, "0")
			rec.zeros(67, 74)
			rec.zeros(75, 89)
		rec.blank(90, 99)
		rec.blank(100, 139)
		rec.blank(140, 179)
		rec.blank(180, 199)
		rec.zeros(200, 207)
		rec.zeros(208, 210)
		rec.zeros(211, 215)
		rec.blank(216, 216)
		rec.zeros(217, 228)
		rec.blank(229, 230)
		rec.put(231, 231, "0")
		rec.blank(232, 240)
		lines.append(rec.text())

	rec = _Record("trailer de lote")
	rec.put(1, 3, bank)
	rec.put(4, 7, "0001")
	rec.put(8, 8, "5")
	rec.blank(9, 17)
	rec.num(18, 23, seq + 2, "quantidade de registros do lote")
	layout.lot_trailer_fill(rec)
	lines.append(rec.text())

	rec = _Record("trailer de arquivo")
	rec.put(1, 3, bank)
	rec.put(4, 7, "9999")
	rec.put(8, 8, "9")
	rec.blank(9, 17)
	rec.put(18, 23, "000001")
	rec.num(24, 29, len(lines) + 1, "quantidade de registros")
	rec.blank(30, 240)
	lines.append(rec.text())
	return "\r\n".join(lines) + "\r\n"


# ---------------------------------------------------------------------------------------------------------------
# Retorno
# ---------------------------------------------------------------------------------------------------------------

# FEBRABAN C044 (códigos de movimento retorno) → (status, pt-BR text)
OCCURRENCES: dict[str, tuple[str, str]] = {
	"02": ("registered", "Entrada confirmada"),
	"03": ("rejected", "Entrada rejeitada"),
	"04": ("other", "Transferência de carteira/entrada"),
	"05": ("other", "Transferência de carteira/baixa"),
	"06": ("paid", "Liquidação"),
	"07": ("other", "Confirmação do recebimento da instrução de desconto"),
	"08": ("other", "Confirmação do recebimento do cancelamento do desconto"),
	"09": ("cancelled", "Baixa"),
	"11": ("other", "Títulos em carteira (em ser)"),
	"12": ("other", "Confirmação do recebimento da instrução de abatimento"),
	"13": ("other", "Confirmação do recebimento do cancelamento de abatimento"),
	"14": ("other", "Confirmação do recebimento da alteração de vencimento"),
	"15": ("other", "Franco de pagamento"),
	"17": ("paid", "Liquidação após baixa ou de título não registrado"),
	"19": ("other", "Confirmação do recebimento da instrução de protesto"),
	"20": ("other", "Confirmação do recebimento da sustação/cancelamento de protesto"),
	"23": ("other", "Remessa a cartório"),
	"24": ("other", "Retirada de cartório e manutenção em carteira"),
	"25": ("cancelled", "Protestado e baixado"),
	"26": ("other", "Instrução rejeitada"),
	"27": ("other", "Confirmação do pedido de alteração de outros dados"),
	"28": ("other", "Débito de tarifas/custas"),
	"29": ("other", "Ocorrências do pagador"),
	"30": ("other", "Alteração de dados rejeitada"),
}
# Bank-specific differences (to be confirmed at homologation)
BANK_OCCURRENCES: dict[str, dict[str, tuple[str, str]]] = {
	"341": {"08": ("paid", "Liquidação em cartório"), "10": ("other", "Baixa por ter sido liquidado")},
}

# FEBRABAN C047 rejection reasons (movement 03, 26, 30)
REJECTION_REASONS: dict[str, str] = {
	"01": "Código do banco inválido",
	"02": "Código do registro detalhe inválido",
	"03": "Código do segmento inválido",
	"04": "Código de movimento não permitido para a carteira",
	"05": "Código de movimento inválido",
	"06": "Tipo/número de inscrição do beneficiário inválidos",
	"07": "Agência/conta/DV inválido",
	"08": "Nosso número inválido",
	"09": "Nosso número duplicado",
	"10": "Carteira inválida",
	"11": "Forma de cadastramento do título inválida",
	"12": "Tipo de documento inválido",
	"13": "Identificação da emissão do boleto inválida",
	"14": "Identificação da distribuição do boleto inválida",
	"15": "Características da cobrança incompatíveis",
	"16": "Data de vencimento inválida",
	"17": "Data de vencimento anterior à data de emissão",
	"18": "Vencimento fora do prazo de operação",
	"20": "Valor do título inválido",
	"21": "Espécie do título inválida",
	"22": "Espécie do título não permitida para a carteira",
	"23": "Aceite inválido",
	"24": "Data da emissão inválida",
	"25": "Data da emissão posterior à data de entrada",
	"26": "Código de juros de mora inválido",
	"27": "Valor/taxa de juros de mora inválido",
	"28": "Código do desconto inválido",
	"29": "Valor do desconto maior ou igual ao valor do título",
	"32": "Valor do IOF inválido",
	"33": "Valor do abatimento inválido",
	"34": "Valor do abatimento maior ou igual ao valor do título",
	"37": "Código para protesto inválido",
	"38": "Prazo para protesto inválido",
	"42": "Código para baixa/devolução inválido",
	"43": "Prazo para baixa/devolução inválido",
	"44": "Código da moeda inválido",
	"45": "Nome do pagador não informado",
	"46": "Tipo/número de inscrição do pagador inválidos",
	"47": "Endereço do pagador não informado",
	"48": "CEP inválido",
	"49": "CEP sem praça de cobrança",
	"51": "CEP incompatível com a unidade da federação",
	"52": "Unidade da federação inválida",
	"57": "Código da multa inválido",
	"58": "Data da multa inválida",
	"59": "Valor/percentual da multa inválido",
	"60": "Movimento para título não cadastrado",
	"63": "Entrada para título já cadastrado",
}
# FEBRABAN C047 for liquidation (06, 17) and write-off (09)
LIQUIDATION_REASONS = {
	"01": "Por saldo",
	"02": "Por conta",
	"03": "Liquidação no próprio banco",
	"04": "Compensação eletrônica",
	"05": "Compensação convencional",
	"06": "Por meio eletrônico",
	"07": "Após feriado local",
	"08": "Em cartório",
	"30": "Liquidação no guichê de caixa em cheque",
	"31": "Liquidação em banco correspondente",
	"32": "Liquidação terminal de autoatendimento",
	"33": "Liquidação na internet (home banking)",
	"61": "Liquidação via Pix",
}
WRITE_OFF_REASONS = {
	"09": "Comandada pelo banco",
	"10": "Comandada pelo cliente via arquivo",
	"11": "Comandada pelo cliente on-line",
	"12": "Decurso de prazo — cliente",
	"13": "Decurso de prazo — banco",
	"14": "Protestado",
	"15": "Título excluído",
}


@dataclass(slots=True)
class RetornoItem:
	nosso_numero: str
	occurrence_code: str
	status: str  # registered | rejected | paid | cancelled | other
	reason: str
	amount_title: Decimal
	amount_paid: Decimal
	fees: Decimal
	credit_date: date | None
	payment_date: date | None
	line_number: int
	occurrence_text: str = ""
	reason_codes: tuple[str, ...] = ()
	document_number: str = ""
	due_date: date | None = None
	interest: Decimal = _ZERO  # juros / multa / encargos
	discount: Decimal = _ZERO
	rebate: Decimal = _ZERO
	net_credit: Decimal = _ZERO
	other_expenses: Decimal = _ZERO
	wallet: str = ""


@dataclass(frozen=True)
class Retorno:
	bank_code: str
	file_sequence: int
	generated_on: date
	items: list[RetornoItem] = field(default_factory=list)
	company_document: str = ""


# Numeric fields (0-based slices) checked per record
_NUM_HEADER = ((0, 3), (3, 7), (143, 151), (151, 157), (157, 163))
_NUM_LOT = ((3, 7),)
_NUM_T = ((3, 7), (8, 13), (15, 17), (73, 81), (81, 96), (198, 213))
_NUM_U = ((3, 7), (8, 13), (15, 17), (17, 137), (137, 145), (145, 153))
_NUM_LOT_TRAILER = ((3, 7), (17, 23))
_NUM_FILE_TRAILER = ((17, 23), (23, 29))
_MONEY_ZERO = "000000000000000"
_RECORD_TYPES = {"0", "1", "3", "5", "9"}


def _first_non_digit(line: str, fields) -> int:
	for start, end in fields:
		for i in range(start, end):
			if not ("0" <= line[i] <= "9"):
				return i + 1
	return 0


def _check_numeric(line: str, fields, number: int, what: str) -> None:
	joined = "".join([line[a:b] for a, b in fields])
	if not (joined.isdigit() and joined.isascii()):
		column = _first_non_digit(line, fields)
		raise CnabError(number, column, f"{what}: campo numérico com caractere {line[column - 1]!r}.")


class _DateCache(dict):
	def __missing__(self, text):
		if text == "00000000":
			value = None
		else:
			try:
				value = date(int(text[4:8]), int(text[2:4]), int(text[0:2]))
			except ValueError:
				value = False
		self[text] = value
		return value


class _MoneyCache(dict):
	"""15-digit centavos field -> Decimal (cached: a retorno repeats the same amounts a lot)."""

	def __missing__(self, text):
		value = _ZERO if text == _MONEY_ZERO else Decimal(int(text)).scaleb(-2)
		self[text] = value
		return value


def _split_lines(text: str) -> list[str]:
	if "\r" in text:
		crlf = text.count("\r\n")
		if crlf == text.count("\n") == text.count("\r"):
			lines = text.split("\r\n")
		else:
			lines = text.replace("\r\n", "\n").split("\n")
	else:
		lines = text.split("\n")
	while lines and lines[-1] in ("", "\x1a"):
		lines.pop()
	return lines


def parse_retorno(text: str) -> Retorno:
	"""Parse and validate a CNAB 240 retorno (cobrança) of Banco do Brasil or Itaú.

	Raises :class:`CnabError` naming the first problem's 1-based line and column. Checks: line length 240,
	known record types, one bank, numeric fields, dates, file/lot structure (header, lot header, T/U pairs,
	lot trailer, file trailer last), record counts in the trailers, sequence numbers inside the lot.
	"""
	if not isinstance(text, str):
		raise CnabError(1, 1, "O retorno deve ser texto.")
	lines = _split_lines(text)
	if not lines:
		raise CnabError(1, 1, "Arquivo de retorno vazio.")
	if set(map(len, lines)) != {LINE}:
		for number, line in enumerate(lines, start=1):
			if len(line) != LINE:
				raise CnabError(
					number,
					min(len(line), LINE) + 1,
					f"linha com {len(line)} caracteres; o CNAB 240 exige exatamente 240.",
				)

	header = lines[0]
	if header[7] != "0":
		raise CnabError(1, 8, "a primeira linha deve ser o header de arquivo (registro 0).")
	_check_numeric(header, _NUM_HEADER, 1, "header de arquivo")
	bank = header[0:3]
	if bank not in _LAYOUTS:
		raise CnabError(1, 1, f"banco {bank} não suportado no retorno CNAB 240.")
	if header[3:7] != "0000":
		raise CnabError(1, 4, "lote do header de arquivo deve ser 0000.")
	if header[142] != "2":
		raise CnabError(1, 143, f"o arquivo não é um retorno (código {header[142]!r}; 2 = retorno).")
	dates = _DateCache()
	generated_on = dates[header[143:151]]
	if not generated_on:
		raise CnabError(1, 144, f"data de geração do arquivo inválida: {header[143:151]!r}.")
	file_sequence = int(header[157:163])
	occurrences = dict(OCCURRENCES)
	occurrences.update(BANK_OCCURRENCES.get(bank, {}))
	itau = bank == "341"
	money = _MoneyCache()
	reasons: dict[tuple[str, str], tuple[tuple[str, ...], str]] = {}

	items: list[RetornoItem] = []
	append = items.append
	lots = 0
	lot_id = None  # current lot number (str) while inside a lot
	lot_records = 0
	expected_seq = 1
	n_lines = len(lines)
	index = 1  # 0-based index of the line being read
	while index < n_lines:
		line = lines[index]
		number = index + 1
		if line[0:3] != bank:
			raise CnabError(number, 1, f"código do banco {line[0:3]!r} diferente do header ({bank}).")
		kind = line[7]
		if kind == "3":
			if lot_id is None:
				raise CnabError(number, 8, "registro de detalhe fora de um lote.")
			if line[3:7] != lot_id:
				raise CnabError(
					number, 4, f"número do lote {line[3:7]!r} diferente do header de lote ({lot_id})."
				)
			segment = line[13]
			if segment == "T":
				t = line
				check = t[8:13] + t[15:17] + t[73:96] + t[198:213]
				if not (check.isdigit() and check.isascii()):
					_check_numeric(t, _NUM_T, number, "segmento T")
				if int(t[8:13]) != expected_seq:
					raise CnabError(
						number, 9, f"número sequencial {int(t[8:13])} no lote; esperado {expected_seq}."
					)
				if index + 1 >= n_lines:
					raise CnabError(
						number + 1,
						14,
						f"arquivo truncado: falta o segmento U do segmento T da linha {number}.",
					)
				u = lines[index + 1]
				u_number = number + 1
				if u[0:3] != bank:
					raise CnabError(u_number, 1, f"código do banco {u[0:3]!r} diferente do header ({bank}).")
				if u[7] != "3":
					raise CnabError(u_number, 8, f"segmento U esperado após o segmento T da linha {number}.")
				if u[13] != "U":
					raise CnabError(u_number, 14, f"segmento U esperado após o segmento T da linha {number}.")
				if u[3:7] != lot_id:
					raise CnabError(
						u_number, 4, f"número do lote {u[3:7]!r} diferente do header de lote ({lot_id})."
					)
				check = u[8:13] + u[15:153]
				if not (check.isdigit() and check.isascii()):
					_check_numeric(u, _NUM_U, u_number, "segmento U")
				if int(u[8:13]) != expected_seq + 1:
					raise CnabError(
						u_number, 9, f"número sequencial {int(u[8:13])} no lote; esperado {expected_seq + 1}."
					)
				code = t[15:17]
				if u[15:17] != code:
					raise CnabError(u_number, 16, "código de movimento do segmento U difere do segmento T.")
				due = dates[t[73:81]]
				if due is False:
					raise CnabError(number, 74, f"data de vencimento inválida: {t[73:81]!r}.")
				payment_date = dates[u[137:145]]
				if payment_date is False:
					raise CnabError(u_number, 138, f"data da ocorrência inválida: {u[137:145]!r}.")
				credit_date = dates[u[145:153]]
				if credit_date is False:
					raise CnabError(u_number, 146, f"data do crédito inválida: {u[145:153]!r}.")
				occurrence = occurrences.get(code)
				if occurrence is None:
					occurrence = ("other", f"Ocorrência {code}")
				status = occurrence[0]
				if itau:
					nosso_numero = t[40:48]
					wallet = t[37:40]
					document_number = t[58:68].strip()
					motives = t[213:221]
				else:
					nosso_numero = t[37:57].strip()
					wallet = t[57]
					document_number = t[58:73].strip()
					motives = t[213:223]
				explained = reasons.get((status, motives))
				if explained is None:
					explained = reasons[(status, motives)] = _explain(status, motives)
				append(
					RetornoItem(
						nosso_numero,
						code,
						status,
						explained[1],
						money[t[81:96]],
						money[u[77:92]],
						money[t[198:213]],
						credit_date,
						payment_date,
						number,
						occurrence[1],
						explained[0],
						document_number,
						due,
						money[u[17:32]],
						money[u[32:47]],
						money[u[47:62]],
						money[u[92:107]],
						money[u[107:122]],
						wallet,
					)
				)
				index += 2
				expected_seq += 2
				lot_records += 2
				continue
			if segment == "U":
				raise CnabError(number, 14, "segmento U sem o segmento T correspondente.")
			if segment not in ("Y", "V", "W"):
				raise CnabError(
					number, 14, f"segmento {segment!r} desconhecido no retorno (esperado T ou U)."
				)
			# optional segments (e.g. Pix data): accepted and skipped, but counted and sequenced
			if not (line[8:13].isdigit() and line[8:13].isascii()):
				_check_numeric(line, ((8, 13),), number, f"segmento {segment}")
			if int(line[8:13]) != expected_seq:
				raise CnabError(
					number, 9, f"número sequencial {int(line[8:13])} no lote; esperado {expected_seq}."
				)
			expected_seq += 1
			lot_records += 1
		elif kind == "1":
			if lot_id is not None:
				raise CnabError(number, 8, "header de lote sem o trailer do lote anterior.")
			_check_numeric(line, _NUM_LOT, number, "header de lote")
			lot_id = line[3:7]
			lots += 1
			lot_records = 1
			expected_seq = 1
		elif kind == "5":
			if lot_id is None:
				raise CnabError(number, 8, "trailer de lote sem header de lote.")
			_check_numeric(line, _NUM_LOT_TRAILER, number, "trailer de lote")
			if line[3:7] != lot_id:
				raise CnabError(
					number, 4, f"número do lote {line[3:7]!r} diferente do header de lote ({lot_id})."
				)
			lot_records += 1
			declared = int(line[17:23])
			if declared != lot_records:
				raise CnabError(
					number, 18, f"trailer de lote declara {declared} registros; o lote tem {lot_records}."
				)
			lot_id = None
		elif kind == "9":
			if lot_id is not None:
				raise CnabError(number, 8, f"trailer de arquivo antes do trailer do lote {lot_id}.")
			_check_numeric(line, _NUM_FILE_TRAILER, number, "trailer de arquivo")
			if line[3:7] != "9999":
				raise CnabError(number, 4, "lote do trailer de arquivo deve ser 9999.")
			declared_lots = int(line[17:23])
			if declared_lots != lots:
				raise CnabError(
					number, 18, f"trailer de arquivo declara {declared_lots} lotes; o arquivo tem {lots}."
				)
			declared_lines = int(line[23:29])
			if declared_lines != number:
				raise CnabError(
					number,
					24,
					f"trailer de arquivo declara {declared_lines} registros; o arquivo tem {number}.",
				)
			if number != n_lines:
				raise CnabError(number + 1, 1, "conteúdo após o trailer de arquivo.")
			return Retorno(bank, file_sequence, generated_on, items, header[18:32])
		elif kind == "0":
			raise CnabError(number, 8, "header de arquivo repetido.")
		else:
			raise CnabError(number, 8, f"tipo de registro {kind!r} desconhecido (esperado 0, 1, 3, 5 ou 9).")
		index += 1
	raise CnabError(
		n_lines + 1, 1, f"arquivo truncado: falta o trailer de arquivo (registro 9) após a linha {n_lines}."
	)


def _explain(status: str, motives: str) -> tuple[tuple[str, ...], str]:
	"""(reason codes, pt-BR text) of the motive field (pairs of characters; zeros and blanks ignored)."""
	if not motives.strip(" 0"):
		return (), ""
	codes = tuple(c for c in (motives[i : i + 2] for i in range(0, len(motives), 2)) if c.strip(" 0"))
	if status == "paid":
		table = LIQUIDATION_REASONS
	elif status == "cancelled":
		table = WRITE_OFF_REASONS
	else:
		table = REJECTION_REASONS
	return codes, "; ".join(table.get(c, f"Motivo {c}") for c in codes)

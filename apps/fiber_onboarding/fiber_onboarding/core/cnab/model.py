"""CNAB data: what a remessa is written from, what a retorno or a remessa reads back to, and the two errors.

Plain Python (no frappe). Money is ``Decimal`` with two places; dates are ``datetime.date``; an amount the layout
does not carry is ``None`` (never a made-up zero).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ..boleto import BankAccount

ZERO = Decimal("0.00")

# Status vocabulary of a retorno item (the meaning of its occurrence code; the amounts stay as the file states them)
REGISTERED = "registered"  # entrada confirmada: the bank registered the title
REJECTED = "rejected"  # entrada rejeitada: the title was not registered (reason_codes say why)
PAID = "paid"  # liquidação (also after baixa, in cartório, partial)
WRITTEN_OFF = "written_off"  # baixa (by request, by the bank, by protest): the title is no longer payable
OTHER = "other"  # anything else: tarifas, instruções confirmadas/rejeitadas, alterações, protesto…
STATUSES = (REGISTERED, REJECTED, PAID, WRITTEN_OFF, OTHER)


class CnabError(ValueError):
	"""A CNAB file was refused. ``line`` and ``column`` are 1-based; ``message`` is pt-BR."""

	def __init__(self, line: int, column: int, message: str):
		super().__init__(f"Linha {line}, coluna {column}: {message}")
		self.line = line
		self.column = column
		self.message = message


class RemessaError(ValueError):
	"""The data given to the remessa writer cannot be written (pt-BR message naming the title)."""


class TitleError(RemessaError):
	"""One title's own data (payer, amount, dates, nosso número…) keeps it out of the file; the agreement's data
	is fine. ``index`` is its 1-based position in the items given, ``reason`` the pt-BR reason without the title's
	name (the message keeps it): a caller may leave that title out and write the others."""

	def __init__(self, index: int, nosso_numero, message: str):
		what = f"título {index} (nosso número {nosso_numero})"
		self.index = index
		self.nosso_numero = nosso_numero
		self.reason = message.removeprefix(f"{what}: ")
		super().__init__(f"{what}: {self.reason}")


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
class Agreement:
	"""The company's collection agreement with one bank: everything a remessa header needs.

	``transmission_code`` is the code the bank assigns for file exchange where its layout asks for one:
	Santander "código de transmissão" (15 digits in CNAB 240, 20 in CNAB 400), Bradesco "código da empresa"
	(CNAB 400 header, 20 digits) / "código do convênio" (CNAB 240, 20 positions).
	"""

	account: BankAccount
	company_name: str
	company_document: str
	transmission_code: str = ""
	agency_dv: str = ""  # dígito da agência/cooperativa (Bradesco 240, Caixa 240, Sicoob)
	beneficiary_dv: str = ""  # dígito do código do cliente (Sicoob CNAB 400 header)
	message_1: str = ""
	message_2: str = ""


@dataclass(frozen=True)
class RemessaHeader:
	"""Compatibility form of :class:`Agreement` (``core.cnab240``)."""

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
	fine_percent: Decimal = ZERO
	monthly_interest_percent: Decimal = ZERO
	movement: str = "01"  # 01 entrada de título; 02 pedido de baixa


@dataclass(slots=True)
class RetornoItem:
	nosso_numero: str  # the key of the title (see ``retorno_key``)
	occurrence_code: str
	status: str  # one of STATUSES (core.cnab240 maps written_off to its former "cancelled")
	reason: str  # pt-BR text of the reason codes ("" when none)
	amount_title: Decimal | None
	amount_paid: Decimal | None
	fees: Decimal | None
	credit_date: date | None
	payment_date: date | None  # data da ocorrência / liquidação
	line_number: int
	occurrence_text: str = ""
	reason_codes: tuple[str, ...] = ()
	document_number: str = ""
	due_date: date | None = None
	interest: Decimal | None = ZERO  # juros / multa / encargos
	discount: Decimal | None = ZERO
	rebate: Decimal | None = ZERO  # abatimento
	net_credit: Decimal | None = ZERO  # valor líquido creditado
	other_expenses: Decimal | None = ZERO
	wallet: str = ""
	other_credits: Decimal | None = None
	iof: Decimal | None = None
	pix_payload: str = ""  # EMV "000201…" copia e cola, when the bank sends it
	pix_location: str = ""  # Pix QR location URL (segment Y-03), when the bank sends it
	pix_txid: str = ""

	@property
	def amount_net(self) -> Decimal | None:
		return self.net_credit


@dataclass(frozen=True)
class Retorno:
	bank_code: str
	file_sequence: int
	generated_on: date
	items: list[RetornoItem] = field(default_factory=list)
	company_document: str = ""
	layout: int = 240
	company_name: str = ""
	agreement: str = ""  # the company's code at the bank, as the file states it


@dataclass(frozen=True)
class RemessaTitle:
	"""One title of a remessa read back (``read_remessa``)."""

	line_number: int
	movement: str
	nosso_numero: str  # the key, as ``retorno_key`` gives it
	document_number: str
	due_date: date | None
	amount: Decimal
	issue_date: date | None
	payer_document: str
	payer_name: str
	payer_cep: str
	fine_percent: Decimal | None = None
	interest_code: str = ""
	interest_value: Decimal | None = None  # daily amount or monthly percentage, per the layout
	fine_amount: Decimal | None = None  # where the layout carries the fine as an amount (Caixa CNAB 400)


@dataclass(frozen=True)
class Remessa:
	layout: int
	bank_code: str
	file_sequence: int
	generated_on: date
	company_document: str
	company_name: str
	agreement: str
	items: list[RemessaTitle]
	records: int  # lines in the file
	total_amount: Decimal

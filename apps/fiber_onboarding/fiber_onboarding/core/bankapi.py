"""Boleto registration with the bank: one interface, online adapters per bank, and the offline CNAB registrar.

A bank's online registration API (BB, Itaú, Santander, Sicoob, Inter … publish boleto/BoletoPIX APIs) is added as a
single module that subclasses :class:`BankRegistrar` and calls :func:`register_adapter`::

        @register_adapter("077")
        class InterRegistrar(BankRegistrar):
            def register(self, boleto): ...
            def query(self, boleto): ...
            def cancel(self, boleto): ...

The transport (HTTP client, certificates, OAuth) lives in that module; this core module stays plain Python.
:func:`get_registrar` returns the API adapter of the account's bank when there is one, else the
:class:`CnabRegistrar` (offline registration: titles go into the next remessa file and the retorno confirms them).

A Pix payload returned by a bank is validated (:func:`fiber_onboarding.core.pix.validate_emv`) before it is stored
in a :class:`RegistrationResult`; nothing here builds a Pix payload.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, replace
from datetime import datetime

from .boleto import BankAccount, BoletoError, generate
from .cnab240 import (
	SUPPORTED_BANKS,
	RemessaError,
	RemessaHeader,
	RemessaItem,
	Retorno,
	build_remessa,
	retorno_key,
)
from .pix import validate_emv

__all__ = [
	"STATUSES",
	"BankApiError",
	"BankRegistrar",
	"CnabRegistrar",
	"RegistrationRequest",
	"RegistrationResult",
	"get_registrar",
	"register_adapter",
	"registered_adapters",
]

# registered: the bank accepted the title; pending: waiting for the bank (remessa sent or to be sent, API
# processing); rejected; cancelled (baixa); paid; unknown (the bank has no record / not queried yet)
STATUSES = ("registered", "pending", "rejected", "cancelled", "paid", "unknown")


class BankApiError(RuntimeError):
	"""Registration could not be attempted or the bank did not answer (pt-BR message). Safe to retry."""


@dataclass(frozen=True)
class RegistrationRequest:
	"""What a bank needs to register one boleto: the collection account and the title data."""

	account: BankAccount
	item: RemessaItem


@dataclass(frozen=True)
class RegistrationResult:
	line: str  # 47 digits ("" when the bank did not return one)
	barcode: str  # 44 digits
	pix_payload: str  # bank-issued EMV "copia e cola", validated; "" when none
	status: str  # one of STATUSES
	message: str  # pt-BR, shown to finance staff
	nosso_numero: str = ""
	bank_reference: str = ""  # the bank's id for the title, when it has one

	def __post_init__(self):
		if self.status not in STATUSES:
			raise ValueError(f"status {self.status!r} inválido; use um de {', '.join(STATUSES)}")
		if self.pix_payload:
			validate_emv(self.pix_payload)  # raises PixError: never store an invalid bank payload


class BankRegistrar(ABC):
	"""Registers, queries and cancels (baixa) boletos of one collection account."""

	mode = "api"
	bank_code = ""

	def __init__(self, account: BankAccount, **config):
		self.account = account
		self.config = config

	@abstractmethod
	def register(self, boleto: RegistrationRequest) -> RegistrationResult: ...

	@abstractmethod
	def query(self, boleto: RegistrationRequest) -> RegistrationResult: ...

	@abstractmethod
	def cancel(self, boleto: RegistrationRequest) -> RegistrationResult: ...


_ADAPTERS: dict[str, type[BankRegistrar]] = {}


def _code(bank_code) -> str:
	code = str(bank_code or "").strip().zfill(3)
	if len(code) != 3 or not code.isdigit():
		raise ValueError(f"código de banco {bank_code!r} inválido")
	return code


def register_adapter(bank_code: str, cls: type[BankRegistrar] | None = None):
	"""Register the online adapter class of a bank; usable as ``@register_adapter("341")``."""
	code = _code(bank_code)

	def decorator(klass: type[BankRegistrar]) -> type[BankRegistrar]:
		if not (isinstance(klass, type) and issubclass(klass, BankRegistrar)):
			raise TypeError("o adaptador deve ser uma subclasse de BankRegistrar")
		_ADAPTERS[code] = klass
		klass.bank_code = code
		return klass

	return decorator(cls) if cls is not None else decorator


def registered_adapters() -> dict[str, type[BankRegistrar]]:
	return dict(_ADAPTERS)


def get_registrar(account: BankAccount, mode: str | None = None, **config) -> BankRegistrar:
	"""The registrar for ``account``: its bank's API adapter (``mode="api"``), the CNAB one (``mode="cnab"``),
	or, with ``mode=None``, the API adapter when one is registered and CNAB otherwise."""
	code = _code(account.bank_code)
	if mode not in (None, "api", "cnab"):
		raise ValueError(f"modo {mode!r} inválido (api ou cnab)")
	if mode in (None, "api") and code in _ADAPTERS:
		return _ADAPTERS[code](account, **config)
	if mode in (None, "cnab") and code in SUPPORTED_BANKS:
		return CnabRegistrar(account, **config)
	raise BankApiError(
		f"Nenhuma forma de registro disponível para o banco {code} "
		f"({'API' if mode == 'api' else 'API nem CNAB 240' if mode is None else 'CNAB 240'})."
	)


class CnabRegistrar(BankRegistrar):
	"""Offline registration: titles (entradas, movement 01) and write-off requests (baixas, 02) wait in
	``pending`` until :meth:`build_file` writes them into a remessa; :meth:`apply_retorno` records the bank's
	answers so :meth:`query` can report them."""

	mode = "cnab"

	def __init__(self, account: BankAccount, company_name: str = "", company_cnpj: str = "", **config):
		super().__init__(account, **config)
		self.bank_code = _code(account.bank_code)
		self.company_name = company_name
		self.company_cnpj = company_cnpj
		self.pending: list[RemessaItem] = []
		self.known: dict[str, tuple[str, str]] = {}  # retorno key → (status, message)

	def _codes(self, item: RemessaItem):
		try:
			return generate(self.account, item.nosso_numero, item.due_date, item.amount)
		except BoletoError as exc:
			raise BankApiError(exc.message)

	def _key(self, item: RemessaItem) -> str:
		try:
			return retorno_key(self.account, item.nosso_numero)
		except RemessaError as exc:
			raise BankApiError(str(exc))

	def register(self, boleto: RegistrationRequest) -> RegistrationResult:
		item = boleto.item
		codes = self._codes(item)
		key = self._key(item)
		if any(self._key(p) == key and p.movement == "01" for p in self.pending):
			raise BankApiError(f"Nosso número {codes.nosso_numero} já está na remessa pendente.")
		self.pending.append(replace(item, movement="01"))
		self.known[key] = (
			"pending",
			"Título incluído na próxima remessa CNAB; aguardando o retorno do banco.",
		)
		return RegistrationResult(
			line=codes.line,
			barcode=codes.barcode,
			pix_payload="",
			status="pending",
			message=self.known[key][1],
			nosso_numero=codes.nosso_numero,
			bank_reference=key,
		)

	def query(self, boleto: RegistrationRequest) -> RegistrationResult:
		codes = self._codes(boleto.item)
		key = self._key(boleto.item)
		status, message = self.known.get(key, ("unknown", "Sem retorno do banco para este título."))
		return RegistrationResult(codes.line, codes.barcode, "", status, message, codes.nosso_numero, key)

	def cancel(self, boleto: RegistrationRequest) -> RegistrationResult:
		codes = self._codes(boleto.item)
		key = self._key(boleto.item)
		entries = [p for p in self.pending if self._key(p) == key and p.movement == "01"]
		if entries:  # never sent: just drop it from the pending remessa
			self.pending = [p for p in self.pending if self._key(p) != key]
			self.known[key] = ("cancelled", "Título retirado da remessa antes do envio ao banco.")
		else:
			self.pending.append(replace(boleto.item, movement="02"))
			self.known[key] = ("pending", "Pedido de baixa incluído na próxima remessa CNAB.")
		status, message = self.known[key]
		return RegistrationResult(codes.line, codes.barcode, "", status, message, codes.nosso_numero, key)

	def build_file(self, file_sequence: int, generated_at: datetime) -> str:
		"""Write the pending titles into a remessa (``file_sequence`` from the never-decreasing counter)."""
		if not self.pending:
			raise BankApiError("Não há títulos pendentes para a remessa.")
		header = RemessaHeader(self.account, self.company_name, self.company_cnpj)
		text = build_remessa(header, list(self.pending), file_sequence, generated_at)
		for item in self.pending:
			key = self._key(item)
			if item.movement == "01":
				self.known[key] = ("pending", f"Enviado na remessa {file_sequence}; aguardando o retorno.")
			else:
				self.known[key] = ("pending", f"Pedido de baixa enviado na remessa {file_sequence}.")
		self.pending = []
		return text

	def apply_retorno(self, retorno: Retorno) -> None:
		"""Record the bank's answers (the retorno must be of this registrar's bank)."""
		if retorno.bank_code != self.bank_code:
			raise BankApiError(f"Retorno do banco {retorno.bank_code}; esperado {self.bank_code}.")
		for item in retorno.items:
			message = item.occurrence_text + (f": {item.reason}" if item.reason else "")
			status = item.status if item.status in STATUSES else "unknown"
			if item.status == "other":
				previous = self.known.get(item.nosso_numero)
				status = previous[0] if previous else "unknown"
			self.known[item.nosso_numero] = (status, message)

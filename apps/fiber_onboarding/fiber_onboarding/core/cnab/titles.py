"""What every remessa writer checks and derives from a title, whatever the layout."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .fields import cents, document, only_digits, percent, text
from .model import RemessaError

MOVEMENTS = ("01", "02")  # 01 entrada de título; 02 pedido de baixa


@dataclass(slots=True)
class Title:
	"""A remessa item checked and converted once: values shared by the 240 and 400 writers."""

	item: object
	index: int  # 1-based, in the items given
	amount: int  # centavos
	payer_type: str
	payer_doc: str
	payer_name: str
	cep: str
	uf: str
	fine: object  # Decimal percent
	interest: object  # Decimal monthly percent

	@property
	def what(self) -> str:
		"""The title as messages name it (built only when one is)."""
		return _what(self.index, self.item)


def _what(index: int, item) -> str:
	return f"título {index} (nosso número {item.nosso_numero})"


def check_file(items, file_sequence: int, limit: int) -> None:
	if (
		isinstance(file_sequence, bool)
		or not isinstance(file_sequence, int)
		or not 1 <= file_sequence <= limit
	):
		raise RemessaError(f"Número sequencial do arquivo deve estar entre 1 e {limit}.")
	if not items:
		raise RemessaError("A remessa precisa de ao menos um título.")


def check_title(index: int, item) -> Title:
	if item.movement not in MOVEMENTS:
		raise RemessaError(
			f"{_what(index, item)}: movimento {item.movement!r} não suportado (01 entrada, 02 baixa)."
		)
	if not isinstance(item.due_date, date) or not isinstance(item.issue_date, date):
		raise RemessaError(f"{_what(index, item)}: datas de vencimento e emissão são obrigatórias.")
	if item.due_date < item.issue_date:
		raise RemessaError(f"{_what(index, item)}: vencimento anterior à emissão.")
	try:
		amount = cents(item.amount)
	except RemessaError as exc:
		raise RemessaError(f"{_what(index, item)}: {exc}")
	if amount <= 0:
		raise RemessaError(f"{_what(index, item)}: valor deve ser maior que zero.")
	payer = item.payer
	try:
		payer_type, payer_doc = document(payer.document, "Documento do pagador")
		fine = percent(item.fine_percent, "Multa")
		interest = percent(item.monthly_interest_percent, "Juros")
	except RemessaError as exc:
		raise RemessaError(f"{_what(index, item)}: {exc}")
	cep = only_digits(str(payer.cep or ""))
	if len(cep) != 8:
		raise RemessaError(f"{_what(index, item)}: CEP do pagador {payer.cep!r} inválido.")
	uf = text(payer.uf).strip()
	if len(uf) != 2 or not uf.isalpha():
		raise RemessaError(f"{_what(index, item)}: UF do pagador {payer.uf!r} inválida.")
	name = text(payer.name).strip()
	if not name:
		raise RemessaError(f"{_what(index, item)}: nome do pagador não informado.")
	return Title(item, index, amount, payer_type, payer_doc, name, cep, uf, fine, interest)

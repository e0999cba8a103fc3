"""What every remessa writer checks and derives from a title, whatever the layout."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

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


def title_checker():
	"""``check_title`` with per-file caches: the payer's checked fields once per payer object (a file repeats its
	payers), each fine/interest percentage once per value. Only a title that passes every check is taken by the fast
	path; anything else goes through ``check_title`` itself, so every refusal keeps its order and message."""
	payers: dict = {}  # id(payer) -> (payer, payer_type, payer_doc, name, cep, uf); the payer kept alive here
	percents: dict = {}

	fine_value = fine = interest_value = interest = None  # the last percentages seen (a file repeats them)

	def check(index: int, item) -> Title:
		nonlocal fine_value, fine, interest_value, interest
		try:  # anything unusual, an exception included, is for ``check_title`` to judge
			due = item.due_date
			issue = item.issue_date
			value = item.amount
			if (
				item.movement in MOVEMENTS
				and isinstance(due, date)
				and isinstance(issue, date)
				and type(value) is Decimal
				and value.is_finite()
				and not due < issue
			):
				shifted = value.scaleb(2)
				amount = int(shifted)
				payer = item.payer
				known = payers.get(id(payer))
				if known is None or known[0] is not payer:
					known = _payer(payer)
					if known is not None:
						payers[id(payer)] = known
				value = item.fine_percent
				if type(value) is not Decimal or value != fine_value:
					fine = _cached_percent(value, percents)
					fine_value = value if type(value) is Decimal and fine is not None else None
				value = item.monthly_interest_percent
				if type(value) is not Decimal or value != interest_value:
					interest = _cached_percent(value, percents)
					interest_value = value if type(value) is Decimal and interest is not None else None
				if (
					amount == shifted
					and amount > 0
					and known is not None
					and fine is not None
					and interest is not None
				):
					_p, payer_type, payer_doc, name, cep, uf = known
					return Title(item, index, amount, payer_type, payer_doc, name, cep, uf, fine, interest)
		except Exception:
			pass
		return check_title(index, item)

	return check


def _cached_percent(value, cache: dict):
	"""``percent(value)``, or None where it refuses; Decimal values cached per file (a value of another type, a
	bool equal to 1 say, is never answered from the cache)."""
	if type(value) is not Decimal or value.is_nan():
		try:
			return percent(value)
		except RemessaError:
			return None
	result = cache.get(value)
	if result is None:
		try:
			result = cache[value] = percent(value)
		except RemessaError:
			return None
	return result


def _payer(payer):
	"""(payer, type, document, name, CEP, UF) as ``check_title`` derives them, or None when one is refused."""
	try:
		payer_type, payer_doc = document(payer.document, "Documento do pagador")
		cep = only_digits(str(payer.cep or ""))
		uf = text(payer.uf).strip()
		name = text(payer.name).strip()
	except Exception:  # ``check_title`` says what, in its order
		return None
	if len(cep) != 8 or len(uf) != 2 or not uf.isalpha() or not name:
		return None
	return payer, payer_type, payer_doc, name, cep, uf

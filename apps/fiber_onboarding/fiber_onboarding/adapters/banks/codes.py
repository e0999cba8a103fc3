"""Compare the barcode and linha digitável a bank returned with the title we asked it to register.

The bank is the truth for the codes printed on the boleto, but a difference from what ``core.boleto`` computes
means a wrong setting (agreement, wallet, agency) or a bank-side change, and finance must hear about it. For the
banks ``core.boleto`` knows (001, 033, 104, 237, 341, 756) the codes must be identical; for the others (Inter,
077, numbers its titles itself) the FEBRABAN structure is checked: check digits, line ↔ barcode, bank, amount
and due date.
"""

from __future__ import annotations

from fiber_onboarding.core.bankapi import RegistrationRequest
from fiber_onboarding.core.boleto import BoletoError, decode, factor_for, generate, to_cents
from fiber_onboarding.core.boleto.banks import BANKS
from fiber_onboarding.core.boleto.codes import normalize

__all__ = ["code_problems", "compare_codes", "describe_problems"]


def _decoded(text: str, label: str, request: RegistrationRequest, problems: list[str]):
	try:
		digits = normalize(text)
		return decode(digits, today=request.item.due_date)
	except BoletoError as exc:
		problems.append(f"{label} devolvido pelo banco é inválido: {exc.message}")
		return None


def code_problems(request: RegistrationRequest, barcode: str, line: str) -> tuple[list[str], list[str]]:
	"""(invalid, divergent): codes that are not a valid boleto (unpayable — never print them), and valid codes
	that differ from the requested title (print the bank's, but tell finance)."""
	invalid: list[str] = []
	if not barcode and not line:
		return ["O banco não devolveu código de barras nem linha digitável."], []
	bank_barcode = _decoded(barcode, "Código de barras", request, invalid) if barcode else None
	bank_line = _decoded(line, "Linha digitável", request, invalid) if line else None
	if bank_barcode and bank_line and bank_barcode.barcode != bank_line.barcode:
		invalid.append("A linha digitável do banco não corresponde ao código de barras do banco.")
	codes = bank_barcode or bank_line
	if invalid or codes is None:
		return invalid, []
	divergent: list[str] = []
	account, item = request.account, request.item
	expected_bank = str(account.bank_code).zfill(3)
	if codes.bank_code != expected_bank:
		divergent.append(f"Banco {codes.bank_code} no código de barras; esperado {expected_bank}.")
	if to_cents(codes.amount) != to_cents(item.amount):
		divergent.append(f"Valor R$ {codes.amount} no código de barras; esperado R$ {item.amount}.")
	if codes.factor != factor_for(item.due_date):
		divergent.append(
			f"Fator de vencimento {codes.factor} no código de barras; esperado {factor_for(item.due_date)} "
			f"({item.due_date:%d/%m/%Y})."
		)
	if expected_bank in BANKS:
		try:
			ours = generate(account, item.nosso_numero, item.due_date, item.amount)
		except BoletoError as exc:
			divergent.append(f"Não foi possível calcular o nosso código de barras: {exc.message}")
			return invalid, divergent
		if codes.barcode != ours.barcode:
			divergent.append(
				f"Código de barras do banco {codes.barcode} difere do nosso {ours.barcode} "
				"(confira convênio, carteira e nosso número)."
			)
			divergent.append(f"Linha digitável do banco {codes.line} difere da nossa {ours.line}.")
	return invalid, divergent


def compare_codes(request: RegistrationRequest, barcode: str, line: str) -> list[str]:
	"""pt-BR problems between the bank's ``barcode``/``line`` and the requested title (empty = all agree)."""
	invalid, divergent = code_problems(request, barcode, line)
	return invalid + divergent


def describe_problems(problems: list[str]) -> str:
	"""One pt-BR sentence for a result message (empty when there is nothing to report)."""
	if not problems:
		return ""
	return " Atenção, divergência nos códigos: " + " ".join(problems)

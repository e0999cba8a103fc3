"""Jinja helpers for the contract print format (registered in ``hooks.jinja``): Brazilian masks and money."""

from decimal import ROUND_HALF_UP, Decimal

from fiber_onboarding.core.documents import format_cep, format_cnpj, format_cpf


def fo_brl(value) -> str:
	"""``R$ 1.234,56``: Brazilian money format, from the exact decimal value (never a float)."""
	amount = Decimal(str(value or 0)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
	sign = "-" if amount < 0 else ""
	whole, cents = f"{abs(amount):.2f}".split(".")
	groups = []
	while len(whole) > 3:
		groups.insert(0, whole[-3:])
		whole = whole[:-3]
	groups.insert(0, whole)
	return f"{sign}R$ {'.'.join(groups)},{cents}"


def fo_cnpj(value) -> str:
	return format_cnpj(value)


def fo_cpf(value) -> str:
	return format_cpf(value)


def fo_cep(value) -> str:
	return format_cep(value)

"""Shared test data for the bank API tests: accounts, titles and registrars wired to a running simulator.

Imports the app (unlike the rest of this package): the core tier has it on ``sys.path`` (tests/conftest.py), the
integration tier runs inside the bench.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fiber_onboarding.adapters.banks import make_registrar
from fiber_onboarding.core.bankapi import RegistrationRequest
from fiber_onboarding.core.boleto import BankAccount
from fiber_onboarding.core.cnab240 import Payer, RemessaItem

PAYER = Payer(
	"Cliente Exemplo Ltda",
	"11.222.333/0001-81",
	"Rua Augusta, 100",
	"01305-000",
	"São Paulo",
	"SP",
	"Consolação",
)
BB = BankAccount("001", "1234", "56789", wallet="17-019", agreement="1234567")
INTER = BankAccount("077", "0001", "1234567", account_dv="8")
DUE = date(2026, 3, 10)
ISSUED = date(2026, 3, 2)


def title(
	account: BankAccount, sequence, amount="1500.00", payer: Payer = PAYER, **kw
) -> RegistrationRequest:
	item = RemessaItem(sequence, f"SINV-{sequence}", kw.pop("due", DUE), Decimal(amount), ISSUED, payer, **kw)
	return RegistrationRequest(account, item)


def registrar(sim, bank: str, identity=None, credentials: dict | None = None, **settings):
	"""A registrar of ``bank`` ("bb"/"inter") pointed at ``sim`` (client certificate of the test PKI)."""
	code, account = ("001", BB) if bank == "bb" else ("077", INTER)
	creds = credentials if credentials is not None else sim.credentials(bank, identity)
	return make_registrar(code, creds, "sandbox", account=account, **{**sim.settings(bank), **settings})


class FakeClock:
	"""Monotonic clock a test moves by hand (token expiry without waiting)."""

	def __init__(self, start: float = 1000.0):
		self.now = start

	def __call__(self) -> float:
		return self.now

	def advance(self, seconds: float):
		self.now += seconds

"""Bank API clients for online boleto registration (plain Python: requests + cryptography, never frappe).

- :mod:`.bb` — Banco do Brasil, API Cobranças v2 (bank code 001);
- :mod:`.inter` — Banco Inter, API Cobrança v3 "BolePix" (077), with :mod:`.inter_webhook` for its callbacks;
- :mod:`.transport` — mTLS identity, OAuth2 token cache, error mapping; :mod:`.errors` — the exceptions;
- :mod:`.codes` — compares the bank's barcode/linha digitável with ours;
- :mod:`.registry` — importing it registers both adapters in ``core.bankapi`` (list it in the hook
  ``fiber_bank_registrars``).

The Frappe side needs only::

        registrar = make_registrar("077", credentials, "production", account=account)
        registrar.test_connection()  # pt-BR confirmation, or a BankApiError subclass with a pt-BR message
        result = registrar.register(RegistrationRequest(account, item))

See docs/bank-api.md for credentials, certificates and environments.
"""

from __future__ import annotations

from fiber_onboarding.core.boleto import BankAccount

from .errors import BankConfigError

__all__ = ["ADAPTERS", "make_registrar"]

ADAPTERS = {
	"001": ("fiber_onboarding.adapters.banks.bb", "BancoDoBrasilRegistrar"),
	"077": ("fiber_onboarding.adapters.banks.inter", "InterRegistrar"),
}


def make_registrar(
	bank_code: str, credentials: dict, environment: str, account: BankAccount | None = None, **settings
):
	"""The API registrar of ``bank_code`` (``"001"`` or ``"077"``) with the agreement's credentials.

	``environment`` is "sandbox" or "production" (BB also "homologation"); ``settings`` go to the adapter
	(``base_url``, ``token_url``, ``timeout``, ``ca_bundle``…). ``account`` may be omitted for a connection test.
	"""
	from importlib import import_module

	code = str(bank_code or "").strip().zfill(3)
	if code not in ADAPTERS:
		raise BankConfigError(f"Não há registro por API para o banco {code} (disponível: 001 e 077).")
	module, name = ADAPTERS[code]
	cls = getattr(import_module(module), name)
	return cls(account or BankAccount(code, "", ""), credentials, environment, **settings)

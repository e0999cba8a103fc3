"""Online boleto registration through a bank's API (the alternative to the CNAB remittance file).

The core defines the interface (``core.bankapi``: ``BankRegistrar``, ``register_adapter``, ``get_registrar``);
a bank's adapter is one module that subclasses ``BankRegistrar`` and registers itself for its bank code. This
module loads the adapters an app declares in the hook ``fiber_bank_registrars`` (list of dotted module paths),
and is the only place that talks to them. An agreement whose ``registration_method`` is "Bank API" registers
each boleto when it is issued; any other agreement uses the CNAB remittance.
"""

import importlib

import frappe
from frappe import _

from fiber_onboarding.adapters.cnab_files import bank_account_of, remessa_item
from fiber_onboarding.core.bankapi import BankApiError, RegistrationRequest, RegistrationResult, get_registrar

BANK_API = "Bank API"


class BankRegistrationError(frappe.ValidationError):
	pass


def load_adapters():
	for module in frappe.get_hooks("fiber_bank_registrars") or []:
		importlib.import_module(module)


def uses_bank_api(agreement) -> bool:
	return (agreement.get("registration_method") or "") == BANK_API


def registrar_for(agreement):
	"""The agreement's online registrar, or None when the agreement registers through CNAB files."""
	if not uses_bank_api(agreement):
		return None
	load_adapters()
	try:
		return get_registrar(bank_account_of(agreement), mode="api", agreement=agreement.name)
	except BankApiError as e:
		frappe.throw(
			_("Bank agreement {0} is set to register through the bank's API, but: {1}").format(
				agreement.name, str(e)
			),
			BankRegistrationError,
		)


def _request(boleto, movement: str) -> RegistrationRequest:
	agreement = frappe.get_cached_doc("Fiber Bank Agreement", boleto.bank_agreement)
	return RegistrationRequest(bank_account_of(agreement), remessa_item(boleto, movement))


def register(boleto, agreement) -> RegistrationResult | None:
	"""Register ``boleto`` online; None when the bank did not answer (the boleto stays waiting, retry later)."""
	registrar = registrar_for(agreement)
	if registrar is None:
		return None
	try:
		return registrar.register(_request(boleto, "Registration"))
	except BankApiError as e:
		boleto.add_comment("Comment", _("Online registration failed, try again later: {0}").format(str(e)))
		return None


def cancel(boleto, agreement) -> RegistrationResult | None:
	"""Ask the bank to write the boleto off (baixa); None when the bank did not answer."""
	registrar = registrar_for(agreement)
	if registrar is None:
		return None
	try:
		return registrar.cancel(_request(boleto, "Cancellation"))
	except BankApiError as e:
		boleto.add_comment("Comment", _("Online cancellation failed, try again later: {0}").format(str(e)))
		return None


def query(boleto, agreement) -> RegistrationResult | None:
	registrar = registrar_for(agreement)
	if registrar is None:
		return None
	try:
		return registrar.query(_request(boleto, "Registration"))
	except BankApiError:
		return None

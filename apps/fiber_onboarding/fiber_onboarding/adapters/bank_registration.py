"""The Frappe side of online boleto registration: a Fiber Bank Agreement's credentials and settings turned into
the bank's API registrar (``adapters.banks``: Banco do Brasil API Cobranças v2, Banco Inter API Cobrança v3),
and a Fiber Boleto turned into the registrar's request.

An agreement whose ``registration_method`` is "Bank API" registers each boleto when it is issued
(``boleto_service.api_registration``); any other agreement uses the CNAB remittance. Secrets are read here
(Password fields, private files) and go only to the registrar, which never logs or shows them.
"""

import frappe
from frappe import _

from fiber_onboarding.adapters.banks import ADAPTERS, make_registrar
from fiber_onboarding.adapters.banks.errors import BankConfigError
from fiber_onboarding.adapters.cnab_files import bank_account_of, remessa_item
from fiber_onboarding.core.bankapi import RegistrationRequest

BANK_API = "Bank API"
API_BANKS = tuple(ADAPTERS)  # 001 Banco do Brasil, 077 Banco Inter


def uses_bank_api(agreement) -> bool:
	return (agreement.get("registration_method") or "") == BANK_API


def _file_content(url: str | None, label: str):
	"""The bytes of a private File attached to the agreement (certificate, key)."""
	if not url:
		return None
	name = frappe.db.get_value("File", {"file_url": url}, "name")
	if not name:
		raise BankConfigError(f"Arquivo do {label} não encontrado no sistema; anexe-o de novo no convênio.")
	return frappe.get_doc("File", name).get_content()


def _file_path(url: str | None) -> str | None:
	if not url:
		return None
	name = frappe.db.get_value("File", {"file_url": url}, "name")
	return frappe.get_doc("File", name).get_full_path() if name else None


def credentials_of(agreement) -> dict:
	"""The registrar's credentials from the agreement (Password fields decrypted, private files read)."""
	password = agreement.get_password
	return {
		"client_id": (agreement.get("api_client_id") or "").strip(),
		"client_secret": password("api_client_secret", raise_exception=False) or "",
		"certificate": _file_content(agreement.get("api_certificate"), "certificado"),
		"private_key": _file_content(agreement.get("api_private_key"), "chave privada"),
		"certificate_password": password("api_certificate_password", raise_exception=False) or "",
		"app_key": password("bb_app_key", raise_exception=False) or "",
		"account_number": agreement.get("inter_account_number") or "",
	}


def settings_of(agreement, timeout: float | None = None) -> dict:
	"""URL overrides, trust roots and the timeout (``timeout`` overrides the agreement's, e.g. at issue)."""
	settings = {"timeout": float(timeout or agreement.get("api_timeout") or 8), "agreement": agreement.name}
	if agreement.get("api_base_url"):
		settings["base_url"] = agreement.api_base_url.strip()
	if agreement.get("api_token_url"):
		settings["token_url"] = agreement.api_token_url.strip()
	ca_bundle = _file_path(agreement.get("api_ca_bundle"))
	if ca_bundle:
		settings["ca_bundle"] = ca_bundle
	return settings


def registrar_for(agreement, timeout: float | None = None):
	"""The agreement's API registrar (raises a ``BankRequestError`` with a pt-BR message when misconfigured)."""
	if agreement.bank_code not in API_BANKS:
		raise BankConfigError(
			f"Não há registro por API para o banco {agreement.bank_code} (disponível: {', '.join(API_BANKS)})."
		)
	return make_registrar(
		agreement.bank_code,
		credentials_of(agreement),
		agreement.get("api_environment") or "Sandbox",
		account=bank_account_of(agreement),
		**settings_of(agreement, timeout),
	)


def request_for(boleto, movement: str = "Registration") -> RegistrationRequest:
	"""What the bank needs to register, query or write off ``boleto``."""
	agreement = frappe.get_cached_doc("Fiber Bank Agreement", boleto.bank_agreement)
	return RegistrationRequest(bank_account_of(agreement), remessa_item(boleto, movement))


def validate_agreement(agreement):
	"""Called by the agreement's controller: Inter has no CNAB 240 here, private files only for secrets."""
	if agreement.bank_code == "077" and not uses_bank_api(agreement):
		frappe.throw(
			_("Banco Inter boletos are registered only through the Bank API."), frappe.ValidationError
		)
	for field in ("api_certificate", "api_private_key"):
		url = agreement.get(field)
		if url and not url.startswith("/private/"):
			frappe.throw(
				_("{0} must be a private file: attach it again with Private checked.").format(
					_(agreement.meta.get_label(field))
				),
				frappe.ValidationError,
			)
	if uses_bank_api(agreement) and agreement.bank_code not in API_BANKS:
		frappe.throw(
			_("Registration through the Bank API is available for banks {0} only.").format(
				", ".join(API_BANKS)
			),
			frappe.ValidationError,
		)
	if agreement.bank_code == "077" and not agreement.get("inter_webhook_secret"):
		agreement.inter_webhook_secret = frappe.generate_hash(length=40)

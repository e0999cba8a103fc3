"""Setting an agreement up for the bank's API: the connection test of the desk button "Testar conexão" and the
registration of Inter's charge webhook. Staff messages are the adapters' pt-BR texts (``adapters.banks.errors``:
wrong secret, refused or expired certificate, unreachable bank); secrets never appear in them."""

from urllib.parse import quote

import frappe
from frappe import _
from frappe.utils import get_url

from fiber_onboarding.adapters import bank_registration
from fiber_onboarding.adapters.banks.inter_webhook import InterWebhookError, inter_webhook_url
from fiber_onboarding.core.bankapi import BankApiError

WEBHOOK_METHOD = "fiber_onboarding.api.bank_webhook.inter"


def test_connection(agreement) -> tuple[bool, str]:
	"""(ok, pt-BR message): a fresh OAuth2 token obtained over mTLS with the agreement's credentials."""
	try:
		with bank_registration.registrar_for(agreement) as registrar:
			return True, registrar.test_connection()
	except BankApiError as e:
		return False, str(e)


def webhook_url(agreement) -> str:
	"""Our Inter webhook address with the agreement's token (what is registered at Inter)."""
	secret = agreement.get_password("inter_webhook_secret", raise_exception=False)
	base = get_url(f"/api/method/{WEBHOOK_METHOD}?agreement={quote(agreement.name)}")
	return inter_webhook_url(base, secret)


def register_inter_webhook(agreement) -> tuple[bool, str]:
	"""Register (or replace) the agreement's charge webhook at Inter; (ok, pt-BR message)."""
	if agreement.bank_code != "077":
		return False, _("Only Banco Inter agreements register a webhook.")
	try:
		url = webhook_url(agreement)
		with bank_registration.registrar_for(agreement) as registrar:
			return True, registrar.register_webhook(url)
	except (BankApiError, InterWebhookError) as e:
		return False, getattr(e, "message", None) or str(e)

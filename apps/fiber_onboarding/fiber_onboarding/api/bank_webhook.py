"""Banco Inter's charge webhook: ``POST /api/method/fiber_onboarding.api.bank_webhook.inter?agreement=…&token=…``.

A guest endpoint (Inter calls it), on ``security/allowlist.py``. The check comes first: the URL token derived
from the agreement's webhook secret (and, when the agreement asks for it, Inter's client certificate verified by
the reverse proxy). A call that fails it gets 403 and changes nothing. An authentic notice is kept once (a
replay changes nothing) and only triggers a query to the bank: the bank's own answer is what marks a boleto paid.
"""

import frappe
from frappe.rate_limiter import rate_limit

from fiber_onboarding.adapters.banks.inter_webhook import InterWebhookError
from fiber_onboarding.fiber_billing.boleto_service import bank_payments

MAX_BODY = 1_000_000


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=600, seconds=60)  # per client address: far above Inter's bursts, a stop for floods
def inter(data: list | None = None):
	"""``data`` is Frappe's parse of the JSON array Inter sends; the raw body is what is authenticated and read.
	``agreement`` and ``token`` travel in the URL registered at Inter (query string)."""
	request = frappe.request
	query = request.args if request else {}
	body = request.get_data(cache=True) if request else b""
	if len(body or b"") > MAX_BODY:
		frappe.throw("Notificação grande demais; nada foi processado.", frappe.ValidationError)
	try:
		accepted = bank_payments.receive_inter_notices(
			query.get("agreement"), dict(request.headers) if request else {}, body, query.get("token")
		)
	except InterWebhookError as e:
		if e.code in ("auth", "certificate"):
			frappe.throw(e.message, frappe.PermissionError)
		frappe.throw(e.message, frappe.ValidationError)
	return {"accepted": accepted}

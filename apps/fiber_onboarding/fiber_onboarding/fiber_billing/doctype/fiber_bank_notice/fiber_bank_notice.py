"""A bank's payment notice (Inter webhook), stored once under its idempotency key: the replay guard's memory and
Finance's audit trail. Written only by ``boleto_service.bank_payments``."""

from frappe.model.document import Document


class FiberBankNotice(Document):
	pass

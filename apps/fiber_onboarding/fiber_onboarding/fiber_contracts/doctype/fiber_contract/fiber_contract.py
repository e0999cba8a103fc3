from frappe.model.document import Document


class FiberContract(Document):
	"""The service contract of one onboarding case; its name (CTR-YYYY-NNNNN) is the contract code."""

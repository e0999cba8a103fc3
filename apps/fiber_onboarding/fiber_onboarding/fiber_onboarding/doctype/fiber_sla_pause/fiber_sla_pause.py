from frappe.model.document import Document


class FiberSLAPause(Document):
	"""A period (from/to, inclusive) in which the activation SLA does not count, with its reason."""

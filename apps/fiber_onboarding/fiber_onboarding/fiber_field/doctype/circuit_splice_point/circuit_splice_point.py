from frappe.model.document import Document


class CircuitSplicePoint(Document):
	pass

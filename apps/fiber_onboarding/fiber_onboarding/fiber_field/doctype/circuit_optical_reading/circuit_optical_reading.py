from frappe.model.document import Document


class CircuitOpticalReading(Document):
	pass

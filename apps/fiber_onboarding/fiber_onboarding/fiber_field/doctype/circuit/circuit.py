from frappe.model.document import Document


class Circuit(Document):
	pass

from frappe.model.document import Document


class CNABRetornoRow(Document):
	pass

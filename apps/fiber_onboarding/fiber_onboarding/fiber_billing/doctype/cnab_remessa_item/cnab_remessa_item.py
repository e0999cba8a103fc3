from frappe.model.document import Document


class CNABRemessaItem(Document):
	pass

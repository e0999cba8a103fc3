from frappe.model.document import Document


class FiberProject(Document):
	pass

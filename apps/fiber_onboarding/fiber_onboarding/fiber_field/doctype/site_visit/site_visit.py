from frappe.model.document import Document


class SiteVisit(Document):
	pass

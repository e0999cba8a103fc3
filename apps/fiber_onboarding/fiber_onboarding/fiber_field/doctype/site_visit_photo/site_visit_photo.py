from frappe.model.document import Document


class SiteVisitPhoto(Document):
	pass

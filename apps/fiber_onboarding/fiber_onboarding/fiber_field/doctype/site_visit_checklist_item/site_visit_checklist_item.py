from frappe.model.document import Document


class SiteVisitChecklistItem(Document):
	pass

import frappe
from frappe.model.document import Document


class FiberProposal(Document):
	pass

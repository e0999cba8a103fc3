from frappe.model.document import Document


class FiberContractUpload(Document):
	"""One signed upload of the contract: the stored private file, its hash and the checker's verdict. Never deleted."""

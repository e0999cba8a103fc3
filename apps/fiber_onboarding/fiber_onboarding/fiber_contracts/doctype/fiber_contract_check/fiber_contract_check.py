from frappe.model.document import Document


class FiberContractCheck(Document):
	"""One check of the signed-contract checker for one upload (pass / warn / fail with a pt-BR detail)."""

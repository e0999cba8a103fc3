from frappe.model.document import Document


class FiberTrustRoot(Document):
	"""A pinned trust root (ICP-Brasil, gov.br or other) for signed-contract validation, in Fiber Onboarding Settings."""

from frappe.model.document import Document


class FiberNotificationLog(Document):
	"""One row per e-mail event: its unique key makes every notification idempotent."""

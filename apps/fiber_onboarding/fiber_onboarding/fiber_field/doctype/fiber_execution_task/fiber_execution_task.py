from frappe.model.document import Document


class FiberExecutionTask(Document):
	pass

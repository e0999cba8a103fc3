"""A CNAB 240 remittance file sent to the bank (built by ``boleto_service.remessa.build_remessa_file``)."""

from frappe.model.document import Document


class CNABRemessa(Document):
	pass

"""A CNAB remittance file (240 or 400, the agreement's layout) for the bank (built by
``boleto_service.remessa.build_remessa_file``, by Finance or the daily job)."""

from frappe.model.document import Document


class CNABRemessa(Document):
	pass

"""A return file from the bank (any of the six banks, CNAB 240 or 400). The same file (same SHA-256) is accepted
once; applying it is a background job (``boleto_service.retorno.process_retorno``) that records one row per line
with its outcome (``boleto_service.retorno_items``).
"""

import hashlib

import frappe
from frappe import _
from frappe.model.document import Document


class DuplicateRetornoError(frappe.ValidationError):
	pass


def file_hash(content: bytes) -> str:
	return hashlib.sha256(content).hexdigest()


def read_attachment(file_url: str) -> bytes:
	file_doc = frappe.get_doc("File", {"file_url": file_url})
	content = file_doc.get_content()
	return content.encode("utf-8") if isinstance(content, str) else content


class CNABRetorno(Document):
	def validate(self):
		if self.file and not self.file_hash:
			self.file_hash = file_hash(read_attachment(self.file))
			self.file_name = self.file_name or self.file.rsplit("/", 1)[-1]
		self.validate_unique_file()

	def validate_unique_file(self):
		if not self.file_hash:
			return
		other = frappe.db.get_value(
			"CNAB Retorno", {"file_hash": self.file_hash, "name": ("!=", self.name or "")}, "name"
		)
		if other:
			frappe.throw(
				_(
					"This return file was already imported as {0}; importing it again would change nothing."
				).format(other),
				DuplicateRetornoError,
				title=_("Duplicate return file"),
			)

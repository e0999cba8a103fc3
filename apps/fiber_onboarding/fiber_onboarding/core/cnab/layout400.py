"""CNAB 400 (cobrança): the structure the banks share and the bank profile.

Unlike CNAB 240 there is no common standard below the structure: header (0, "1REMESSA"/"2RETORNO" + "01" +
"COBRANCA"), details (type 1 — Banco do Brasil's 7-digit convênio uses 7), optional bank records (Pix, fine,
messages), trailer (9); every record ends with its sequence number in 395-400. Most banks keep the positions below
in the detail of the retorno (occurrence 109-110, due date 147-152, amounts 153-165 … 280-292); a bank module
replaces what its manual changes and declares its own records for the remessa.
"""

from __future__ import annotations

# Retorno detail fields (0-based slices) in the positions most manuals share
DETAIL_FIELDS = {
	"doc": (3, 17),
	"occurrence": (108, 110),
	"payment_date": (110, 116),
	"document_number": (116, 126),
	"due_date": (146, 152),
	"amount_title": (152, 165),
	"fees": (175, 188),
	"other_expenses": (188, 201),
	"iof": (214, 227),
	"rebate": (227, 240),
	"discount": (240, 253),
	"amount_paid": (253, 266),
	"interest": (266, 279),
	"other_credits": (279, 292),
	"credit_date": (295, 301),
}
MONEY = (
	"amount_title",
	"fees",
	"other_expenses",
	"iof",
	"rebate",
	"discount",
	"amount_paid",
	"interest",
	"other_credits",
)
DATES = ("payment_date", "due_date", "credit_date")
# Remessa detail (read back): the positions the banks share
REMESSA_FIELDS = {
	"movement": (108, 110),
	"document_number": (110, 120),
	"due_date": (120, 126),
	"amount": (126, 139),
	"issue_date": (150, 156),
	"payer_type": (218, 220),
	"payer_doc": (220, 234),
	"payer_name": (234, 274),
	"payer_cep": (326, 334),
}


class Profile400:
	code = ""
	manual = ""
	detail_type = "1"
	extra_types = ""  # optional record types in the retorno (accepted, sequenced, read by ``extra_record``)
	remessa_extra_types = ""
	HEADER = None  # Records of the remessa (see the bank modules)
	DETAIL = None
	TRAILER = None
	DETAIL_FIELDS = DETAIL_FIELDS
	MONEY = MONEY
	DATES = DATES
	REMESSA_FIELDS = REMESSA_FIELDS
	# retorno header: (start, end) 0-based of the file sequence (None when the layout has none), date, agreement
	H_SEQUENCE: tuple[int, int] | None = None
	H_SEQUENCE_REMESSA: tuple[int, int] | None = None  # the remessa header's file sequence
	H_AGREEMENT = (26, 46)
	H_AGREEMENT_REMESSA: tuple[int, int] | None = None  # the remessa header's, where it differs
	H_COMPANY = (46, 76)
	motives: tuple[int, int] | None = None  # 0-based slice of the motive field
	motive_size = 2
	wallet = (107, 108)
	# 0-based slice of the title's key in a detail, where ``key_from_detail`` is one (read with the other fields)
	KEY: tuple[int, int] | None = None
	occurrences: dict = {}
	species = "12"  # duplicata de serviço in most manuals
	max_sequence = 9999999  # the header's file sequence (remessa) where the layout has one

	def __init__(self, agreement=None):
		self.agreement = agreement
		self.account = agreement.account if agreement is not None else None

	# -- writer ------------------------------------------------------------------------------------------------
	def header_values(self) -> dict:
		return {}

	def detail_values(self, title, values: dict) -> None:
		"""Add the bank's own detail fields to ``values`` (title block, interest, fine…)."""
		raise NotImplementedError

	def extra_records(self, title, values: dict) -> list:
		"""Records written after a detail (e.g. a fine record); each is (Record, values)."""
		return []

	def trailer_values(self, values: dict, count: int, total_cents: int) -> None:
		return None

	# -- reader ------------------------------------------------------------------------------------------------
	def key_from_detail(self, line: str) -> str:
		raise NotImplementedError

	def key_from_remessa(self, line: str) -> str:
		raise NotImplementedError

	def agreement_of(self, header: str) -> str:
		return header[self.H_AGREEMENT[0] : self.H_AGREEMENT[1]].strip()

	def agreement_of_remessa(self, header: str) -> str:
		return self.agreement_of(header)

	def agreement_code(self, agreement) -> str:
		return agreement.account.agreement or agreement.account.beneficiary_code

	def remessa_agreement_code(self, agreement) -> str:
		"""The code the remessa header carries (``agreement_of_remessa``); most banks: the same as the retorno's."""
		return self.agreement_code(agreement)

	DETAIL_DOCUMENT = (
		"doc"  # the detail field detail_document returns as is; None: a bank's own detail_document
	)

	def detail_document(self, line: str) -> str:
		"""The company's CPF/CNPJ in a detail record ("" when the layout has none)."""
		start, end = self.DETAIL_FIELDS["doc"]
		return line[start:end]

	def remessa_document(self, line: str) -> str:
		"""The company's CPF/CNPJ in a remessa detail record."""
		return self.detail_document(line)

	def extra_record(self, line: str, item) -> None:
		"""An optional record after a detail (``extra_types``): e.g. the Pix payload."""
		return None

	def check_trailer(
		self, line: str, number: int, details: int, records: int, remessa: bool = False
	) -> None:
		"""Bank-specific counts in the trailer (the sequence numbers are always checked)."""
		return None

	def remessa_fine(self, line: str):
		"""(fine percent or None, interest code, interest value) of a remessa detail read back."""
		return None

	def remessa_extra_fine(self, line: str):
		"""The fine percent of an optional remessa record (BB type 5, Itaú type 2), else None."""
		return None

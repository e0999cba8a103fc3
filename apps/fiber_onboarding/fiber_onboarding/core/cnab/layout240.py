"""CNAB 240 (FEBRABAN "Layout Padrão 240 posições", cobrança): the records every bank shares, and the bank profile.

File: header de arquivo (0) · lote: header (1), detalhes (3: remessa P + Q + R per title; retorno T + U per title,
optional Y…), trailer (5) · trailer de arquivo (9). A bank module subclasses :class:`Profile240` and replaces only
what its manual changes (the agreement/account blocks, the title identification in P and T, a reserved tail…).
"""

from __future__ import annotations

from .codes import OCCURRENCES_240
from .fields import Record, day_after

_COMMON = ("1-3 9 bank", "4-7 = 0001", "8 = 3", "9-13 9 seq", "14 X segment", "15 _", "16-17 9 movement")

HEADER = Record(
	240,
	"header de arquivo",
	(
		"1-3 9 bank",
		"4-7 = 0000",
		"8 = 0",
		"9-17 _",
		"18 9 doc_type",
		"19-32 9 doc",
		"33-52 X h_agreement_block",
		"53-72 X h_account_block",
		"73-102 X company",
		"103-132 X bank_name",
		"133-142 _",
		"143 = 1",
		"144-151 9 date",
		"152-157 9 time",
		"158-163 9 nsa",
		"164-166 9 file_version",
		"167-240 X header_tail",
	),
)
LOT_HEADER = Record(
	240,
	"header de lote",
	(
		"1-3 9 bank",
		"4-7 = 0001",
		"8 = 1",
		"9 = R",
		"10-11 = 01",
		"12-13 X lot_reserved",
		"14-16 9 lot_version",
		"17 _",
		"18 9 doc_type",
		"19-33 9 doc",
		"34-53 X agreement_block",
		"54-73 X account_block",
		"74-103 X company",
		"104-143 X message_1",
		"144-183 X message_2",
		"184-191 9 nsa",
		"192-199 9 date",
		"200-207 0",
		"208-240 _",
	),
)
SEGMENT_P = Record(
	240,
	"segmento P",
	(
		*_COMMON,
		"18-62 X title_block",
		"63-77 X document_block",
		"78-85 9 due_date",
		"86-100 9 amount",
		"101-105 0",
		"106 X p_106",
		"107-108 9 species",
		"109 = N",
		"110-117 9 issue_date",
		"118 9 interest_code",
		"119-126 9 interest_date",
		"127-141 9 interest_value",
		"142 = 0",
		"143-150 0",
		"151-165 0",
		"166-180 0",
		"181-195 0",
		"196-220 X document_number",
		"221 = 3",
		"222-223 = 00",
		"224-239 X p_tail",
		"240 _",
	),
)
SEGMENT_Q = Record(
	240,
	"segmento Q",
	(
		*_COMMON,
		"18 9 payer_type",
		"19-33 9 payer_doc",
		"34-73 X payer_name",
		"74-113 X payer_address",
		"114-128 X payer_neighborhood",
		"129-136 9 payer_cep",
		"137-151 X payer_city",
		"152-153 X payer_uf",
		"154 = 0",
		"155-169 0",
		"170-209 _",
		"210-212 0",
		"213-240 _",
	),
)
SEGMENT_R = Record(
	240,
	"segmento R",
	(
		*_COMMON,
		"18 = 0",
		"19-26 0",
		"27-41 0",
		"42 = 0",
		"43-50 0",
		"51-65 0",
		"66 9 fine_code",
		"67-74 9 fine_date",
		"75-89 9 fine_value",
		"90-99 _",
		"100-139 _",
		"140-179 _",
		"180-199 _",
		"200-207 0",
		"208-210 0",
		"211-215 0",
		"216 _",
		"217-228 0",
		"229-230 _",
		"231 = 0",
		"232-240 _",
	),
)
LOT_TRAILER = Record(
	240,
	"trailer de lote",
	("1-3 9 bank", "4-7 = 0001", "8 = 5", "9-17 _", "18-23 9 count", "24-240 X lot_trailer_tail"),
)
FILE_TRAILER = Record(
	240,
	"trailer de arquivo",
	("1-3 9 bank", "4-7 = 9999", "8 = 9", "9-17 _", "18-23 = 000001", "24-29 9 count", "30-240 _"),
)

# Retorno fields (0-based slices) in FEBRABAN positions
T_FIELDS = {
	"nn": (37, 57),
	"wallet": (57, 58),
	"document_number": (58, 73),
	"due_date": (73, 81),
	"amount_title": (81, 96),
	"payer_name": (148, 188),
	"fees": (198, 213),
	"motives": (213, 223),
}
U_FIELDS = {
	"interest": (17, 32),
	"discount": (32, 47),
	"rebate": (47, 62),
	"iof": (62, 77),
	"amount_paid": (77, 92),
	"net_credit": (92, 107),
	"other_expenses": (107, 122),
	"other_credits": (122, 137),
	"payment_date": (137, 145),
	"credit_date": (145, 153),
}
T_MONEY = ("amount_title", "fees")
T_DATES = ("due_date",)
U_MONEY = (
	"interest",
	"discount",
	"rebate",
	"iof",
	"amount_paid",
	"net_credit",
	"other_expenses",
	"other_credits",
)
U_DATES = ("payment_date", "credit_date")
# Header de arquivo (retorno): company and file identification
H_FIELDS = {"doc_type": (17, 18), "doc": (18, 32), "agreement": (32, 52), "company": (72, 102)}


class Profile240:
	"""FEBRABAN defaults; a bank module overrides what its manual changes."""

	code = ""
	bank_name = ""
	manual = ""
	file_version = "000"
	lot_version = "000"
	species = "04"  # duplicata de serviço
	name_size = 40
	HEADER = HEADER
	LOT_HEADER = LOT_HEADER
	P = SEGMENT_P
	Q = SEGMENT_Q
	R = SEGMENT_R
	LOT_TRAILER = LOT_TRAILER
	FILE_TRAILER = FILE_TRAILER
	T_FIELDS = T_FIELDS
	U_FIELDS = U_FIELDS
	H_FIELDS = H_FIELDS
	T_MONEY = T_MONEY
	T_DATES = T_DATES
	U_MONEY = U_MONEY
	U_DATES = U_DATES
	motive_size = 2  # characters per code in the motive field
	occurrences = OCCURRENCES_240

	def __init__(self, agreement=None):
		self.agreement = agreement  # None when only reading
		self.account = agreement.account if agreement is not None else None

	# -- writer hooks ------------------------------------------------------------------------------------------
	def file_values(self) -> dict:
		"""Per-file values: agreement_block, account_block, header_tail, lot_reserved, lot_trailer_tail, p_106,
		p_tail."""
		return {
			"agreement_block": " " * 20,
			"account_block": " " * 20,
			"header_tail": "00000",
			"lot_reserved": "  ",
			"lot_trailer_tail": "0" * 217,
			"p_106": " ",
			"p_tail": "0000" + "09" + "0" * 10,
		}

	def title_block(self, item) -> str:  # P 18-62 (45 characters)
		raise NotImplementedError

	def document_block(self, item, document: str) -> str:  # P 63-77
		return document[:15]

	def interest(self, item, amount_cents: int, rate) -> tuple[str, str]:
		"""(code, 15-digit value) of P 118 and 127-141: default 2 = taxa mensal, 3 = isento."""
		if not rate:
			return "3", "0" * 15
		return "2", str(int(rate * 100)).zfill(15)

	def charges_from(self, due):
		"""First day of interest and fine (default: the day after the due date)."""
		return day_after(due)

	def item_values(self, item, values: dict) -> None:
		"""Bank-specific values of a title's segments (fields the FEBRABAN records do not have)."""
		return None

	# -- reader hooks ------------------------------------------------------------------------------------------
	def key_from_p(self, p: str) -> str:
		"""The title key from a remessa's segment P."""
		raise NotImplementedError

	def key_from_t(self, nn: str) -> str:
		"""The title key from a retorno's segment T identification field."""
		return nn.strip()

	def agreement_of(self, header: str) -> str:
		start, end = self.H_FIELDS["agreement"]
		return header[start:end].strip()

	def agreement_code(self, agreement) -> str:
		"""What this bank's header carries as the company's code, for ``expect_company`` checks."""
		return agreement.account.agreement or agreement.account.beneficiary_code

	def pix_from_y(self, item, line: str) -> None:
		"""Segment Y-03 (Pix) of FEBRABAN 240 v10: QR location URL 82-158 and TXID 159-193; an EMV payload
		("000201…") when the bank sends one there."""
		location = line[81:158].strip()
		if location.startswith("000201"):
			item.pix_payload = line[81:].strip()
		else:
			item.pix_location = location
		item.pix_txid = line[158:193].strip()

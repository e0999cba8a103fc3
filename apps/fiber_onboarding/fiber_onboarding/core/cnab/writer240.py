"""CNAB 240 remessa writer: one lot of titles, segments P, Q and R per title, lines joined by CR LF."""

from __future__ import annotations

from datetime import datetime

from .fields import Texts, ddmmyyyy, document, joined, text
from .layout240 import Profile240
from .model import RemessaError, TitleError
from .titles import check_file, title_checker


def write(profile: Profile240, items, file_sequence: int, generated_at: datetime) -> str:
	check_file(items, file_sequence, 999999)
	agreement = profile.agreement
	doc_type, doc = document(agreement.company_document, "CNPJ/CPF da empresa")
	values = {
		"bank": profile.code,
		"doc_type": doc_type,
		"doc": doc,
		"company": text(agreement.company_name),
		"bank_name": profile.bank_name,
		"date": generated_at.strftime("%d%m%Y"),
		"time": generated_at.strftime("%H%M%S"),
		"nsa": file_sequence,
		"file_version": profile.file_version,
		"lot_version": profile.lot_version,
		"message_1": text(agreement.message_1),
		"message_2": text(agreement.message_2),
	}
	values.update(profile.file_values())
	values.setdefault("h_agreement_block", values["agreement_block"])
	values.setdefault("h_account_block", values["account_block"])
	lines = [profile.HEADER.write(values), profile.LOT_HEADER.write(values)]
	append = lines.append
	values["species"] = profile.species
	constants = {k: v for k, v in values.items() if k not in ("seq", "movement")}
	segments = tuple(
		record.bind({**constants, "segment": segment})
		for record, segment in ((profile.P, "P"), (profile.Q, "Q"), (profile.R, "R"))
	)
	name_size = profile.name_size
	seq = 0
	repeated = Texts().__getitem__
	check = title_checker()
	payers: dict = {}  # id(payer) -> (payer, the payer's fields of segment Q): computed once per payer
	charges = _Charges(profile.charges_from)  # due date -> first day of interest/fine, ddmmyyyy
	title_block_of = profile.title_block
	interest_of = profile.interest
	document_block_of = profile.document_block
	item_values = profile.item_values
	if type(profile).item_values is Profile240.item_values:
		item_values = None
	# P, Q and R of a title in one call, Q and R with their own sequence numbers
	triple, triple_size = joined(segments, "\r\n", ({}, {"seq": "seq_q"}, {"seq": "seq_r"}))
	last_fine, fine_cents = None, 0
	index = 0
	try:
		for index, item in enumerate(items, start=1):
			title = check(index, item)
			try:
				title_block = title_block_of(item)
			except RemessaError as exc:
				raise RemessaError(f"{title.what}: {exc}")
			due = item.due_date
			amount = title.amount
			code, rate = interest_of(item, amount, title.interest)
			document_number = text(item.document_number)
			payer = item.payer
			known = payers.get(id(payer))
			if known is None or known[0] is not payer:
				known = payers[id(payer)] = (
					payer,
					{
						"payer_type": title.payer_type,
						"payer_doc": title.payer_doc,
						"payer_name": title.payer_name[:name_size],
						"payer_address": text(payer.address),
						"payer_neighborhood": repeated(payer.neighborhood),
						"payer_cep": title.cep,
						"payer_city": repeated(payer.city),
						"payer_uf": title.uf,
					},
				)
			values.update(known[1])
			values["movement"] = item.movement
			values["title_block"] = title_block
			values["document_block"] = document_block_of(item, document_number)
			values["due_date"] = ddmmyyyy(due)
			values["amount"] = amount
			values["issue_date"] = ddmmyyyy(item.issue_date)
			values["interest_code"] = code
			values["interest_date"] = charges[due] if code not in ("0", "3") else "00000000"
			values["interest_value"] = rate
			values["document_number"] = document_number
			fine = title.fine
			if fine:
				values["fine_code"] = "2"  # percentual
				values["fine_date"] = charges[due]
				if fine is not last_fine:  # the checker gives the same object while the percentage repeats
					last_fine, fine_cents = fine, int(fine * 100)
				values["fine_value"] = fine_cents
			else:
				values["fine_code"] = "0"
				values["fine_date"] = "00000000"
				values["fine_value"] = 0
			if item_values is not None:
				item_values(item, values)
			values["seq"] = seq + 1
			values["seq_q"] = seq + 2
			values["seq_r"] = seq = seq + 3
			line = triple(values)
			if len(line) != triple_size:  # a field too long: the record says which
				for number, record in enumerate(segments, start=seq - 2):
					values["seq"] = number
					record.write(values)
			append(line)
	except TitleError:
		raise
	except RemessaError as exc:  # this title's data: the caller may leave it out
		raise TitleError(index, items[index - 1].nosso_numero, str(exc)) from exc
	values["count"] = seq + 2
	append(profile.LOT_TRAILER.write(values))
	values["count"] = seq + 4  # header, lot header, details, lot trailer, this trailer
	append(profile.FILE_TRAILER.write(values))
	return "\r\n".join(lines) + "\r\n"


class _Charges(dict):
	"""Due date -> the profile's first day of interest and fine as ddmmyyyy, once per date in a file."""

	def __init__(self, charges_from):
		super().__init__()
		self.charges_from = charges_from

	def __missing__(self, due):
		result = self[due] = ddmmyyyy(self.charges_from(due))
		return result

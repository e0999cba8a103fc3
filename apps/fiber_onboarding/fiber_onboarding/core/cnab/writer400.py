"""CNAB 400 remessa writer: header, one detail per title (plus the bank's optional records), trailer."""

from __future__ import annotations

from datetime import datetime

from .fields import Texts, ddmmyy, document, text
from .layout400 import Profile400
from .model import RemessaError, TitleError
from .titles import check_file, title_checker


def write(profile: Profile400, items, file_sequence: int, generated_at: datetime) -> str:
	check_file(items, file_sequence, profile.max_sequence)
	agreement = profile.agreement
	doc_type, doc = document(agreement.company_document, "CNPJ/CPF da empresa")
	values = {
		"company": text(agreement.company_name),
		"company_type": "0" + doc_type,
		"company_doc": doc,
		"date": ddmmyy(generated_at.date()),
		"nsa": file_sequence,
		"seq": 1,
	}
	values.update(profile.header_values())
	lines = [profile.HEADER.write(values)]
	append = lines.append
	values["species"] = profile.species
	detail = profile.DETAIL.bind({k: v for k, v in values.items() if k != "seq"})
	total = 0
	repeated = Texts().__getitem__
	check = title_checker()
	payers: dict = {}  # id(payer) -> (payer, the payer's fields of the detail): computed once per payer
	detail_values = profile.detail_values
	extra_records = profile.extra_records
	if type(profile).extra_records is Profile400.extra_records:
		extra_records = None
	format, size = detail.format, detail.size
	index = 0
	try:
		for index, item in enumerate(items, start=1):
			title = check(index, item)
			total += title.amount
			payer = item.payer
			known = payers.get(id(payer))
			if known is None or known[0] is not payer:
				known = payers[id(payer)] = (
					payer,
					{
						"payer_type": "0" + title.payer_type,
						"payer_doc": title.payer_doc,
						"payer_name": title.payer_name,
						"payer_address": text(payer.address),
						"payer_neighborhood": repeated(payer.neighborhood),
						"payer_cep": title.cep,
						"payer_city": repeated(payer.city),
						"payer_uf": title.uf,
					},
				)
			values.update(known[1])
			values["seq"] = len(lines) + 1
			values["movement"] = item.movement
			values["document"] = text(item.document_number)
			values["due_date"] = ddmmyy(item.due_date)
			values["amount"] = title.amount
			values["issue_date"] = ddmmyy(item.issue_date)
			detail_values(title, values)
			line = format(values)
			if len(line) != size:
				detail._overflow(values)
			append(line)
			if extra_records is not None:
				for record, extra in extra_records(title, values):
					extra["seq"] = len(lines) + 1
					append(record.write(extra))
	except TitleError:
		raise
	except RemessaError as exc:  # this title's data: the caller may leave it out
		raise TitleError(index, items[index - 1].nosso_numero, str(exc)) from exc
	values["seq"] = len(lines) + 1
	profile.trailer_values(values, len(lines) + 1, total)
	append(profile.TRAILER.write(values))
	return "\r\n".join(lines) + "\r\n"

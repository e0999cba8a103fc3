"""CNAB 400 remessa writer: header, one detail per title (plus the bank's optional records), trailer."""

from __future__ import annotations

from datetime import datetime

from .fields import Texts, ddmmyy, document, text
from .layout400 import Profile400
from .model import RemessaError, TitleError
from .titles import check_file, check_title


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
	index = 0
	try:
		for index, item in enumerate(items, start=1):
			title = check_title(index, item)
			total += title.amount
			payer = item.payer
			values["seq"] = len(lines) + 1
			values["movement"] = item.movement
			values["document"] = text(item.document_number)
			values["due_date"] = ddmmyy(item.due_date)
			values["amount"] = title.amount
			values["issue_date"] = ddmmyy(item.issue_date)
			values["payer_type"] = "0" + title.payer_type
			values["payer_doc"] = title.payer_doc
			values["payer_name"] = title.payer_name
			values["payer_address"] = text(payer.address)
			values["payer_neighborhood"] = repeated(payer.neighborhood)
			values["payer_cep"] = title.cep
			values["payer_city"] = repeated(payer.city)
			values["payer_uf"] = title.uf
			profile.detail_values(title, values)
			append(detail.write(values))
			for record, extra in profile.extra_records(title, values):
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

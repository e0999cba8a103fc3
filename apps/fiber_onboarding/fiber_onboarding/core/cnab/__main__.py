"""Support-staff CLI for bank files.

	python -m fiber_onboarding.core.cnab inspect ARQUIVO [--json] [--empresa CNPJ_OU_CONVENIO]
	python -m fiber_onboarding.core.cnab remessa ENTRADA.json [-o ARQUIVO]

``inspect`` detects the layout (240/400), the bank and whether the file is a retorno or a remessa, checks it whole
and prints the header and every item (``--json``: one JSON object; amounts as strings with two decimals, dates
ISO, values as the file states them). ``remessa`` writes a remessa from a JSON agreement + items (see
docs/cnab.md). Exit status 0; 1 with the pt-BR error on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from . import (
	Agreement,
	BankAccount,
	CnabError,
	Payer,
	RemessaError,
	RemessaItem,
	detect,
	read_remessa,
	read_retorno,
	textfile,
	write_remessa,
)

RETORNO_KEYS = (
	"nosso_numero",
	"document_number",
	"occurrence_code",
	"occurrence_text",
	"status",
	"reason_codes",
	"amount_title",
	"amount_paid",
	"amount_net",
	"fees",
	"interest",
	"discount",
	"rebate",
	"due_date",
	"payment_date",
	"credit_date",
	"pix_payload",
)


class _Parser(argparse.ArgumentParser):
	def error(self, message):
		self.print_usage(sys.stderr)
		sys.stderr.write(f"Erro: argumentos inválidos ({message}).\n")
		sys.exit(1)


def _value(value):
	if isinstance(value, Decimal):
		return f"{value:.2f}"
	if isinstance(value, date):
		return value.isoformat()
	if isinstance(value, tuple):
		return list(value)
	return value


def retorno_json(retorno) -> dict:
	return {
		"layout": retorno.layout,
		"bank_code": retorno.bank_code,
		"file_sequence": retorno.file_sequence,
		"generated_on": retorno.generated_on.isoformat(),
		"company_document": retorno.company_document,
		"items": [{key: _value(getattr(item, key)) for key in RETORNO_KEYS} for item in retorno.items],
	}


def remessa_json(remessa) -> dict:
	items = []
	for title in remessa.items:
		row = {key: _value(value) for key, value in title.__dict__.items() if key != "line_number"}
		if title.fine_percent is not None:
			row["fine_percent"] = f"{title.fine_percent.normalize():f}"
		items.append(row)
	return {
		"kind": "remessa",
		"layout": remessa.layout,
		"bank_code": remessa.bank_code,
		"file_sequence": remessa.file_sequence,
		"generated_on": remessa.generated_on.isoformat(),
		"company_document": remessa.company_document,
		"agreement": remessa.agreement,
		"records": remessa.records,
		"total_amount": _value(remessa.total_amount),
		"items": items,
	}


def _money(value) -> str:
	return "—" if value is None else f"{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")


def _day(value) -> str:
	return value.strftime("%d/%m/%Y") if value else "—"


def _print_retorno(retorno, out) -> None:
	out.write(f"Retorno CNAB {retorno.layout} — banco {retorno.bank_code}\n")
	out.write(f"Arquivo nº {retorno.file_sequence}, gerado em {_day(retorno.generated_on)}\n")
	out.write(f"Empresa: {retorno.company_name or '—'} (CNPJ/CPF {retorno.company_document or '—'}")
	out.write(f", código no banco {retorno.agreement or '—'})\n")
	out.write(f"{len(retorno.items)} título(s)\n")
	for item in retorno.items:
		out.write(
			f"\nLinha {item.line_number}: nosso número {item.nosso_numero} — documento {item.document_number or '—'}\n"
			f"  ocorrência {item.occurrence_code} {item.occurrence_text} [{item.status}]\n"
		)
		if item.reason_codes:
			out.write(f"  motivos {', '.join(item.reason_codes)}: {item.reason}\n")
		elif item.reason:
			out.write(f"  {item.reason}\n")
		out.write(
			f"  valor do título {_money(item.amount_title)}; pago {_money(item.amount_paid)}; "
			f"líquido {_money(item.net_credit)}; tarifa {_money(item.fees)}; juros/multa {_money(item.interest)}; "
			f"desconto {_money(item.discount)}; abatimento {_money(item.rebate)}\n"
			f"  vencimento {_day(item.due_date)}; ocorrência/pagamento {_day(item.payment_date)}; "
			f"crédito {_day(item.credit_date)}\n"
		)
		if item.pix_payload:
			out.write(f"  Pix copia e cola: {item.pix_payload}\n")
		if item.pix_location:
			out.write(f"  Pix location: {item.pix_location} (txid {item.pix_txid or '—'})\n")


def _print_remessa(remessa, out) -> None:
	out.write(f"Remessa CNAB {remessa.layout} — banco {remessa.bank_code}\n")
	out.write(
		f"Arquivo nº {remessa.file_sequence}, gerado em {_day(remessa.generated_on)}; {remessa.records} linhas\n"
	)
	out.write(f"Empresa: {remessa.company_name or '—'} (CNPJ/CPF {remessa.company_document or '—'}")
	out.write(f", código no banco {remessa.agreement or '—'})\n")
	out.write(f"{len(remessa.items)} título(s), total {_money(remessa.total_amount)}\n")
	for title in remessa.items:
		out.write(
			f"\nLinha {title.line_number}: movimento {title.movement}, nosso número {title.nosso_numero}, "
			f"documento {title.document_number}\n"
			f"  valor {_money(title.amount)}; vencimento {_day(title.due_date)}; emissão {_day(title.issue_date)}\n"
			f"  pagador {title.payer_name} ({title.payer_document}), CEP {title.payer_cep}\n"
		)


def inspect(path: str, as_json: bool, expect, out=None) -> int:
	out = out or sys.stdout
	data = Path(path).read_bytes()
	lines = textfile.split(textfile.decode(data))
	is_remessa = bool(lines) and _is_remessa(lines[0])
	if is_remessa:
		remessa = read_remessa(data, expect)
		if as_json:
			out.write(json.dumps(remessa_json(remessa), ensure_ascii=False, indent=2) + "\n")
		else:
			_print_remessa(remessa, out)
	else:
		retorno = read_retorno(data, expect)
		if as_json:
			out.write(json.dumps(retorno_json(retorno), ensure_ascii=False, indent=2) + "\n")
		else:
			_print_retorno(retorno, out)
	return 0


def _is_remessa(first: str) -> bool:
	layout, _bank = detect(first)
	if layout == 240:
		return first[142:143] == "1"
	return first[1:2] == "1"


def _date(value, label):
	try:
		return date.fromisoformat(str(value))
	except ValueError:
		raise RemessaError(f"{label} inválida: {value!r} (use AAAA-MM-DD).")


def load_remessa_input(data: dict):
	"""(agreement, items, file_sequence, generated_at, layout) from the JSON of ``remessa``."""
	try:
		a = data["agreement"]
		account = BankAccount(
			str(a["bank_code"]),
			str(a.get("agency", "")),
			str(a.get("account", "")),
			str(a.get("account_dv", "")),
			str(a.get("wallet", "")),
			str(a.get("agreement", "")),
			str(a.get("beneficiary_code", "")),
		)
		agreement = Agreement(
			account,
			a["company_name"],
			a["company_document"],
			str(a.get("transmission_code", "")),
			str(a.get("agency_dv", "")),
			str(a.get("beneficiary_dv", "")),
		)
		items = []
		for n, i in enumerate(data["items"], start=1):
			p = i["payer"]
			payer = Payer(p["name"], p["document"], p.get("address", ""), p["cep"], p.get("city", ""), p["uf"],
				p.get("neighborhood", ""))  # fmt: skip
			items.append(
				RemessaItem(
					i["nosso_numero"],
					str(i.get("document_number", "")),
					_date(i["due_date"], f"Vencimento do título {n}"),
					Decimal(str(i["amount"])),
					_date(i["issue_date"], f"Emissão do título {n}"),
					payer,
					Decimal(str(i.get("fine_percent", "0"))),
					Decimal(str(i.get("monthly_interest_percent", "0"))),
					str(i.get("movement", "01")),
				)
			)
		generated_at = datetime.fromisoformat(str(data["generated_at"]))
		return agreement, items, int(data["file_sequence"]), generated_at, int(data.get("layout", 240))
	except KeyError as exc:
		raise RemessaError(f"Campo obrigatório ausente no JSON: {exc.args[0]}.")
	except (TypeError, ValueError, ArithmeticError) as exc:
		raise RemessaError(f"JSON da remessa inválido: {exc}.")


def remessa(path: str, output: str | None, out=None) -> int:
	out = out or sys.stdout
	try:
		data = json.loads(Path(path).read_text(encoding="utf-8"))
	except (OSError, ValueError) as exc:
		raise RemessaError(f"Não foi possível ler o JSON {path}: {exc}.")
	text = write_remessa(*load_remessa_input(data))
	if output:
		Path(output).write_bytes(text.encode("ascii"))
	else:
		out.write(text)
	return 0


def build_parser() -> argparse.ArgumentParser:
	parser = _Parser(
		prog="python -m fiber_onboarding.core.cnab", description="Arquivos CNAB 240/400 de cobrança."
	)
	sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
	p = sub.add_parser("inspect", help="mostra o header e cada título de um retorno ou remessa")
	p.add_argument("file")
	p.add_argument("--json", action="store_true", help="saída em JSON")
	p.add_argument(
		"--empresa", default=None, help="CNPJ/CPF ou convênio esperado (recusa arquivo de outra empresa)"
	)
	p = sub.add_parser("remessa", help="gera uma remessa a partir de um JSON (convênio + títulos)")
	p.add_argument("input")
	p.add_argument("-o", "--output", default=None)
	return parser


def main(argv=None) -> int:
	args = build_parser().parse_args(argv)
	try:
		if args.command == "inspect":
			return inspect(args.file, args.json, args.empresa)
		return remessa(args.input, args.output)
	except (CnabError, RemessaError) as exc:
		sys.stderr.write(f"Erro: {exc}\n")
		return 1
	except OSError as exc:
		sys.stderr.write(f"Erro: não foi possível ler/gravar o arquivo ({exc.strerror or exc}).\n")
		return 1


if __name__ == "__main__":
	sys.exit(main())

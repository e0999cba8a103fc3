"""Support-staff CLI.

	python -m fiber_onboarding.core.boleto decode "00190.00009 01238.798779 77700.168188 2 37690000013500"
	python -m fiber_onboarding.core.boleto decode 00192376900000135000000001238798777770016818 --today 2008-01-10
	python -m fiber_onboarding.core.boleto encode --bank 001 --agency 1234 --account 5678 --wallet 18 \
		--agreement 1238798 --nosso-numero 7777700168 --due-date 2008-02-01 --amount 135.00

Prints JSON on stdout. Exit status: 0 valid, 1 invalid input (message in pt-BR on stderr; for a decoded boleto
whose bank-specific check digits fail, the JSON is still printed with ``"valid": false``).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from . import BankAccount, BoletoError, decode, generate


class _Parser(argparse.ArgumentParser):
	def error(self, message):
		self.print_usage(sys.stderr)
		sys.stderr.write(f"Erro: argumentos inválidos ({message}).\n")
		sys.exit(1)


def _iso_date(text: str) -> date:
	try:
		return date.fromisoformat(text)
	except ValueError:
		raise argparse.ArgumentTypeError(f"data inválida {text!r}, use AAAA-MM-DD")


def build_parser() -> argparse.ArgumentParser:
	parser = _Parser(
		prog="python -m fiber_onboarding.core.boleto", description="Boleto: decodificar e gerar."
	)
	sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
	dec = sub.add_parser("decode", help="decodifica linha digitável (47) ou código de barras (44)")
	dec.add_argument("text", nargs="+", help="linha digitável ou código de barras (pontos e espaços aceitos)")
	dec.add_argument("--today", type=_iso_date, default=None, help="data de referência da janela do fator")
	enc = sub.add_parser("encode", help="gera código de barras e linha digitável")
	enc.add_argument("--bank", required=True, help="código do banco: 001, 033, 104, 237, 341, 756")
	enc.add_argument("--agency", default="", help="agência / cooperativa (sem DV)")
	enc.add_argument("--account", default="", help="conta (sem DV)")
	enc.add_argument("--account-dv", default="", help="DV da conta (conferido quando informado)")
	enc.add_argument("--wallet", default="", help="carteira")
	enc.add_argument("--agreement", default="", help="convênio")
	enc.add_argument(
		"--beneficiary-code", default="", help="código do beneficiário (Caixa, Santander, Sicoob)"
	)
	enc.add_argument("--nosso-numero", required=True, help="nosso número sem DV (sequencial)")
	enc.add_argument("--due-date", required=True, type=_iso_date, help="vencimento AAAA-MM-DD")
	enc.add_argument("--amount", required=True, help="valor, p.ex. 135.00 ou 135,00")
	return parser


def main(argv: list[str] | None = None) -> int:
	args = build_parser().parse_args(argv)
	try:
		if args.command == "decode":
			boleto = decode(" ".join(args.text), today=args.today)
		else:
			account = BankAccount(
				bank_code=args.bank,
				agency=args.agency,
				account=args.account,
				account_dv=args.account_dv,
				wallet=args.wallet,
				agreement=args.agreement,
				beneficiary_code=args.beneficiary_code,
			)
			boleto = generate(account, args.nosso_numero, args.due_date, args.amount)
	except BoletoError as exc:
		sys.stderr.write(f"Erro: {exc.message}\n")
		return 1
	sys.stdout.write(json.dumps(boleto.as_dict(), ensure_ascii=False, indent=2) + "\n")
	if not boleto.valid:
		sys.stderr.write("Erro: boleto inválido: {}\n".format(" ".join(boleto.problems)))
		return 1
	return 0


if __name__ == "__main__":
	sys.exit(main())

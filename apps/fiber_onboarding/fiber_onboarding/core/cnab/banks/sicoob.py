"""Sicoob / Bancoob (756).

Both layouts follow the bank's spreadsheet "Leiaute Cobrança Sicoob — Sistemas de Terceiro" (atualização
22/08/2017), sheets "03.Remessa - CNAB400", "04.Retorno - CNAB400", "05.Remessa - Opção CNAB240" and
"06.Retorno - Opção CNAB240":

- CNAB 240: arquivo 081, lote 040; cooperativa 5 + DV and conta 12 + DV in the account blocks; nosso número block
  (P/T 38-57) = número do título 10 (nosso número + DV) + parcela 2 + modalidade 2 + tipo de formulário 1 + 5
  brancos; interest and fine start on the due date ("preencher com a Data de Vencimento do Título").
- CNAB 400: header with cooperativa + DV and código do cliente + DV (27-40), "756BANCOOBCED"; detail with the
  monthly interest and fine rates (161-172, 2 integer + 4 decimal places); retorno nosso número 63-73 + DV 74,
  código de baixa/recusa 81-82, trailer with the number of detail records (164-171). The retorno sheet lists no
  "entrada rejeitada" occurrence: a refused title comes back with its código de baixa/recusa.
"""

from __future__ import annotations

from decimal import Decimal
from operator import mul

from ...boleto import BoletoError
from ...boleto.banks import get_bank, sicoob_nn_dv
from ..codes import OCCURRENCES_240, merged
from ..fields import Record, agency_dv, digits
from ..layout240 import Profile240
from ..layout400 import DETAIL_FIELDS, MONEY, Profile400
from ..model import OTHER, PAID, REGISTERED, WRITTEN_OFF, CnabError, RemessaError

CODE = "756"
_BANK = get_bank(CODE)


def nosso_numero(account, sequence) -> tuple[str, str]:
	"""(7-digit nosso número, its DV) — the DV from the boleto core (weights 3, 1, 9, 7)."""
	_wallet, coop, client, nn = _BANK._parts(account, sequence)
	return nn, str(sicoob_nn_dv(coop, client.zfill(10), nn))


# ``sicoob_nn_dv`` weighs cooperativa 4 + cliente 10 + nosso número 7 by 3, 1, 9, 7 repeated from the left: the
# weights of the nosso número's 7 digits (positions 15-21)
_WEIGHTS_NN = tuple((3, 1, 9, 7)[i & 3] for i in range(14, 21))
_ZEROS_NN = 48 * sum(_WEIGHTS_NN)


class Numbers:
	"""``nosso_numero(account, ·)`` for one file: the account's parts checked and their share of the DV's sum
	computed once; a sequence other than an int of up to 7 digits (or an account the boleto core refuses) goes
	through ``nosso_numero`` itself, with its message."""

	def __init__(self, account):
		self.account = account
		try:
			_wallet, coop, client, _nn = _BANK._parts(account, 0)
		except BoletoError:
			self.base = None
		else:
			data = coop + client.zfill(10)
			self.base = (
				sum((ord(ch) - 48) * (3, 1, 9, 7)[i & 3] for i, ch in enumerate(data))
				if len(data) == 14
				else None
			)

	def __call__(self, sequence) -> tuple[str, str]:
		if self.base is None or type(sequence) is not int or not 0 <= sequence < 10_000_000:
			return nosso_numero(self.account, sequence)
		nn = f"{sequence:07d}"
		r = (self.base + sum(map(mul, nn.encode(), _WEIGHTS_NN)) - _ZEROS_NN) % 11
		return nn, str(0 if r in (0, 1) else 11 - r)


def key(account, sequence) -> str:
	return digits(sequence, "Nosso número", 7)


def account_dv(account) -> str:
	dv = str(account.account_dv or "").strip().upper()
	if len(dv) != 1:
		raise RemessaError("Informe o dígito da conta corrente Sicoob.")
	return dv


class Sicoob240(Profile240):
	code = CODE
	bank_name = "SICOOB"
	manual = "Sicoob — Leiaute Cobrança Sicoob Sistemas de Terceiro (22/08/2017), opção CNAB 240 (arquivo 081, lote 040)"
	file_version = "081"
	lot_version = "040"
	H_FIELDS = {"doc_type": (17, 18), "doc": (18, 32), "agreement": (58, 70), "company": (72, 102)}

	def file_values(self):
		values = super().file_values()
		coop = digits(self.account.agency, "Cooperativa Sicoob", 5)
		number = digits(self.account.account, "Conta corrente Sicoob", 12)
		dv = account_dv(self.account)
		block = coop + agency_dv(self.agreement, "Sicoob") + number + dv
		values["h_account_block"] = block + "0"
		values["account_block"] = block + " "
		values["header_tail"] = "00000"
		values["p_tail"] = "0   09" + "0" * 10
		self._block = block + " "
		self._numbers = Numbers(self.account)
		return values

	def title_block(self, item):
		nn, dv = self._numbers(item.nosso_numero)
		# número do título (NN + DV) 10, parcela 01, modalidade 01, formulário A4 sem envelopamento, 5 brancos;
		# carteira 1, cadastramento 0, documento em branco, emissão e distribuição pelo beneficiário
		return self._block + (nn + dv).zfill(10) + "01" + "01" + "4" + " " * 5 + "10 22"

	def charges_from(self, due):
		return due

	def key_from_p(self, p):
		return p[37:46][-7:]

	def key_from_t(self, nn):
		return nn[0:9][-7:]

	def agreement_of(self, header):
		return header[58:70]

	def agreement_code(self, agreement):
		return agreement.account.account


_O = {
	"02": (REGISTERED, "Confirmação de entrada de título"),
	"04": (OTHER, "Transferência de carteira/entrada"),
	"05": (PAID, "Liquidação sem registro"),
	"06": (PAID, "Liquidação normal"),
	"09": (WRITTEN_OFF, "Baixa de título"),
	"10": (WRITTEN_OFF, "Baixa solicitada (pedido do beneficiário)"),
	"11": (OTHER, "Títulos em ser"),
	"14": (OTHER, "Alteração de vencimento"),
	"15": (PAID, "Liquidação em cartório"),
	"23": (OTHER, "Encaminhado a protesto"),
	"27": (OTHER, "Confirmação de alteração de dados"),
	"48": (OTHER, "Confirmação de instrução de transferência de carteira/modalidade de cobrança"),
}
_OCCURRENCES_400 = {code: (status, text, {}) for code, (status, text) in _O.items()}

_HEADER_400 = Record(
	400,
	"header de arquivo",
	(
		"1-9 = 01REMESSA",
		"10-11 = 01",
		"12-19 = COBRANCA",
		"20-26 _",
		"27-30 9 coop",
		"31 X coop_dv",
		"32-39 9 client",
		"40 X client_dv",
		"41-46 _",
		"47-76 X company",
		"77-94 = 756BANCOOBCED",
		"95-100 9 date",
		"101-107 9 nsa",
		"108-394 _",
		"395-400 9 seq",
	),
)
_DETAIL_400 = Record(
	400,
	"registro detalhe 1",
	(
		"1 = 1",
		"2-3 9 company_type",
		"4-17 9 company_doc",
		"18-21 9 coop",
		"22 X coop_dv",
		"23-30 9 account",
		"31 X account_dv",
		"32-37 = 000000",
		"38-62 X control",
		"63-74 9 nn",
		"75-76 = 01",
		"77-78 = 00",
		"79-81 _",
		"82 _",
		"83-85 _",
		"86-88 = 000",
		"89 = 0",
		"90-94 = 00000",
		"95 = 0",
		"96-101 = 000000",
		"102-105 _",
		"106 = 2",
		"107-108 = 01",
		"109-110 9 movement",
		"111-120 X document",
		"121-126 9 due_date",
		"127-139 9 amount",
		"140-142 = 756",
		"143-146 9 coop",
		"147 X coop_dv",
		"148-149 9 species",
		"150 = 0",
		"151-156 9 issue_date",
		"157-158 = 00",
		"159-160 = 00",
		"161-166 9 interest_rate",
		"167-172 9 fine_rate",
		"173 = 2",
		"174-179 0",
		"180-192 0",
		"193 = 9",
		"194-205 0",
		"206-218 0",
		"219-220 9 payer_type",
		"221-234 9 payer_doc",
		"235-274 X payer_name",
		"275-311 X payer_address",
		"312-326 X payer_neighborhood",
		"327-334 9 payer_cep",
		"335-349 X payer_city",
		"350-351 X payer_uf",
		"352-391 _",
		"392-393 = 00",
		"394 _",
		"395-400 9 seq",
	),
)
_TRAILER_400 = Record(400, "trailer", ("1 = 9", "2-394 _", "395-400 9 seq"))


class Sicoob400(Profile400):
	code = CODE
	manual = "Sicoob — Leiaute Cobrança Sicoob Sistemas de Terceiro (22/08/2017), CNAB 400"
	HEADER = _HEADER_400
	DETAIL = _DETAIL_400
	TRAILER = _TRAILER_400
	DETAIL_FIELDS = merged(
		DETAIL_FIELDS, {"fees": (181, 188), "credit_date": (175, 181), "net_credit": (305, 318)}
	)
	MONEY = (*MONEY, "net_credit")
	H_SEQUENCE = H_SEQUENCE_REMESSA = (100, 107)
	H_AGREEMENT = (31, 39)
	motives = (80, 82)
	wallet = (106, 108)
	occurrences = _OCCURRENCES_400

	def header_values(self):
		dv = str(self.agreement.beneficiary_dv or "").strip()
		if len(dv) != 1:
			raise RemessaError("Informe o dígito do código do cliente Sicoob (beneficiary_dv).")
		self._numbers = Numbers(self.account)
		self._fixed = {
			"coop": digits(self.account.agency, "Cooperativa Sicoob", 4),
			"coop_dv": agency_dv(self.agreement, "Sicoob"),
			"account": digits(self.account.account, "Conta corrente Sicoob", 8),
			"account_dv": account_dv(self.account),
		}
		client = digits(
			self.account.beneficiary_code or self.account.agreement, "Código do cliente Sicoob", 8
		)
		return {**self._fixed, "client": client, "client_dv": dv}

	def detail_values(self, title, values):
		item = title.item
		values.update(self._fixed)
		nn, dv = self._numbers(item.nosso_numero)
		values["nn"] = nn + dv
		values["control"] = values["document"]
		values["interest_rate"] = int(title.interest * 10000)
		values["fine_rate"] = int(title.fine * 10000)

	def check_trailer(self, line, number, details, records, remessa=False):
		if not remessa and line[163:171].isdigit() and int(line[163:171]) != details:
			raise CnabError(
				number,
				164,
				f"trailer declara {int(line[163:171])} registros de detalhe; o arquivo tem {details}.",
			)

	KEY = (66, 73)  # the last 7 of the nosso número field (63-73); the reader takes it with the other fields

	def key_from_detail(self, line):
		return line[66:73]

	def key_from_remessa(self, line):
		return line[62:73][-7:]

	def agreement_code(self, agreement):
		return agreement.account.beneficiary_code or agreement.account.agreement

	def remessa_fine(self, line):
		rate = Decimal(int(line[160:166])).scaleb(-4) if line[160:166].isdigit() else None
		fine = Decimal(int(line[166:172])).scaleb(-4) if line[166:172].isdigit() else None
		return fine or None, "2" if rate else "0", rate

"""Banco Santander (033; older headers may say 353).

- CNAB 240 — "Layout de Arquivo Padrão 240 — Cobrança", H7815 versão 2.9 (abril/2018): Santander's own header
  (tipo de inscrição in 17, CPF/CNPJ 18-32, código de transmissão 33-47; retorno: agência/conta 33-47, código do
  beneficiário 53-61), lote 030 / arquivo 040; segment P: agência 4 + DV, conta 9 + DV, nosso número 45-57
  (12 + DV); segment T: nosso número 41-53, carteira 54, seu número 55-69, vencimento 70-77, valor 78-92, tarifa
  194-208, motivos 209-218 (every position after 40 differs from FEBRABAN's).
- CNAB 400 — "CNAB 400 (padrão Santander) com registro", H7800 versão 2.17 (abril/2018): header with the código de
  transmissão (27-46); detail with agência, conta movimento and conta cobrança (18-37), nosso número 7 + DV
  (63-70); retorno error codes (3 digits) in 137-145; trailer with the number of records and the total.
"""

from __future__ import annotations

from operator import mul

from ...boleto.banks import santander_nn_dv
from ..codes import OCCURRENCES_240
from ..fields import Record, cents_text, daily_interest, day_after, ddmmyy, digits
from ..layout240 import Profile240
from ..layout400 import Profile400
from ..model import OTHER, PAID, REGISTERED, REJECTED, WRITTEN_OFF, CnabError, RemessaError

CODE = "033"


def nosso_numero(sequence) -> str:
	return digits(sequence, "Nosso número", 12)


# mod 11 with weights 2…9 from the right (``santander_nn_dv``) over the 12 digits: the weights, left to right
_WEIGHTS_12 = tuple(2 + k % 8 for k in range(11, -1, -1))
_ZEROS_12 = 48 * sum(_WEIGHTS_12)


def nn_dv(nn12: str) -> int:
	"""``santander_nn_dv`` of 12 ASCII characters in one weighted sum (anything else through it)."""
	if len(nn12) != 12 or not nn12.isascii():
		return santander_nn_dv(nn12)
	r = (sum(map(mul, nn12.encode(), _WEIGHTS_12)) - _ZEROS_12) % 11
	if r == 10:
		return 1
	if r in (0, 1):
		return 0
	return 11 - r


def key(account, sequence) -> str:
	return nosso_numero(sequence)


_COMMON = ("1-3 9 bank", "4-7 = 0001", "8 = 3", "9-13 9 seq", "14 X segment", "15 _", "16-17 9 movement")
_HEADER = Record(
	240,
	"header de arquivo",
	(
		"1-3 9 bank",
		"4-7 = 0000",
		"8 = 0",
		"9-16 _",
		"17 9 doc_type",
		"18-32 9 doc",
		"33-47 9 transmission",
		"48-72 _",
		"73-102 X company",
		"103-132 = BANCO SANTANDER",
		"133-142 _",
		"143 = 1",
		"144-151 9 date",
		"152-157 _",
		"158-163 9 nsa",
		"164-166 = 040",
		"167-240 _",
	),
)
_LOT = Record(
	240,
	"header de lote",
	(
		"1-3 9 bank",
		"4-7 = 0001",
		"8 = 1",
		"9 = R",
		"10-11 = 01",
		"12-13 _",
		"14-16 = 030",
		"17 _",
		"18 9 doc_type",
		"19-33 9 doc",
		"34-53 _",
		"54-68 9 transmission",
		"69-73 _",
		"74-103 X company",
		"104-143 X message_1",
		"144-183 X message_2",
		"184-191 9 nsa",
		"192-199 9 date",
		"200-240 _",
	),
)
_P = Record(
	240,
	"segmento P",
	(
		*_COMMON,
		"18-44 X title_block",
		"45-57 9 nn",
		"58 = 5",
		"59 = 1",
		"60 = 1",
		"61-62 _",
		"63-77 X document_number",
		"78-85 9 due_date",
		"86-100 9 amount",
		"101-104 0",
		"105 = 0",
		"106 _",
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
		"196-220 X control",
		"221 = 0",
		"222-223 = 00",
		"224 = 3",
		"225 = 0",
		"226-227 = 00",
		"228-229 = 00",
		"230-240 _",
	),
)
_Q = Record(
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
		"210-221 0",
		"222-240 _",
	),
)
_R = Record(
	240,
	"segmento R",
	(
		*_COMMON,
		"18 = 0",
		"19-26 0",
		"27-41 0",
		"42-65 _",
		"66 9 fine_code",
		"67-74 9 fine_date",
		"75-89 9 fine_value",
		"90-99 _",
		"100-139 _",
		"140-179 _",
		"180-240 _",
	),
)
_LOT_TRAILER = Record(
	240, "trailer de lote", ("1-3 9 bank", "4-7 = 0001", "8 = 5", "9-17 _", "18-23 9 count", "24-240 _")
)


class Santander240(Profile240):
	code = CODE
	bank_name = "BANCO SANTANDER"
	manual = "Santander — Layout de Arquivo Padrão 240, Cobrança, H7815 versão 2.9 (abril/2018)"
	HEADER = _HEADER
	LOT_HEADER = _LOT
	P = _P
	Q = _Q
	R = _R
	LOT_TRAILER = _LOT_TRAILER
	T_FIELDS = {
		"nn": (40, 53),
		"wallet": (53, 54),
		"document_number": (54, 69),
		"due_date": (69, 77),
		"amount_title": (77, 92),
		"payer_name": (143, 183),
		"fees": (193, 208),
		"motives": (208, 218),
	}
	H_FIELDS = {"doc_type": (16, 17), "doc": (17, 32), "agreement": (52, 61), "company": (72, 102)}

	def file_values(self):
		values = super().file_values()
		values["transmission"] = digits(
			self.agreement.transmission_code, "Código de transmissão Santander", 15
		)
		agency = digits(self.account.agency, "Agência Santander", 4)
		number = digits(self.account.account, "Conta Santander", 9)
		dv = str(self.account.account_dv or "").strip()
		agency_dv = str(getattr(self.agreement, "agency_dv", "") or "0").strip()[:1]
		if len(dv) != 1:
			raise RemessaError("Informe o dígito da conta Santander.")
		# agência + DV, conta + DV, conta cobrança FIDC (zeros) + DV, brancos (P 18-44)
		values["title_block"] = agency + agency_dv + number + dv + "0" * 9 + "0" + "  "
		self._block = values["title_block"]
		return values

	def title_block(self, item):
		return self._block

	def document_block(self, item, document):
		return document[:15]

	def interest(self, item, amount_cents, rate):
		if not rate:
			return "3", "0" * 15
		return "2", str(int(rate * 100)).zfill(15)

	def item_values(self, item, values):
		nn = nosso_numero(item.nosso_numero)
		values["nn"] = nn + str(nn_dv(nn))
		values["control"] = values["document_number"]

	def key_from_p(self, p):
		return p[44:56]

	def key_from_t(self, nn):
		return nn[0:12]

	def agreement_of(self, header):
		return header[52:61]

	def agreement_code(self, agreement):
		return agreement.account.beneficiary_code or agreement.account.agreement


_ERRORS_400 = {
	"001": "Nosso número não numérico",
	"002": "Valor do abatimento não numérico",
	"003": "Data de vencimento não numérica",
	"004": "Conta cobrança não numérica",
	"005": "Código da carteira não numérico",
	"006": "Código da carteira inválido",
	"007": "Espécie do documento inválida",
	"008": "Unidade de valor não numérica",
	"009": "Unidade de valor inválida",
	"010": "Código da primeira instrução não numérico",
	"011": "Código da segunda instrução não numérico",
	"012": "Valor do título em outra unidade",
	"013": "Valor do título não numérico",
	"014": "Valor de mora não numérico",
	"015": "Data de emissão não numérica",
	"016": "Data de vencimento inválida",
	"017": "Código da agência cobradora não numérico",
	"018": "Valor do IOC não numérico",
	"019": "Número do CEP não numérico",
	"020": "Tipo de inscrição não numérico",
	"021": "Número do CNPJ ou CPF não numérico",
	"022": "Código de ocorrência inválido",
	"025": "Valor do desconto não numérico",
	"026": "Código do banco cobrador inválido",
	"029": "Valor de mora inválido",
	"030": "Data de vencimento menor que 15 dias da data de processamento",
	"041": "Agência cobradora não encontrada",
	"042": "Conta cobrança inválida",
	"051": "Título não encontrado",
	"052": "Ocorrência não acatada: título liquidado",
	"053": "Ocorrência não acatada: título baixado",
	"057": "CEP do pagador incorreto",
	"058": "CNPJ/CPF incorreto",
	"063": "CEP não encontrado na tabela de praças",
	"068": "Tipo de vencimento inválido",
}
_O = {
	"01": (OTHER, "Título não existe"),
	"02": (REGISTERED, "Entrada de título confirmada"),
	"03": (REJECTED, "Entrada de título rejeitada"),
	"06": (PAID, "Liquidação"),
	"07": (PAID, "Liquidação por conta"),
	"08": (PAID, "Liquidação por saldo"),
	"09": (WRITTEN_OFF, "Baixa automática"),
	"10": (WRITTEN_OFF, "Título baixado conforme instrução ou por título protestado"),
	"11": (OTHER, "Em ser"),
	"12": (OTHER, "Abatimento concedido"),
	"13": (OTHER, "Abatimento cancelado"),
	"14": (OTHER, "Prorrogação de vencimento"),
	"15": (OTHER, "Enviado para cartório"),
	"16": (OTHER, "Título já baixado/liquidado"),
	"17": (PAID, "Liquidado em cartório"),
	"21": (OTHER, "Entrada em cartório"),
	"22": (OTHER, "Retirado de cartório"),
	"24": (OTHER, "Custas de cartório"),
	"25": (OTHER, "Protestar título"),
	"26": (OTHER, "Sustar protesto"),
}
_OCCURRENCES_400 = {code: (status, text, _ERRORS_400) for code, (status, text) in _O.items()}

_HEADER_400 = Record(
	400,
	"header de arquivo",
	(
		"1-9 = 01REMESSA",
		"10-11 = 01",
		"12-26 = COBRANCA",
		"27-46 9 transmission",
		"47-76 X company",
		"77-79 = 033",
		"80-94 = SANTANDER",
		"95-100 9 date",
		"101-116 0",
		"117-391 _",
		"392-394 = 000",
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
		"18-21 9 agency",
		"22-29 9 account",
		"30-37 9 collection_account",
		"38-62 X control",
		"63-70 9 nn",
		"71-76 0",
		"77 _",
		"78 9 fine_code",
		"79-82 9 fine_value",
		"83-84 = 00",
		"85-97 0",
		"98-101 _",
		"102-107 9 fine_date",
		"108 = 5",
		"109-110 9 movement",
		"111-120 X document",
		"121-126 9 due_date",
		"127-139 9 amount",
		"140-142 = 033",
		"143-147 0",
		"148-149 9 species",
		"150 = N",
		"151-156 9 issue_date",
		"157-158 = 00",
		"159-160 = 00",
		"161-173 9 interest_value",
		"174-179 0",
		"180-192 0",
		"193-205 0",
		"206-218 0",
		"219-220 9 payer_type",
		"221-234 9 payer_doc",
		"235-274 X payer_name",
		"275-314 X payer_address",
		"315-326 X payer_neighborhood",
		"327-334 9 payer_cep",
		"335-349 X payer_city",
		"350-351 X payer_uf",
		"352-381 _",
		"382 _",
		"383 = I",
		"384-385 9 complement",
		"386-391 _",
		"392-393 = 00",
		"394 _",
		"395-400 9 seq",
	),
)
_TRAILER_400 = Record(400, "trailer", ("1 = 9", "2-7 9 count", "8-20 9 total", "21-394 0", "395-400 9 seq"))


class Santander400(Profile400):
	code = CODE
	manual = "Santander — CNAB 400 (padrão Santander) com registro, H7800 versão 2.17 (abril/2018)"
	species = "06"  # duplicata de serviço
	HEADER = _HEADER_400
	DETAIL = _DETAIL_400
	TRAILER = _TRAILER_400
	H_AGREEMENT = (30, 46)  # conta movimento + conta cobrança
	motives = (136, 145)
	motive_size = 3
	occurrences = _OCCURRENCES_400

	def header_values(self):
		transmission = digits(self.agreement.transmission_code, "Código de transmissão Santander", 20)
		number = digits(self.account.account, "Conta movimento Santander", 8)
		dv = str(self.account.account_dv or "").strip()
		if len(dv) != 1:
			raise RemessaError("Informe o dígito da conta Santander.")
		self._fixed = {
			"agency": digits(self.account.agency, "Agência Santander", 4),
			"account": number,
			"collection_account": digits(
				self.account.beneficiary_code or self.account.agreement, "Conta cobrança Santander", 8
			),
			"complement": number[-1] + dv,
		}
		return {"transmission": transmission}

	def detail_values(self, title, values):
		item = title.item
		values.update(self._fixed)
		seq = digits(item.nosso_numero, "Nosso número (7 dígitos no CNAB 400)", 7)
		values["nn"] = seq + str(nn_dv(seq.zfill(12)))
		values["control"] = values["document"]
		values["interest_value"] = daily_interest(title.amount, title.interest)
		values["fine_code"] = "4" if title.fine else "0"
		values["fine_value"] = int(title.fine * 100)
		values["fine_date"] = ddmmyy(day_after(item.due_date)) if title.fine else "000000"

	def trailer_values(self, values, count, total_cents):
		values["count"] = count
		values["total"] = total_cents

	def check_trailer(self, line, number, details, records, remessa=False):
		if remessa:  # remessa trailer: quantidade de documentos no arquivo
			if not line[1:7].isdigit():
				raise CnabError(number, 2, "trailer: quantidade de registros não numérica.")
			if int(line[1:7]) != records:
				raise CnabError(
					number, 2, f"trailer declara {int(line[1:7])} registros; o arquivo tem {records}."
				)

	def key_from_detail(self, line):
		return line[62:69].zfill(12)

	key_from_remessa = key_from_detail

	def agreement_of(self, header):
		return header[38:46]

	def agreement_code(self, agreement):
		return agreement.account.beneficiary_code or agreement.account.agreement

	# the remessa header carries the 20-digit código de transmissão (27-46), not the conta cobrança of the retorno
	H_AGREEMENT_REMESSA = (26, 46)

	def agreement_of_remessa(self, header):
		return header[26:46]

	def remessa_agreement_code(self, agreement):
		return agreement.transmission_code

	def remessa_fine(self, line):
		fine = cents_text(line[78:82]) if line[77] == "4" else None
		value = cents_text(line[160:173])
		return fine, "1" if value else "0", value

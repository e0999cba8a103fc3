"""Caixa Econômica Federal (104), cobrança SIGCB.

- CNAB 240 — "Leiaute de Arquivo Eletrônico Padrão CNAB 240 — Cobrança Bancária CAIXA — SIGCB", 67.118 v010
  (junho/2018): remessa arquivo 101 / lote 060 (the retorno states 040 / 030); código do beneficiário (6) in
  header 59-64, lote 34-39 and 60-65; nosso número in P 40-57 / T 40-57 = modalidade SINCO 1 + modalidade SIGCB 2
  ("14": registrada, emitida pelo beneficiário) + 15 digits (+ DV in T 57).
- CNAB 400 — "Leiaute de Arquivo Eletrônico Padrão CNAB 400 — Cobrança Bancária CAIXA — SIGCB", 67.126 v015
  (abril/2020), layout version 007: código do beneficiário with 7 digits (header 31-37, detail 21-27); retorno
  occurrences of note NE033 (01 entrada confirmada, 21 liquidação, 99 rejeição with the code of note NE032 in
  80-82).
"""

from __future__ import annotations

from ..codes import OCCURRENCES_240, merged
from ..fields import Record, agency_dv, cents_text, daily_interest, day_after, ddmmyy, digits
from ..layout240 import T_FIELDS, Profile240
from ..layout400 import DETAIL_FIELDS, MONEY, Profile400
from ..model import OTHER, PAID, REGISTERED, REJECTED, WRITTEN_OFF

CODE = "104"


def beneficiary(account, size: int) -> str:
	return digits(account.beneficiary_code or account.agreement, "Código do beneficiário CAIXA", size)


def nosso_numero(sequence) -> str:
	"""The 15 free digits of the SIGCB nosso número ("14" + 15 = 17 digits)."""
	return digits(sequence, "Nosso número", 15)


def key(account, sequence) -> str:
	return "14" + nosso_numero(sequence)


_R = Record(
	240,
	"segmento R",
	(
		"1-3 9 bank",
		"4-7 = 0001",
		"8 = 3",
		"9-13 9 seq",
		"14 X segment",
		"15 _",
		"16-17 9 movement",
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
		"180-229 _",
		"230-240 _",
	),
)


class Caixa240(Profile240):
	code = CODE
	bank_name = "CAIXA ECONOMICA FEDERAL"
	manual = "Caixa — Leiaute CNAB 240, Cobrança Bancária CAIXA — SIGCB, 67.118 v010 (junho/2018)"
	file_version = "101"
	lot_version = "060"
	R = _R
	T_FIELDS = merged(T_FIELDS, {"nn": (39, 56), "document_number": (58, 69)})
	H_FIELDS = {"doc_type": (17, 18), "doc": (18, 32), "agreement": (58, 64), "company": (72, 102)}
	occurrences = OCCURRENCES_240

	def file_values(self):
		values = super().file_values()
		code = beneficiary(self.account, 6)
		agency = digits(self.account.agency, "Agência CAIXA", 5)
		dv = agency_dv(self.agreement, "CAIXA")
		values["h_agreement_block"] = "0" * 20
		values["h_account_block"] = agency + dv + code + "0" * 8
		values["agreement_block"] = code + "0" * 14
		values["account_block"] = agency + dv + code + "0" * 8
		values["header_tail"] = "00000" + " " * 20 + "REMESSA-PRODUCAO".ljust(20) + " " * 29
		values["lot_reserved"] = "00"
		values["lot_trailer_tail"] = "0" * 69 + " " * 148
		values["p_106"] = "0"
		values["p_tail"] = "1060" + "09" + "0" * 10  # baixar/devolver após 60 dias; moeda real
		self._block = agency + dv + code + "0" * 11 + "14"
		return values

	def title_block(self, item):
		# agência/DV, beneficiário, zeros, modalidade SINCO 0, SIGCB "14", nosso número 15; carteira 1,
		# cadastramento com registro, escritural, beneficiário emite, postagem pelo beneficiário
		return self._block + nosso_numero(item.nosso_numero) + "11220"

	def document_block(self, item, document):
		return document[:11]

	def interest(self, item, amount_cents, rate):
		if not rate:
			return "3", "0" * 15
		return "2", str(int(rate * 100)).zfill(15)

	def key_from_p(self, p):
		return p[40:57]

	def key_from_t(self, nn):
		return nn


_REJECTED_400 = {
	"001": "Movimento sem beneficiário correspondente",
	"002": "Movimento sem título correspondente",
	"008": "Movimento para título já com movimentação no dia",
	"009": "Nosso número não pertence ao beneficiário",
	"010": "Inclusão de título já existente na base",
	"012": "Movimento duplicado",
	"013": "Entrada inválida para cobrança caucionada (beneficiário não possui conta caução)",
	"020": "CEP do pagador não encontrado (não foi possível determinar a agência cobradora)",
	"021": "Agência cobradora não encontrada",
	"022": "Agência do beneficiário não encontrada",
	"026": "Data de vencimento inválida",
	"044": "CEP do pagador inválido",
	"045": "Data de vencimento com prazo superior ao limite",
	"049": "Prazo de protesto/devolução inválido",
	"050": "Movimento inválido para título enviado a cartório",
	"054": "Faixa de CEP da agência cobradora não abrange o CEP do pagador",
	"055": "Título já com opção de devolução",
	"056": "Processo de protesto em andamento",
	"057": "Título já com opção de protesto",
	"058": "Processo de devolução em andamento",
	"059": "Novo prazo para protesto/devolução inválido",
	"076": "Alteração do prazo de protesto inválida",
	"077": "Alteração do prazo de devolução inválida",
	"082": "CNPJ/CPF do pagador inválido (dígito não confere)",
	"083": "Número do documento (seu número) inválido",
	"084": "Protesto inválido para título sem número do documento (seu número)",
}
_O = {
	"01": (REGISTERED, "Entrada confirmada"),
	"02": (WRITTEN_OFF, "Baixa manual confirmada"),
	"03": (OTHER, "Abatimento concedido"),
	"04": (OTHER, "Abatimento cancelado"),
	"05": (OTHER, "Vencimento alterado"),
	"06": (OTHER, "Uso da empresa alterado"),
	"07": (OTHER, "Prazo de protesto alterado"),
	"08": (OTHER, "Prazo de devolução alterado"),
	"09": (OTHER, "Alteração confirmada"),
	"10": (OTHER, "Alteração com reemissão de boleto confirmada"),
	"11": (OTHER, "Alteração da opção de protesto para devolução confirmada"),
	"12": (OTHER, "Alteração da opção de devolução para protesto confirmada"),
	"20": (OTHER, "Em ser"),
	"21": (PAID, "Liquidação"),
	"22": (PAID, "Liquidação em cartório"),
	"23": (WRITTEN_OFF, "Baixa por devolução"),
	"25": (WRITTEN_OFF, "Baixa por protesto"),
	"26": (OTHER, "Título enviado para cartório"),
	"27": (OTHER, "Sustação de protesto"),
	"28": (OTHER, "Estorno de protesto"),
	"29": (OTHER, "Estorno de sustação de protesto"),
	"30": (OTHER, "Alteração de título"),
	"31": (OTHER, "Tarifa sobre título vencido"),
	"32": (OTHER, "Outras tarifas de alteração"),
	"33": (OTHER, "Estorno de baixa/liquidação"),
	"34": (OTHER, "Tarifas diversas"),
	"35": (PAID, "Liquidação on-line"),
	"36": (OTHER, "Estorno de liquidação on-line"),
	"37": (OTHER, "Transferência para a cobrança simples"),
	"38": (OTHER, "Transferência para a cobrança descontada"),
	"51": (OTHER, "Reconhecido pelo pagador DDA"),
	"52": (OTHER, "Não reconhecido pelo pagador DDA"),
	"53": (OTHER, "Recusado no DDA"),
	"99": (REJECTED, "Rejeição do título"),
}
_OCCURRENCES_400 = {code: (status, text, _REJECTED_400) for code, (status, text) in _O.items()}

_HEADER_400 = Record(
	400,
	"header de arquivo",
	(
		"1-9 = 01REMESSA",
		"10-11 = 01",
		"12-26 = COBRANCA",
		"27-30 9 agency",
		"31-37 9 beneficiary",
		"38-46 _",
		"47-76 X company",
		"77-79 = 104",
		"80-94 = C ECON FEDERAL",
		"95-100 9 date",
		"101-103 = 007",
		"104-389 _",
		"390-394 9 nsa",
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
		"18-20 0",
		"21-27 9 beneficiary",
		"28 = 2",
		"29 = 0",
		"30-31 = 00",
		"32-56 X control",
		"57-58 = 14",
		"59-73 9 nn",
		"74-75 _",
		"76 = 0",
		"77 _",
		"78-83 9 interest_date",
		"84 = 0",
		"85-106 _",
		"107-108 = 01",
		"109-110 9 movement",
		"111-120 X document",
		"121-126 9 due_date",
		"127-139 9 amount",
		"140-142 = 104",
		"143-147 0",
		"148-149 9 species",
		"150 = N",
		"151-156 9 issue_date",
		"157-158 = 02",
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
		"352-357 9 fine_date",
		"358-367 9 fine_value",
		"368-389 _",
		"390-391 = 00",
		"392-393 = 60",
		"394 = 1",
		"395-400 9 seq",
	),
)
_TRAILER_400 = Record(400, "trailer", ("1 = 9", "2-394 _", "395-400 9 seq"))


class Caixa400(Profile400):
	code = CODE
	manual = "Caixa — Leiaute CNAB 400, Cobrança Bancária CAIXA — SIGCB, 67.126 v015 (abril/2020), versão 007"
	species = "03"  # DS, duplicata de prestação de serviços (nota NE022)
	max_sequence = 99999
	HEADER = _HEADER_400
	DETAIL = _DETAIL_400
	TRAILER = _TRAILER_400
	DETAIL_FIELDS = merged(DETAIL_FIELDS, {"credit_date": (293, 299)})
	MONEY = tuple(m for m in MONEY if m != "other_expenses")
	H_SEQUENCE = H_SEQUENCE_REMESSA = (389, 394)
	H_AGREEMENT = (30, 37)
	motives = (79, 82)
	motive_size = 3
	wallet = (106, 108)
	occurrences = _OCCURRENCES_400

	def header_values(self):
		self._beneficiary = beneficiary(self.account, 7)
		return {"agency": digits(self.account.agency, "Agência CAIXA", 4), "beneficiary": self._beneficiary}

	def detail_values(self, title, values):
		item = title.item
		values["beneficiary"] = self._beneficiary
		values["control"] = values["document"]
		values["nn"] = nosso_numero(item.nosso_numero)
		values["interest_value"] = daily_interest(title.amount, title.interest)
		values["interest_date"] = ddmmyy(day_after(item.due_date)) if title.interest else "000000"
		fine = int(title.amount * title.fine / 100) if title.fine else 0
		values["fine_date"] = ddmmyy(day_after(item.due_date)) if fine else "000000"
		values["fine_value"] = fine

	KEY = (56, 73)  # the reader takes it with the other fields of the detail

	def key_from_detail(self, line):
		return line[56:73]

	key_from_remessa = key_from_detail

	def agreement_code(self, agreement):
		return agreement.account.beneficiary_code or agreement.account.agreement

	def remessa_fine(self, line):
		fine = (None, cents_text(line[357:367]))
		return fine, "1" if line[160:173].strip("0") else "0", cents_text(line[160:173])

"""Banco Bradesco (237).

- CNAB 240 — "Manual de Procedimentos Operacionais para Troca de Arquivos 240 posições", nº 4008.524.0339,
  versão 06 (07/2017): arquivo 084, lote 042; convênio (código da empresa) in header 33-52 / lote 34-53; segment
  P/T 38-57 = carteira 3 + zeros 5 + nosso número 11 + DV 1.
- CNAB 400 — "Manual de Procedimentos Operacionais para Troca de Arquivos — Cobrança Bradesco", nº 4008.524.0121,
  versão 11: header with the código da empresa (27-46) and "MX"; detail 1; retorno motives 319-328; the optional
  type-4 record (Boleto Pix: QR location 29-105, TXID 106-140) comes from later bank material as transcribed by
  the public libraries (laravel-boleto #730, ACBr) — to be confirmed at homologation.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from operator import mul

from ...boleto.banks import bradesco_nn_dv
from ..fields import Record, agency_dv, daily_interest, digits
from ..layout240 import Profile240
from ..layout400 import Profile400
from ..model import OTHER, PAID, REGISTERED, REJECTED, WRITTEN_OFF, RemessaError

CODE = "237"


def account_parts(account) -> tuple[str, str, str, str]:
	"""(carteira 2, agência 5, conta 7, dígito da conta)."""
	wallet = digits(account.wallet, "Carteira Bradesco", 2)
	agency = digits(account.agency, "Agência Bradesco", 5)
	number = digits(account.account, "Conta Bradesco", 7)
	dv = str(account.account_dv or "").strip().upper()
	if len(dv) != 1:
		raise RemessaError("Informe o dígito da conta Bradesco.")
	return wallet, agency, number, dv


def nosso_numero(sequence) -> str:
	return digits(sequence, "Nosso número", 11)


# mod 11 base 7 from the right (``bradesco_nn_dv``) over carteira 2 + nosso número 11: the weights, left to right
_WEIGHTS_13 = tuple(2 + k % 6 for k in range(12, -1, -1))
_WEIGHTS_NN = _WEIGHTS_13[2:]
_ZEROS_NN = 48 * sum(_WEIGHTS_NN)


def nn_dv(wallet: str, nn: str) -> str:
	"""``bradesco_nn_dv(wallet + nn)`` for the 2 digits of a carteira and the 11 of a nosso número (as ``digits``
	gives them), the carteira's share of the sum once per carteira; anything else through ``bradesco_nn_dv``."""
	if len(wallet) != 2 or len(nn) != 11 or not (wallet + nn).isascii():
		return bradesco_nn_dv(wallet + nn)
	r = (_wallet_sum(wallet) + sum(map(mul, nn.encode(), _WEIGHTS_NN)) - _ZEROS_NN) % 11
	if r == 0:
		return "0"
	if r == 1:
		return "P"
	return str(11 - r)


@lru_cache(maxsize=128)
def _wallet_sum(wallet: str) -> int:
	return (ord(wallet[0]) - 48) * _WEIGHTS_13[0] + (ord(wallet[1]) - 48) * _WEIGHTS_13[1]


def key(account, sequence) -> str:
	return nosso_numero(sequence)


class Bradesco240(Profile240):
	code = CODE
	bank_name = "BRADESCO"
	manual = "Bradesco — Troca de Arquivos 240 posições, nº 4008.524.0339, versão 06 (07/2017)"
	file_version = "084"
	lot_version = "042"
	species = "12"  # duplicata de serviço

	def file_values(self):
		values = super().file_values()
		code = digits(
			self.agreement.transmission_code or self.account.agreement, "Código do convênio Bradesco", 20
		)
		wallet, agency, number, dv = account_parts(self.account)
		self._wallet = wallet
		self._account = agency + agency_dv(self.agreement, "Bradesco") + number.zfill(12) + dv + " "
		values["agreement_block"] = code
		values["account_block"] = self._account
		values["header_tail"] = "01600"
		return values

	def title_block(self, item):
		nn = nosso_numero(item.nosso_numero)
		dv = nn_dv(self._wallet, nn)
		return self._account + self._wallet.zfill(3) + "00000" + nn + dv + "1122"

	def key_from_p(self, p):
		return p[45:56]

	def key_from_t(self, nn):
		return nn[8:19]

	def agreement_code(self, agreement):
		return agreement.transmission_code or agreement.account.agreement


_REJECTED_400 = {
	"02": "Código do registro detalhe inválido",
	"03": "Código da ocorrência inválida",
	"04": "Código de ocorrência não permitida para a carteira",
	"05": "Código de ocorrência não numérico",
	"07": "Agência/conta/dígito inválido",
	"08": "Nosso número inválido",
	"09": "Nosso número duplicado",
	"10": "Carteira inválida",
	"13": "Identificação da emissão do boleto inválida",
	"16": "Data de vencimento inválida",
	"17": "Data de vencimento anterior à data de emissão",
	"18": "Vencimento fora do prazo de operação",
	"20": "Valor do título inválido",
	"21": "Espécie do título inválida",
	"22": "Espécie não permitida para a carteira",
	"24": "Data de emissão inválida",
	"27": "Valor/taxa de juros de mora inválido",
	"28": "Código do desconto inválido",
	"38": "Prazo para protesto/negativação inválido",
	"39": "Pedido para protesto/negativação não permitido para o título",
	"43": "Prazo para baixa e devolução inválido",
	"44": "Agência do beneficiário não prevista",
	"45": "Nome do pagador não informado",
	"46": "Tipo/número de inscrição do pagador inválidos",
	"47": "Endereço do pagador não informado",
	"48": "CEP inválido",
	"50": "CEP irregular — banco correspondente",
	"53": "Nº de inscrição do pagador/avalista inválidos (CPF/CNPJ)",
	"54": "Pagador/avalista não informado",
	"63": "Entrada para título já cadastrado",
	"65": "Limite excedido",
	"66": "Número de autorização inexistente",
	"67": "Débito automático agendado",
	"68": "Débito não agendado — erro nos dados de remessa",
	"69": "Débito não agendado — pagador não consta no cadastro de autorizante",
	"70": "Débito não agendado — beneficiário não autorizado pelo pagador",
	"71": "Débito não agendado — beneficiário não participa do débito automático",
	"72": "Débito não agendado — código de moeda diferente de R$",
	"73": "Débito não agendado — data de vencimento inválida",
	"74": "Débito não agendado — conforme seu pedido, título não registrado",
	"75": "Débito não agendado — tipo de número de inscrição do debitado inválido",
	"76": "Pagador eletrônico DDA",
	"86": "Seu número do documento inválido",
}
_SETTLED_400 = {"00": "Título pago com dinheiro", "15": "Título pago com cheque", "18": "Pagamento parcial"}
_WRITTEN_OFF_400 = {
	"00": "Ocorrência aceita / baixado conforme instruções da agência",
	"10": "Baixa comandada pelo cliente",
	"14": "Título protestado",
	"15": "Título excluído",
	"16": "Título baixado pelo banco por decurso de prazo",
	"17": "Título baixado transferido de carteira",
	"20": "Título baixado e transferido para desconto",
}
_O = {
	"02": (REGISTERED, "Entrada confirmada", _REJECTED_400),
	"03": (REJECTED, "Entrada rejeitada", _REJECTED_400),
	"06": (PAID, "Liquidação normal", _SETTLED_400),
	"09": (WRITTEN_OFF, "Baixado automaticamente via arquivo", _WRITTEN_OFF_400),
	"10": (WRITTEN_OFF, "Baixado conforme instruções da agência", _WRITTEN_OFF_400),
	"11": (OTHER, "Em ser — arquivo de títulos pendentes", {}),
	"12": (OTHER, "Abatimento concedido", {}),
	"13": (OTHER, "Abatimento cancelado", {}),
	"14": (OTHER, "Vencimento alterado", {}),
	"15": (PAID, "Liquidação em cartório", _SETTLED_400),
	"16": (OTHER, "Título pago em cheque — vinculado", {}),
	"17": (PAID, "Liquidação após baixa ou título não registrado", _SETTLED_400),
	"18": (OTHER, "Acerto de depositária", {}),
	"19": (OTHER, "Confirmação de recebimento de instrução de protesto", {}),
	"20": (OTHER, "Confirmação de recebimento de instrução de sustação de protesto", {}),
	"21": (OTHER, "Acerto do controle do participante", {}),
	"22": (OTHER, "Título com pagamento cancelado", {}),
	"23": (OTHER, "Entrada do título em cartório", {}),
	"24": (REJECTED, "Entrada rejeitada por CEP irregular", _REJECTED_400),
	"25": (OTHER, "Confirmação de recebimento de instrução de protesto falimentar", {}),
	"27": (OTHER, "Baixa rejeitada", _REJECTED_400),
	"28": (OTHER, "Débito de tarifas/custas", {}),
	"29": (OTHER, "Ocorrências do pagador", {}),
	"30": (OTHER, "Alteração de outros dados rejeitados", _REJECTED_400),
	"32": (OTHER, "Instrução rejeitada", _REJECTED_400),
	"33": (OTHER, "Confirmação de pedido de alteração de outros dados", {}),
	"34": (OTHER, "Retirado de cartório e manutenção em carteira", {}),
	"35": (OTHER, "Desagendamento do débito automático", {}),
	"40": (OTHER, "Estorno de pagamento", {}),
	"55": (OTHER, "Sustado judicial", {}),
	"68": (OTHER, "Acerto dos dados do rateio de crédito", {}),
	"69": (OTHER, "Cancelamento dos dados do rateio", {}),
}

_HEADER_400 = Record(
	400,
	"header de arquivo",
	(
		"1-9 = 01REMESSA",
		"10-11 = 01",
		"12-26 = COBRANCA",
		"27-46 9 company_code",
		"47-76 X company",
		"77-79 = 237",
		"80-94 = BRADESCO",
		"95-100 9 date",
		"101-108 _",
		"109-110 = MX",
		"111-117 9 nsa",
		"118-394 _",
		"395-400 9 seq",
	),
)
_DETAIL_400 = Record(
	400,
	"registro detalhe 1",
	(
		"1 = 1",
		"2-6 0",
		"7 _",
		"8-12 0",
		"13-19 0",
		"20 _",
		"21 = 0",
		"22-24 9 wallet",
		"25-29 9 agency",
		"30-36 9 account",
		"37 X account_dv",
		"38-62 X control",
		"63-65 = 000",
		"66 9 fine_code",
		"67-70 9 fine_value",
		"71-81 9 nn",
		"82 X nn_dv",
		"83-92 0",
		"93 = 2",
		"94 _",
		"95-104 _",
		"105 _",
		"106 = 2",
		"107-108 _",
		"109-110 9 movement",
		"111-120 X document",
		"121-126 9 due_date",
		"127-139 9 amount",
		"140-142 0",
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
		"315-326 _",
		"327-334 9 payer_cep",
		"335-394 _",
		"395-400 9 seq",
	),
)
_TRAILER_400 = Record(400, "trailer", ("1 = 9", "2-394 _", "395-400 9 seq"))


class Bradesco400(Profile400):
	code = CODE
	manual = "Bradesco — Troca de Arquivos, Cobrança, nº 4008.524.0121, versão 11"
	extra_types = "2345"
	HEADER = _HEADER_400
	DETAIL = _DETAIL_400
	TRAILER = _TRAILER_400
	H_SEQUENCE = (108, 113)  # retorno: nº do aviso bancário
	H_SEQUENCE_REMESSA = (110, 117)
	H_AGREEMENT = (26, 46)
	motives = (318, 328)
	wallet = (21, 24)
	occurrences = _O

	def header_values(self):
		code = digits(
			self.agreement.transmission_code or self.account.agreement, "Código da empresa Bradesco", 20
		)
		wallet, agency, number, dv = account_parts(self.account)
		self._fixed = {"wallet": wallet.zfill(3), "agency": agency, "account": number, "account_dv": dv}
		return {"company_code": code}

	def detail_values(self, title, values):
		item = title.item
		values.update(self._fixed)
		nn = nosso_numero(item.nosso_numero)
		values["control"] = values["document"]
		values["nn"] = nn
		values["nn_dv"] = nn_dv(self._fixed["wallet"][-2:], nn)
		values["fine_code"] = "2" if title.fine else "0"
		values["fine_value"] = int(title.fine * 100)
		values["interest_value"] = daily_interest(title.amount, title.interest)

	KEY = (70, 81)  # the reader takes it with the other fields of the detail

	def key_from_detail(self, line):
		return line[70:81]

	key_from_remessa = key_from_detail

	def agreement_code(self, agreement):
		return agreement.transmission_code or agreement.account.agreement

	def extra_record(self, line, item):
		if line[0] == "4":
			item.pix_location = line[28:105].strip()
			item.pix_txid = line[105:140].strip()

	def remessa_fine(self, line):
		fine = Decimal(int(line[66:70])).scaleb(-2) if line[65] == "2" and line[66:70].isdigit() else None
		value = Decimal(int(line[160:173])).scaleb(-2) if line[160:173].isdigit() else None
		return fine, "1" if value else "0", value

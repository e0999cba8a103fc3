"""Occurrence codes and reason (motive) tables, and how a code becomes a status and a pt-BR text.

An occurrence table maps the code of the retorno (código de movimento / ocorrência) to
``(status, pt-BR text, reason table)``; the reason table explains the codes of the motive field. FEBRABAN's tables
for CNAB 240 (notes C044 and C047 of the "Layout Padrão FEBRABAN 240 posições", adopted by every bank here) are
below; each bank module adds or replaces codes with its own manual's.
"""

from __future__ import annotations

from .model import OTHER, PAID, REGISTERED, REJECTED, WRITTEN_OFF

# FEBRABAN C047, table A: rejections (movements 02, 03, 26, 30)
REJECTIONS_240 = {
	"01": "Código do banco inválido",
	"02": "Código do registro detalhe inválido",
	"03": "Código do segmento inválido",
	"04": "Código de movimento não permitido para a carteira",
	"05": "Código de movimento inválido",
	"06": "Tipo/número de inscrição do beneficiário inválidos",
	"07": "Agência/conta/DV inválido",
	"08": "Nosso número inválido",
	"09": "Nosso número duplicado",
	"10": "Carteira inválida",
	"11": "Forma de cadastramento do título inválida",
	"12": "Tipo de documento inválido",
	"13": "Identificação da emissão do boleto inválida",
	"14": "Identificação da distribuição do boleto inválida",
	"15": "Características da cobrança incompatíveis",
	"16": "Data de vencimento inválida",
	"17": "Data de vencimento anterior à data de emissão",
	"18": "Vencimento fora do prazo de operação",
	"19": "Título a cargo de bancos correspondentes com vencimento inferior a XX dias",
	"20": "Valor do título inválido",
	"21": "Espécie do título inválida",
	"22": "Espécie do título não permitida para a carteira",
	"23": "Aceite inválido",
	"24": "Data da emissão inválida",
	"25": "Data da emissão posterior à data de entrada",
	"26": "Código de juros de mora inválido",
	"27": "Valor/taxa de juros de mora inválido",
	"28": "Código do desconto inválido",
	"29": "Valor do desconto maior ou igual ao valor do título",
	"30": "Desconto a conceder não confere",
	"31": "Concessão de desconto — já existe desconto anterior",
	"32": "Valor do IOF inválido",
	"33": "Valor do abatimento inválido",
	"34": "Valor do abatimento maior ou igual ao valor do título",
	"35": "Valor a conceder não confere",
	"36": "Concessão de abatimento — já existe abatimento anterior",
	"37": "Código para protesto inválido",
	"38": "Prazo para protesto inválido",
	"39": "Pedido de protesto não permitido para o título",
	"40": "Título com ordem de protesto emitida",
	"41": "Pedido de cancelamento/sustação para título sem instrução de protesto",
	"42": "Código para baixa/devolução inválido",
	"43": "Prazo para baixa/devolução inválido",
	"44": "Código da moeda inválido",
	"45": "Nome do pagador não informado",
	"46": "Tipo/número de inscrição do pagador inválidos",
	"47": "Endereço do pagador não informado",
	"48": "CEP inválido",
	"49": "CEP sem praça de cobrança (não localizado)",
	"50": "CEP referente a um banco correspondente",
	"51": "CEP incompatível com a unidade da federação",
	"52": "Unidade da federação inválida",
	"53": "Tipo/número de inscrição do sacador/avalista inválidos",
	"54": "Sacador/avalista não informado",
	"55": "Nosso número no banco correspondente não informado",
	"56": "Código do banco correspondente não informado",
	"57": "Código da multa inválido",
	"58": "Data da multa inválida",
	"59": "Valor/percentual da multa inválido",
	"60": "Movimento para título não cadastrado",
	"61": "Alteração da agência cobradora/DV inválida",
	"62": "Tipo de impressão inválido",
	"63": "Entrada para título já cadastrado",
	"64": "Número da linha inválido",
	"65": "Código do banco para débito inválido",
	"66": "Agência/conta/DV para débito inválido",
	"67": "Dados para débito incompatíveis com a identificação da emissão do boleto",
	"68": "Débito automático agendado",
	"69": "Débito não agendado — erro nos dados da remessa",
	"70": "Débito não agendado — pagador não consta do cadastro de autorizante",
	"71": "Débito não agendado — beneficiário não autorizado pelo pagador",
	"72": "Débito não agendado — beneficiário não participa da modalidade débito automático",
	"73": "Débito não agendado — código de moeda diferente de real (R$)",
	"74": "Débito não agendado — data de vencimento inválida",
	"75": "Débito não agendado — conforme seu pedido, título não registrado",
	"76": "Débito não agendado — tipo/número de inscrição do debitado inválido",
	"77": "Transferência para desconto não permitida para a carteira do título",
	"78": "Data inferior ou igual ao vencimento para débito automático",
	"79": "Data de juros de mora inválida",
	"80": "Data do desconto inválida",
	"86": "Seu número inválido",
	"A5": "Título pago com cheque devolvido",
}
# FEBRABAN C047, table B: tariffs and costs (movement 28)
TARIFFS_240 = {
	"01": "Tarifa de extrato de posição",
	"02": "Tarifa de manutenção de título vencido",
	"03": "Tarifa de sustação",
	"04": "Tarifa de protesto",
	"05": "Tarifa de outras instruções",
	"06": "Tarifa de outras ocorrências",
	"07": "Tarifa de envio de duplicata ao pagador",
	"08": "Custas de protesto",
	"09": "Custas de sustação de protesto",
	"10": "Custas de cartório distribuidor",
	"11": "Custas de edital",
	"12": "Tarifa sobre devolução de título vencido",
	"13": "Tarifa sobre registro cobrada na baixa/liquidação",
	"14": "Tarifa sobre reapresentação automática",
	"15": "Tarifa sobre rateio de crédito",
	"16": "Tarifa sobre informações via fax",
	"17": "Tarifa sobre prorrogação de vencimento",
	"18": "Tarifa sobre alteração de abatimento/desconto",
	"19": "Tarifa sobre arquivo mensal (em ser)",
	"20": "Tarifa sobre emissão de boleto pré-emitido pelo banco",
}
# FEBRABAN C047, table C: liquidation and write-off (movements 06, 09, 17)
SETTLEMENTS_240 = {
	"01": "Por saldo",
	"02": "Por conta",
	"03": "Liquidação no próprio banco",
	"04": "Compensação eletrônica",
	"05": "Compensação convencional",
	"06": "Por meio eletrônico",
	"07": "Após feriado local",
	"08": "Em cartório",
	"09": "Comandada pelo banco",
	"10": "Comandada pelo cliente via arquivo",
	"11": "Comandada pelo cliente on-line",
	"12": "Decurso de prazo — cliente",
	"13": "Decurso de prazo — banco",
	"14": "Protestado",
	"15": "Título excluído",
	"30": "Liquidação no guichê de caixa em cheque",
	"31": "Liquidação em banco correspondente",
	"32": "Liquidação em terminal de autoatendimento",
	"33": "Liquidação na internet (home banking)",
	"34": "Liquidado por office banking",
	"35": "Liquidado por correspondente em dinheiro",
	"36": "Liquidado por correspondente em cheque",
	"37": "Liquidado por meio de central de atendimento (telefone)",
	"61": "Liquidação via Pix",
}

# FEBRABAN C044 (códigos de movimento retorno) → (status, pt-BR text, reason table)
OCCURRENCES_240: dict[str, tuple[str, str, dict]] = {
	"02": (REGISTERED, "Entrada confirmada", REJECTIONS_240),
	"03": (REJECTED, "Entrada rejeitada", REJECTIONS_240),
	"04": (OTHER, "Transferência de carteira/entrada", REJECTIONS_240),
	"05": (OTHER, "Transferência de carteira/baixa", SETTLEMENTS_240),
	"06": (PAID, "Liquidação", SETTLEMENTS_240),
	"07": (OTHER, "Confirmação do recebimento da instrução de desconto", REJECTIONS_240),
	"08": (OTHER, "Confirmação do recebimento do cancelamento do desconto", REJECTIONS_240),
	"09": (WRITTEN_OFF, "Baixa", SETTLEMENTS_240),
	"11": (OTHER, "Títulos em carteira (em ser)", REJECTIONS_240),
	"12": (OTHER, "Confirmação do recebimento da instrução de abatimento", REJECTIONS_240),
	"13": (OTHER, "Confirmação do recebimento do cancelamento do abatimento", REJECTIONS_240),
	"14": (OTHER, "Confirmação do recebimento da alteração de vencimento", REJECTIONS_240),
	"15": (WRITTEN_OFF, "Franco de pagamento", SETTLEMENTS_240),
	"17": (PAID, "Liquidação após baixa ou de título não registrado", SETTLEMENTS_240),
	"19": (OTHER, "Confirmação do recebimento da instrução de protesto", REJECTIONS_240),
	"20": (OTHER, "Confirmação do recebimento da sustação/cancelamento de protesto", REJECTIONS_240),
	"23": (OTHER, "Remessa a cartório (aponte em cartório)", REJECTIONS_240),
	"24": (OTHER, "Retirada de cartório e manutenção em carteira", REJECTIONS_240),
	"25": (WRITTEN_OFF, "Protestado e baixado (baixa por ter sido protestado)", SETTLEMENTS_240),
	"26": (OTHER, "Instrução rejeitada", REJECTIONS_240),
	"27": (OTHER, "Confirmação do pedido de alteração de outros dados", REJECTIONS_240),
	"28": (OTHER, "Débito de tarifas/custas", TARIFFS_240),
	"29": (OTHER, "Ocorrências do pagador", REJECTIONS_240),
	"30": (OTHER, "Alteração de dados rejeitada", REJECTIONS_240),
	"33": (OTHER, "Confirmação da alteração dos dados do rateio de crédito", REJECTIONS_240),
	"34": (OTHER, "Confirmação do cancelamento dos dados do rateio de crédito", REJECTIONS_240),
	"35": (OTHER, "Confirmação do desagendamento do débito automático", REJECTIONS_240),
	"36": (OTHER, "Confirmação de envio de e-mail/SMS", REJECTIONS_240),
	"37": (OTHER, "Envio de e-mail/SMS rejeitado", REJECTIONS_240),
	"38": (OTHER, "Confirmação de alteração do prazo limite de recebimento", REJECTIONS_240),
	"39": (OTHER, "Confirmação de dispensa de prazo limite de recebimento", REJECTIONS_240),
	"40": (OTHER, "Confirmação da alteração do número do título dado pelo beneficiário", REJECTIONS_240),
	"41": (OTHER, "Confirmação da alteração do número de controle do participante", REJECTIONS_240),
	"42": (OTHER, "Confirmação da alteração dos dados do pagador", REJECTIONS_240),
	"43": (OTHER, "Confirmação da alteração dos dados do sacador/avalista", REJECTIONS_240),
	"44": (OTHER, "Título pago com cheque devolvido", SETTLEMENTS_240),
	"45": (OTHER, "Título pago com cheque compensado", SETTLEMENTS_240),
	"46": (OTHER, "Instrução para cancelar protesto confirmada", REJECTIONS_240),
	"47": (OTHER, "Instrução para protesto para fins falimentares confirmada", REJECTIONS_240),
	"48": (
		OTHER,
		"Confirmação de instrução de transferência de carteira/modalidade de cobrança",
		REJECTIONS_240,
	),
	"49": (OTHER, "Alteração de contrato de cobrança", REJECTIONS_240),
	"50": (OTHER, "Título pago com cheque pendente de liquidação", SETTLEMENTS_240),
	"51": (OTHER, "Título DDA reconhecido pelo pagador", REJECTIONS_240),
	"52": (OTHER, "Título DDA não reconhecido pelo pagador", REJECTIONS_240),
	"53": (OTHER, "Título DDA recusado pela CIP", REJECTIONS_240),
	"54": (OTHER, "Confirmação da instrução de baixa de título negativado sem protesto", REJECTIONS_240),
}


def merged(base: dict, extra: dict) -> dict:
	table = dict(base)
	table.update(extra)
	return table


def explain(codes: tuple[str, ...], table: dict) -> str:
	return "; ".join(table.get(c, f"Motivo {c} (consulte o manual do banco)") for c in codes)


def split_codes(field: str, size: int = 2) -> tuple[str, ...]:
	"""The codes of a motive field (``size`` characters each; zeros and blanks are no code)."""
	if not field.strip(" 0"):
		return ()
	return tuple(
		c for c in (field[i : i + size] for i in range(0, len(field) - size + 1, size)) if c.strip(" 0")
	)


def describe(occurrences: dict, code: str, motives: str, motive_size: int, statuses: dict | None = None):
	"""(status, reason, occurrence text, motive codes) of an occurrence code and its motive field, from a bank's
	table ``{code: (status, text, {motive: text})}``; ``statuses`` renames statuses (the compatibility reader)."""
	occurrence = occurrences.get(code) or ("other", f"Ocorrência {code}", {})
	codes = split_codes(motives, motive_size)
	status = occurrence[0] if statuses is None else statuses.get(occurrence[0], occurrence[0])
	return status, explain(codes, occurrence[2]), occurrence[1], codes

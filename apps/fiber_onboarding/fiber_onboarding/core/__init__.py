"""The core: plain Python, never imports frappe.

Boleto and CNAB (``boleto``, ``cnab``, ``pix``), business-day calendar and SLA (``calendar``, ``sla``),
documents (``documents``: CNPJ, CPF, CEP), signed-PDF screening (``pdfcheck``), signed links (``tokens``)
and the process's states and gates (``process``).
"""

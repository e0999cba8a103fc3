"""Registers the bank API adapters in ``core.bankapi`` (BB → 001, Inter → 077) when imported.

List ``fiber_onboarding.adapters.banks.registry`` in the hook ``fiber_bank_registrars``; nothing else imports
it, so the core tier keeps its CNAB fallbacks unless a test calls :func:`register` on purpose.
"""

from fiber_onboarding.core.bankapi import register_adapter

from .bb import BancoDoBrasilRegistrar
from .inter import InterRegistrar


def register():
	register_adapter("001", BancoDoBrasilRegistrar)
	register_adapter("077", InterRegistrar)


register()

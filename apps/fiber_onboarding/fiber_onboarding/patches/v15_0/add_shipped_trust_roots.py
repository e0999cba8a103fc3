"""Existing sites get the trust roots shipped in ``fiber_contracts/roots`` (ICP-Brasil v5, v6, v12, v13 and the
gov.br root); roots
already pinned, enabled or disabled by staff, are left as they are."""

from fiber_onboarding.setup.shipped_roots import ensure_shipped_trust_roots


def execute():
	ensure_shipped_trust_roots()

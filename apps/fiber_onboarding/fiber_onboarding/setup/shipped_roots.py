"""The trust roots shipped with the app (``fiber_contracts/roots/*.pem``) become Fiber Trust Root rows.

Runs on install and migrate (``installers.INSTALLERS``) and as the patch ``v15_0.add_shipped_trust_roots`` for
sites that existed before the roots were shipped. Idempotent and respectful of staff decisions: a root whose
SHA-256 pin is already in the table (enabled or not) is left exactly as it is, so a root staff disabled stays
disabled; only roots absent from the table are added, enabled. Staff stop trusting a shipped root by disabling
its row (a deleted row comes back on the next migrate, a disabled one never does).
"""

from __future__ import annotations

import re
from pathlib import Path

import frappe

SETTINGS = "Fiber Onboarding Settings"
ROOTS_DIR = Path(__file__).resolve().parents[1] / "fiber_contracts" / "roots"
KINDS = {"ICP-Brasil": "ICP-Brasil", "gov.br": "gov.br"}


def shipped_roots(folder: Path = ROOTS_DIR) -> list[dict]:
	"""One dict per shipped PEM: label (subject CN), kind, pem text (header included), sha256 (64 hex)."""
	roots = []
	for path in sorted(folder.glob("*.pem")):
		text = path.read_text(encoding="ascii")
		fields = dict(re.findall(r"^# ([A-Za-z0-9-]+): (.+)$", text.partition("-----BEGIN")[0], re.M))
		pin = re.sub(r"[^0-9a-fA-F]", "", fields.get("SHA-256", "")).lower()
		if len(pin) != 64 or not fields.get("Subject-CN"):
			continue  # tests/test_trust_root_fixtures.py refuses such a file; never guess a pin here
		roots.append(
			{
				"label": fields["Subject-CN"].strip(),
				"kind": KINDS.get(fields.get("Kind", "").strip(), "Other"),
				"pem": text,
				"sha256": pin,
			}
		)
	return roots


def _pinned() -> set[str]:
	rows = frappe.get_all(
		"Fiber Trust Root", filters={"parent": SETTINGS, "parenttype": SETTINGS}, fields=["sha256"]
	)
	return {re.sub(r"[^0-9a-f]", "", (r.sha256 or "").lower()) for r in rows}


def ensure_shipped_trust_roots() -> list[str]:
	"""Add the shipped roots missing from the settings; return the labels added."""
	if not frappe.db.exists("DocType", "Fiber Trust Root"):
		return []
	present = _pinned()
	settings = frappe.get_single(SETTINGS)
	added = []
	for root in shipped_roots():
		if root["sha256"] in present:
			continue
		# one child row at a time, like pin_trust_root: the single itself (and staff edits) is not re-saved
		settings.append("trust_roots", dict(root, enabled=1)).db_insert()
		present.add(root["sha256"])
		added.append(root["label"])
	if added:
		frappe.clear_document_cache(SETTINGS, SETTINGS)
	return added

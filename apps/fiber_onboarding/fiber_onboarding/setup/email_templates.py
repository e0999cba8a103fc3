"""Email Template records from ``fiber_onboarding/email_templates/*.json`` (name, subject, response_html).

Created when missing; a template staff edited is never overwritten.
"""

import json
from pathlib import Path

import frappe

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "email_templates"


def template_files() -> list[Path]:
	return sorted(TEMPLATE_DIR.glob("*.json"))


def ensure_email_templates():
	for path in template_files():
		data = json.loads(path.read_text(encoding="utf-8"))
		if frappe.db.exists("Email Template", data["name"]):
			continue
		frappe.get_doc(
			{
				"doctype": "Email Template",
				"name": data["name"],
				"subject": data["subject"],
				"use_html": 1,
				"response_html": data["response_html"],
			}
		).insert(ignore_permissions=True)

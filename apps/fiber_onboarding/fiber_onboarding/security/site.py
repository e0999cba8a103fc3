"""Site settings for production answers (called by ``setup.demo_site.setup_demo_site``; README "Security")."""

from __future__ import annotations

import frappe

PRODUCTION_SYSTEM_SETTINGS = {
	# error answers never carry the server's traceback (the app also strips it for visitors and customers)
	"allow_error_traceback": 0,
	# Frappe locks a login (per IP and per account) after this many consecutive failures...
	"allow_consecutive_login_attempts": 5,
	# ... for this many seconds
	"allow_login_after_fail": 600,
}


def harden_site():
	frappe.db.set_single_value("System Settings", PRODUCTION_SYSTEM_SETTINGS)
	frappe.clear_document_cache("System Settings", "System Settings")
	frappe.cache.delete_value("system_settings")
	frappe.local.system_settings = None

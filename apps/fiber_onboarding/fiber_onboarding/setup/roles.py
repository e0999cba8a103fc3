"""The app's roles, created on install and migrate when missing (existing roles are left as staff set them)."""

import frappe

from fiber_onboarding.core.process import ALL_ROLES, CUSTOMER


def ensure_roles():
	for role in ALL_ROLES:
		if frappe.db.exists("Role", role):
			continue
		doc = frappe.new_doc("Role")
		doc.role_name = role
		# the portal role never reaches the desk
		doc.desk_access = 0 if role == CUSTOMER else 1
		if role == CUSTOMER:
			doc.home_page = "/ativacoes"
		doc.insert(ignore_permissions=True)

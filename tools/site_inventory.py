"""What a restore drill compares between a site and its restored copy (bin/restore-drill), printed as JSON.

- row counts: onboarding cases, boletos, contracts, proposals, File records, Payment Entries (all and submitted),
  Customers and Sales Invoices;
- the files on disk: the SHA-256 of every file under ``public/files`` and ``private/files``, and the File records
  whose file is missing on disk;
- the stored passwords (``__Auth``): how many the site's ``encryption_key`` decrypts, and how many it does not
  (a restore that lost the key keeps the rows but not the bank and e-mail credentials).

Run with the bench's Python from its ``sites/`` folder: ``../env/bin/python ../tools/site_inventory.py SITE``.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from urllib.parse import unquote

COUNTED = (
	"Fiber Onboarding",
	"Fiber Boleto",
	"Fiber Contract",
	"Fiber Proposal",
	"File",
	"Payment Entry",
	"Customer",
	"Sales Invoice",
)


def _tree(folder: str) -> dict[str, str]:
	digests = {}
	for base, _dirs, names in os.walk(folder):
		for name in names:
			path = os.path.join(base, name)
			with open(path, "rb") as fh:
				digests[os.path.relpath(path, folder)] = hashlib.sha256(fh.read()).hexdigest()
	return digests


def inventory(site: str) -> dict:
	import frappe
	from frappe.utils.password import decrypt

	frappe.init(site=site, sites_path=".")
	frappe.connect()
	try:
		counts = {doctype: frappe.db.count(doctype) for doctype in COUNTED}
		counts["Payment Entry (submitted)"] = frappe.db.count("Payment Entry", {"docstatus": 1})
		missing = []
		for row in frappe.get_all("File", filters={"is_folder": 0}, fields=["name", "file_url"]):
			url = unquote(row.file_url or "")
			if url.startswith("/private/files/"):
				path = frappe.get_site_path("private", "files", url[len("/private/files/") :])
			elif url.startswith("/files/"):
				path = frappe.get_site_path("public", "files", url[len("/files/") :])
			else:
				continue  # an external URL
			if not os.path.isfile(path):
				missing.append(row.name)
		decrypted = undecryptable = 0
		for (value,) in frappe.db.sql("select `password` from `__Auth` where encrypted = 1"):
			try:
				decrypt(value)
				decrypted += 1
			except Exception:
				undecryptable += 1
		return {
			"counts": counts,
			"files": {
				"public": _tree(frappe.get_site_path("public", "files")),
				"private": _tree(frappe.get_site_path("private", "files")),
			},
			"file_records_without_file": sorted(missing),
			"passwords": {"decrypted": decrypted, "undecryptable": undecryptable},
		}
	finally:
		frappe.destroy()


if __name__ == "__main__":
	json.dump(inventory(sys.argv[1]), sys.stdout, indent=1, sort_keys=True)
	print()

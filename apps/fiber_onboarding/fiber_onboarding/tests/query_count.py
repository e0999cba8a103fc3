"""Counting the SQL statements a piece of code sends (tests and the SLA sweep benchmark)."""

import contextlib

import frappe


@contextlib.contextmanager
def count_queries():
	"""Counts every statement sent through frappe.db.sql (frappe.qb runs through it too)."""
	db = frappe.db
	original = db.sql
	counter = {"queries": 0, "statements": []}

	def counting(query, *args, **kwargs):
		counter["queries"] += 1
		counter["statements"].append(str(query)[:80])
		return original(query, *args, **kwargs)

	db.sql = counting
	try:
		yield counter
	finally:
		db.sql = original

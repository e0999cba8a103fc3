"""The site's clock: Brazil's time zone from the site's creation, and timestamps written before the switch.

Frappe writes every ``creation``/``modified`` in the System Settings time zone, which on a new site is the
framework's default (Asia/Kolkata) until someone changes it. A site created that way and switched to
America/Sao_Paulo afterwards carries timestamps 8.5 hours in the future, and Frappe's scheduler computes a job's
first run from its Scheduled Job Type's ``creation``: no hourly job would run for 8.5 hours.

``adopt_time_zone`` switches the site and moves every timestamp that the switch left in the future back by the
difference between the two zones, so the site reads as if it had been created in the new zone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import frappe

# what Frappe v15 assumes when System Settings has no time zone (frappe.utils.data.get_system_timezone)
FRAMEWORK_DEFAULT_ZONE = "Asia/Kolkata"
TIMESTAMP_COLUMNS = ("creation", "modified", "last_execution")


def zone_offset(old_zone: str, new_zone: str, at: datetime | None = None) -> timedelta:
	"""How far a wall clock in ``old_zone`` runs ahead of one in ``new_zone`` at the instant ``at`` (UTC)."""
	at = at or datetime.now(ZoneInfo("UTC"))
	old = at.astimezone(ZoneInfo(old_zone)).replace(tzinfo=None)
	new = at.astimezone(ZoneInfo(new_zone)).replace(tzinfo=None)
	return old - new


def current_zone() -> str:
	return frappe.db.get_single_value("System Settings", "time_zone") or FRAMEWORK_DEFAULT_ZONE


def adopt_time_zone(zone: str) -> timedelta:
	"""Put the site in ``zone`` and correct the timestamps written in the previous zone; returns the shift."""
	old_zone = current_zone()
	if old_zone == zone:
		return timedelta(0)
	offset = zone_offset(old_zone, zone)
	frappe.db.set_single_value("System Settings", "time_zone", zone)
	_forget_cached_settings()
	shift_future_timestamps(offset)
	return offset


def shift_future_timestamps(offset: timedelta) -> int:
	"""Move back by ``offset`` every timestamp that lies in the future of the site's clock; returns the number
	of tables touched. Only a clock that ran ahead leaves future timestamps, so nothing else moves."""
	if offset <= timedelta(0):
		return 0
	now = frappe.utils.now_datetime() + timedelta(minutes=1)
	seconds = int(offset.total_seconds())
	touched = 0
	for table, columns in _timestamp_columns().items():
		sets = ", ".join(
			f"`{c}` = IF(`{c}` > %(now)s, `{c}` - INTERVAL %(seconds)s SECOND, `{c}`)" for c in columns
		)
		where = " OR ".join(f"`{c}` > %(now)s" for c in columns)
		frappe.db.sql(f"UPDATE `{table}` SET {sets} WHERE {where}", {"now": now, "seconds": seconds})
		touched += 1
	frappe.clear_cache()
	return touched


def correct_framework_default_zone() -> int:
	"""For sites made before this module existed: they were created in the framework's default zone and
	switched later, so their future timestamps are ahead by exactly that difference."""
	zone = current_zone()
	if zone == FRAMEWORK_DEFAULT_ZONE:
		return 0
	return shift_future_timestamps(zone_offset(FRAMEWORK_DEFAULT_ZONE, zone))


def _timestamp_columns() -> dict[str, list[str]]:
	rows = frappe.db.sql(
		"""SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS
		WHERE TABLE_SCHEMA = DATABASE() AND DATA_TYPE IN ('datetime', 'timestamp')
		AND COLUMN_NAME IN %(columns)s""",
		{"columns": TIMESTAMP_COLUMNS},
	)
	out: dict[str, list[str]] = {}
	for table, column in rows:
		out.setdefault(table, []).append(column)
	return out


def _forget_cached_settings():
	frappe.clear_document_cache("System Settings", "System Settings")
	if getattr(frappe.local, "system_settings", None) is not None:
		frappe.local.system_settings = None

"""Scheduled backups of a production site, database and files: what ``bench --site SITE backup --with-files``
takes, on the site's own scheduler (docs/production.md, "Backups").

Frappe v15 schedules no local backup of its own (only off-site copies: S3, Dropbox, Google Drive), and
``bench setup backups`` adds a crontab line (``bench --site all backup`` every 6 hours, database only). A cron
line runs on every host that has it: with two app nodes it backs up twice, and container images have no cron.
The site's scheduler runs once per site whatever the number of nodes, and ``bin/setup --production`` turns it on
together with the site config ``fo_scheduled_backups``; so the backup is a scheduler job here:

- ``enqueue_scheduled_backup`` (cron, every 6 hours, bench's cadence) puts one backup job on the long queue
  (a backup with files outlives the default queue's 300 s timeout), under one job id per site, so a backup still
  running is never started twice;
- ``take_backup`` calls Frappe's ``scheduled_backup`` exactly as ``bench backup --with-files`` does (forced: a
  fresh set every time). Backups land in ``sites/<site>/private/backups``; Frappe deletes the ones older than
  ``keep_backups_for_hours`` (site config, default 24) at each new backup. Copy them off the host.
"""

from __future__ import annotations

import frappe
from frappe.utils.backups import scheduled_backup

CONFIG_KEY = "fo_scheduled_backups"
TIMEOUT = 3 * 60 * 60  # seconds: a last-resort bound far above a real site's backup with files


def job_id() -> str:
	return f"fo-backup-with-files::{frappe.local.site}"


def enqueue_scheduled_backup() -> bool:
	"""Queue this site's backup with files when the site config asks for scheduled backups; True when queued."""
	if not frappe.conf.get(CONFIG_KEY):
		return False
	frappe.enqueue(
		"fiber_onboarding.setup.backups.take_backup",
		queue="long",
		timeout=TIMEOUT,
		job_id=job_id(),
		deduplicate=True,
	)
	return True


def take_backup() -> dict[str, str]:
	"""``bench backup --with-files`` for the current site; returns the paths of the files written."""
	odb = scheduled_backup(ignore_files=False, force=True)
	paths = {
		"database": odb.backup_path_db,
		"public_files": odb.backup_path_files,
		"private_files": odb.backup_path_private_files,
		"site_config": odb.backup_path_conf,
	}
	frappe.logger("backups").info({"site": frappe.local.site, **paths})
	return paths

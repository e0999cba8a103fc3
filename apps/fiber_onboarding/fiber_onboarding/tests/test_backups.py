"""Scheduled backups with files (setup/backups.py): the cron hook, the site-config switch, one job on the long
queue per site, and a backup that writes the database, public and private files and the site config."""

import os
import tarfile
from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils.background_jobs import get_job

from fiber_onboarding.setup import backups

METHOD = "fiber_onboarding.setup.backups.enqueue_scheduled_backup"


def _drop_job():
	job = get_job(backups.job_id())
	if job:
		job.delete()


class TestScheduledBackups(FrappeTestCase):
	def setUp(self):
		_drop_job()

	def tearDown(self):
		_drop_job()

	def test_the_cron_hook_is_a_scheduled_job_of_the_site(self):
		cron = frappe.get_hooks("scheduler_events").get("cron", {})
		self.assertIn(METHOD, cron.get("0 */6 * * *", []))
		self.assertTrue(
			frappe.db.exists(
				"Scheduled Job Type", {"method": METHOD, "frequency": "Cron", "cron_format": "0 */6 * * *"}
			)
		)

	def test_nothing_is_queued_without_the_site_config(self):
		with patch.dict(frappe.conf, {backups.CONFIG_KEY: 0}):
			self.assertFalse(backups.enqueue_scheduled_backup())
		self.assertIsNone(get_job(backups.job_id()))

	def test_one_job_on_the_long_queue_however_often_the_scheduler_asks(self):
		with patch.dict(frappe.conf, {backups.CONFIG_KEY: 1}):
			self.assertTrue(backups.enqueue_scheduled_backup())
			self.assertTrue(backups.enqueue_scheduled_backup())
		job = get_job(backups.job_id())
		self.assertIsNotNone(job)
		self.assertEqual(job.origin.rsplit(":", 1)[-1], "long")
		self.assertEqual(job.kwargs["method"], "fiber_onboarding.setup.backups.take_backup")
		queue = frappe.utils.background_jobs.get_queue("long")
		ours = [j for j in queue.job_ids if j.endswith(backups.job_id())]
		self.assertEqual(len(ours), 1)

	def test_a_backup_holds_the_database_the_files_and_the_site_config(self):
		# a private and a public file, so that both archives have something of this run
		made = []
		for private in (0, 1):
			made.append(
				frappe.get_doc(
					{
						"doctype": "File",
						"file_name": f"fo-backup-test-{private}-{frappe.generate_hash(length=6)}.txt",
						"content": b"backup me",
						"is_private": private,
					}
				).insert(ignore_permissions=True)
			)
		frappe.db.commit()  # nosemgrep: the backup reads the database through mysqldump
		paths = {}
		try:
			paths = backups.take_backup()
			self.assertTrue(paths["database"].endswith(".sql.gz"))
			self.assertTrue(paths["public_files"].endswith("-files.tar"))
			self.assertTrue(paths["private_files"].endswith("-private-files.tar"))
			self.assertTrue(paths["site_config"].endswith("-site_config_backup.json"))
			for path in paths.values():
				self.assertTrue(os.path.isfile(path), path)
				self.assertGreater(os.path.getsize(path), 0, path)
			for doc, archive in zip(made, (paths["public_files"], paths["private_files"]), strict=True):
				with tarfile.open(archive) as tar:
					names = [member.name for member in tar.getmembers()]
				self.assertTrue(any(name.endswith("/" + doc.file_name) for name in names), doc.file_name)
		finally:
			for path in paths.values():
				if path and os.path.isfile(path):
					os.remove(path)
			for doc in made:
				doc.delete(ignore_permissions=True)
			frappe.db.commit()  # nosemgrep: removes what this test committed for mysqldump

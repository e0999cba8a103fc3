"""Reproduce the rare HTTP 500 of the portal load run without HTTP (Frappe's race, not the app's code).

One process does what every new portal user's insert does: ``User.on_update`` → ``frappe.clear_cache(user=…)``,
which always ends in ``clear_routing_cache()`` (deleting the Redis key of ``get_published_web_forms``). The other
does what every page request does before any app code: ``get_published_web_forms()`` through ``@redis_cache``,
whose wrapper asks ``EXISTS`` and then ``GET``; a delete between the two makes the read return ``None``, and the
path resolver's ``for d in get_published_web_forms()`` raises ``TypeError`` → HTTP 500. Prints how many reads came
back ``None``. Bounded by counts (no time limits); touches only the site's Redis cache keys.

Run from the bench's ``sites`` folder, with the bench's Redis up:
``../env/bin/python ../benchmarks/race_web_forms.py [site] [clears]``
"""

import multiprocessing as mp
import os
import sys

SITE = sys.argv[1] if len(sys.argv) > 1 else "fo-test.localhost"
CLEARS = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
READS_PER_CLEAR = 3


def _boot():
	import frappe

	frappe.init(site=SITE, sites_path=os.getcwd())
	frappe.connect()
	return frappe


def _clearer(n: int) -> None:
	frappe = _boot()
	for _ in range(n):
		frappe.clear_cache(user="Guest")  # user-scoped, as in User.on_update; still clears the routing cache
	frappe.destroy()


def _reader(n: int, out) -> None:
	frappe = _boot()
	from frappe.website.doctype.web_form.web_form import get_published_web_forms

	nones = 0
	for _ in range(n):
		frappe.local.cache = {}  # each read as a new request would do it
		if get_published_web_forms() is None:
			nones += 1
	frappe.destroy()
	out.put(nones)


def main() -> None:
	out = mp.Queue()
	reads = CLEARS * READS_PER_CLEAR
	procs = [mp.Process(target=_clearer, args=(CLEARS,)), mp.Process(target=_reader, args=(reads, out))]
	for p in procs:
		p.start()
	nones = out.get()
	for p in procs:
		p.join()
	print(f"clears={CLEARS} reads={reads} reads_returning_None={nones}")


if __name__ == "__main__":
	main()

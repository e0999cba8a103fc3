"""Jinja helpers for the field print formats (photo report, implementation report).

Registered one by one in ``hooks.jinja["methods"]``. Photos are private files: the PDF renderer cannot fetch their
URLs, so ``fo_photo_src`` reads the file server-side (only a file attached to the printed document) and returns a
data URI of a down-scaled JPEG.
"""

from __future__ import annotations

import base64
import io

import frappe
from frappe.utils import get_datetime, getdate

from fiber_onboarding.core import documents, optical

MAX_PHOTO_SIDE = 1600


def fo_date(value) -> str:
	return getdate(value).strftime("%d/%m/%Y") if value else "—"


def fo_datetime(value) -> str:
	return get_datetime(value).strftime("%d/%m/%Y %H:%M") if value else "—"


def fo_cnpj(value) -> str:
	return documents.format_cnpj(value) if value else "—"


def fo_dbm(value) -> str:
	try:
		return optical.format_dbm(optical.to_dbm(value))
	except optical.OpticalError:
		return "—"


def fo_photo_src(doc, file_url: str) -> str:
	"""A data URI for ``file_url`` when it is a file attached to ``doc`` (else an empty string)."""
	if not file_url or not doc:
		return ""
	name = frappe.db.get_value(
		"File",
		{"file_url": file_url, "attached_to_doctype": doc.doctype, "attached_to_name": doc.name},
		"name",
	)
	if not name:
		return ""
	try:
		content = frappe.get_doc("File", name).get_content()
	except Exception:
		return ""
	if isinstance(content, str):
		content = content.encode()
	return _jpeg_data_uri(content)


def _jpeg_data_uri(content: bytes) -> str:
	from PIL import Image, ImageOps

	try:
		with Image.open(io.BytesIO(content)) as img:
			img = ImageOps.exif_transpose(img)
			img.thumbnail((MAX_PHOTO_SIDE, MAX_PHOTO_SIDE))
			if img.mode not in ("RGB", "L"):
				img = img.convert("RGB")
			out = io.BytesIO()
			img.save(out, format="JPEG", quality=80)
	except Exception:
		return ""
	return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def fo_implementation_data(project) -> dict:
	"""Everything the implementation report shows, for the project ``doc``."""
	from fiber_onboarding.fiber_field.doctype.circuit.circuit import power_thresholds

	case = frappe.get_doc("Fiber Onboarding", project.onboarding)
	circuit = frappe.get_doc("Circuit", project.circuit) if project.circuit else None
	limits = power_thresholds()
	readings, verdict = [], None
	if circuit:
		pairs = [(r.point, r.power_dbm) for r in circuit.readings]
		verdict = optical.evaluate(pairs, limits)
		for row, result in zip(circuit.readings, verdict.results, strict=True):
			readings.append({"row": row, "result": result.result, "detail": result.detail})
	visits = frappe.get_all(
		"Site Visit",
		filters={"onboarding": project.onboarding, "status": "Done"},
		fields=["name", "visit_type", "done_on", "technician"],
		order_by="done_on asc",
	)
	return {
		"case": case,
		"circuit": circuit,
		"readings": readings,
		"verdict": verdict,
		"min_dbm": optical.format_dbm(limits.min_dbm),
		"max_dbm": optical.format_dbm(limits.max_dbm),
		"visits": visits,
		"internal_tasks": [t for t in project.tasks if t.phase == "Internal"],
		"external_tasks": [t for t in project.tasks if t.phase == "External"],
		"test_phase_hours": int(
			frappe.db.get_single_value("Fiber Onboarding Settings", "test_phase_hours") or 48
		),
	}


def fo_visit_type(value: str) -> str:
	return {
		"External Survey": "Vistoria externa (via pública)",
		"Prior Visit": "Visita prévia",
		"Internal Survey": "Vistoria interna",
	}.get(value, value or "")


def fo_task_status(value: str) -> str:
	return {
		"Open": "Aberta",
		"In Progress": "Em andamento",
		"Done": "Concluída",
		"Cancelled": "Cancelada",
	}.get(value, value or "")


def fo_user_name(user: str | None) -> str:
	if not user:
		return "—"
	return frappe.db.get_value("User", user, "full_name") or user

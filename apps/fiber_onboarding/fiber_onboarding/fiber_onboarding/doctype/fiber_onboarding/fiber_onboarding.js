// The case: a read-only hub. Shows what blocks each next step and links to the documents that own the data.
frappe.ui.form.on("Fiber Onboarding", {
	refresh(frm) {
		fo_show_masks(frm);
		if (frm.is_new()) return;
		fo_show_links(frm);
		fo_show_blockers(frm);
		if (!frm.doc.cancelled && frappe.user.has_role("Fiber Onboarding Manager")) {
			frm.add_custom_button(__("Cancel Onboarding"), () => fo_cancel(frm), __("Actions"));
		}
		frm.add_custom_button(__("Refresh Stage"), () => {
			frm.call("refresh_stage_now").then(() => frm.reload_doc());
		}, __("Actions"));
	},
});

function fo_show_links(frm) {
	const links = [
		["boleto", "Fiber Boleto"],
		["contract", "Fiber Contract"],
		["project", "Fiber Project"],
		["circuit", "Circuit"],
	];
	for (const [field, doctype] of links) {
		if (frm.doc[field]) {
			frm.add_custom_button(__(doctype), () => frappe.set_route("Form", doctype, frm.doc[field]), __("Open"));
		}
	}
}

function fo_show_blockers(frm) {
	frm.call("get_blockers").then((r) => {
		const rows = (r.message || []).filter((row) => row.blockers.length);
		if (!rows.length) return;
		const items = rows
			.map(
				(row) =>
					`<li><b>${frappe.utils.escape_html(row.action)}</b> (${__(row.doctype)} ${row.name}): ` +
					row.blockers.map((b) => frappe.utils.escape_html(b)).join("; ") +
					"</li>"
			)
			.join("");
		frm.dashboard.set_headline_alert(
			`<div>${__("Waiting for")}:</div><ul style="margin-bottom:0">${items}</ul>`,
			"yellow"
		);
	});
}

function fo_cancel(frm) {
	frappe.prompt(
		[{ fieldname: "reason", fieldtype: "Small Text", label: __("Reason"), reqd: 1 }],
		(values) => {
			frm.call("cancel_case", { reason: values.reason }).then(() => frm.reload_doc());
		},
		__("Cancel Onboarding"),
		__("Cancel Onboarding")
	);
}

// The numbers are stored compact (core.documents); show them with their usual masks.
function fo_show_masks(frm) {
	const masks = {
		cnpj: (v) => (v.length === 14 ? `${v.slice(0, 2)}.${v.slice(2, 5)}.${v.slice(5, 8)}/${v.slice(8, 12)}-${v.slice(12)}` : ""),
		legal_cpf: (v) => (v.length === 11 ? `${v.slice(0, 3)}.${v.slice(3, 6)}.${v.slice(6, 9)}-${v.slice(9)}` : ""),
		cep: (v) => (v.length === 8 ? `${v.slice(0, 5)}-${v.slice(5)}` : ""),
	};
	for (const [field, mask] of Object.entries(masks)) {
		const value = (frm.doc[field] || "").toUpperCase();
		frm.set_df_property(field, "description", mask(value));
	}
}

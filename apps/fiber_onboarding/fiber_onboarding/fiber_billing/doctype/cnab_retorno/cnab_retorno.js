frappe.ui.form.on("CNAB Retorno", {
	setup(frm) {
		frappe.realtime.on("progress", (data) => {
			if (data.doctype === "CNAB Retorno" && data.docname === frm.doc.name && data.percent >= 100) {
				setTimeout(() => frm.reload_doc(), 500);
			}
		});
	},
	refresh(frm) {
		const colors = { Pending: "gray", Queued: "orange", Processing: "orange", Processed: "green", Failed: "red" };
		if (!frm.is_new()) {
			frm.page.set_indicator(__(frm.doc.status), colors[frm.doc.status] || "gray");
		}
		if (frm.doc.status === "Failed" && frm.doc.error_message) {
			frm.dashboard.set_headline_alert(frappe.utils.escape_html(frm.doc.error_message), "red");
		}
		const stale =
			["Queued", "Processing"].includes(frm.doc.status) &&
			moment(frm.doc.modified).isBefore(moment().subtract(30, "minutes"));
		if (!frm.is_new() && (["Pending", "Failed"].includes(frm.doc.status) || stale)) {
			frm.add_custom_button(__("Import"), () => {
				frappe.call({
					method: "fiber_onboarding.api.boleto.start_retorno_import",
					args: { name: frm.doc.name },
					freeze: true,
					freeze_message: __("Queuing the import..."),
					callback() {
						frappe.show_alert({ message: __("Import queued"), indicator: "blue" });
						frm.reload_doc();
					},
				});
			}).addClass("btn-primary");
		}
		if (["Queued", "Processing"].includes(frm.doc.status)) {
			frm.add_custom_button(__("Refresh"), () => frm.reload_doc());
		}
	},
});

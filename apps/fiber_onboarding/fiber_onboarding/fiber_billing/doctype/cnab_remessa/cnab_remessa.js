frappe.ui.form.on("CNAB Remessa", {
	refresh(frm) {
		if (frm.doc.file) {
			frm.add_custom_button(__("Download File"), () => window.open(frm.doc.file));
		}
		if (frm.doc.status === "Generated" && !frm.is_new()) {
			frm.add_custom_button(__("Mark as Sent"), () => {
				frm.set_value("sent_on", frappe.datetime.get_today());
				frm.set_value("status", "Sent");
				frm.save();
			});
		}
	},
});

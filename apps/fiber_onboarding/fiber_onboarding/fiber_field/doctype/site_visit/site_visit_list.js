frappe.listview_settings["Site Visit"] = {
	add_fields: ["status", "visit_type"],
	get_indicator(doc) {
		const colors = { Scheduled: "orange", Done: "green", Cancelled: "red" };
		return [__(doc.status), colors[doc.status] || "gray", "status,=," + doc.status];
	},
};

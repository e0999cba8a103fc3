frappe.listview_settings["Fiber Finance Exception"] = {
	add_fields: ["status", "exception_type"],
	get_indicator(doc) {
		return doc.status === "Resolved"
			? [__("Resolved"), "green", "status,=,Resolved"]
			: [__("Open"), "red", "status,=,Open"];
	},
};

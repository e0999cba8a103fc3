// Fiber Contract: the latest upload's verdict and checks, staff Accept / Reject, resend.
// Uploaded files are offered as downloads only (never opened in a browser PDF viewer).

const FO_CONTRACT_API = "fiber_onboarding.api.contract.";
const FO_REVIEW_ROLES = ["Fiber Onboarding Manager", "Fiber Sales"];
const FO_OUTCOME_COLOURS = { Pass: "green", Warn: "orange", Fail: "red" };
const FO_DECISION_COLOURS = { Accept: "green", Review: "orange", Reject: "red" };

function fo_can_review() {
	return frappe.user.has_role(FO_REVIEW_ROLES) || frappe.session.user === "Administrator";
}

function fo_latest_upload(frm) {
	const rows = frm.doc.uploads || [];
	return rows.find((r) => r.name === frm.doc.latest_upload) || rows[rows.length - 1];
}

function fo_download_url(frm, row) {
	return (
		"/api/method/" +
		FO_CONTRACT_API +
		"download_upload?" +
		new URLSearchParams({ contract: frm.doc.name, upload: row.name }).toString()
	);
}

function fo_render_verdict(frm) {
	const field = frm.get_field("verdict_html");
	if (!field) return;
	const latest = fo_latest_upload(frm);
	if (!latest) {
		field.$wrapper.html(
			`<p class="text-muted">${__("No signed upload yet.")}</p>`
		);
		return;
	}
	const esc = frappe.utils.escape_html;
	const checks = (frm.doc.checks || []).filter((c) => c.upload === latest.name);
	const decision = latest.decision
		? `<span class="indicator-pill ${FO_DECISION_COLOURS[latest.decision] || "gray"}">${esc(
				__(latest.decision)
		  )}</span>`
		: `<span class="indicator-pill gray">${esc(__("Pending"))}</span>`;
	const rows = checks
		.map(
			(c) => `<tr>
				<td><span class="indicator-pill ${FO_OUTCOME_COLOURS[c.outcome] || "gray"}">${esc(
				__(c.outcome)
			)}</span></td>
				<td><code>${esc(c.check || "")}</code></td>
				<td style="white-space: pre-line">${esc(c.detail || "")}</td>
			</tr>`
		)
		.join("");
	const older = (frm.doc.uploads || [])
		.filter((r) => r.name !== latest.name)
		.reverse()
		.map(
			(r) => `<li>${esc(r.file_name || "")} · ${esc(frappe.datetime.str_to_user(r.uploaded_on) || "")}
				· ${esc(__(r.status || ""))}${r.decision ? " · " + esc(__(r.decision)) : ""}
				· <a href="${fo_download_url(frm, r)}" download>${esc(__("Download"))}</a></li>`
		)
		.join("");
	field.$wrapper.html(`
		<div class="fo-contract-verdict">
			<p>
				${decision}
				<strong>${esc(latest.file_name || "")}</strong>
				· ${esc(frappe.datetime.str_to_user(latest.uploaded_on) || "")}
				· ${esc(latest.uploaded_by || "")} ${latest.ip_address ? "(" + esc(latest.ip_address) + ")" : ""}
				· ${esc(__(latest.status || ""))}
			</p>
			<p>
				<a class="btn btn-xs btn-default" href="${fo_download_url(frm, latest)}" download>
					${esc(__("Download signed PDF"))}
				</a>
				<span class="text-muted small">
					${esc(__("SHA-256"))}: <code>${esc(latest.sha256 || "")}</code>
				</span>
			</p>
			${
				rows
					? `<table class="table table-bordered table-condensed small">
						<thead><tr><th>${esc(__("Outcome"))}</th><th>${esc(__("Check"))}</th><th>${esc(
							__("Detail")
					  )}</th></tr></thead>
						<tbody>${rows}</tbody></table>`
					: `<p class="text-muted">${esc(__("The checks are running."))}</p>`
			}
			${latest.review_note ? `<p style="white-space: pre-line">${esc(latest.review_note)}</p>` : ""}
			${older ? `<details><summary>${esc(__("Earlier uploads"))}</summary><ul>${older}</ul></details>` : ""}
		</div>`);
}

function fo_accept(frm) {
	frappe.confirm(__("Accept the signed contract {0}?", [frm.doc.name]), () =>
		frappe
			.xcall(FO_CONTRACT_API + "accept_contract", { contract: frm.doc.name })
			.then(() => frm.reload_doc())
	);
}

function fo_reject(frm) {
	const dialog = new frappe.ui.Dialog({
		title: __("Reject signed contract"),
		fields: [
			{
				fieldname: "reason",
				fieldtype: "Small Text",
				label: __("Reason (sent to the customer)"),
				reqd: 1,
			},
		],
		primary_action_label: __("Reject"),
		primary_action(values) {
			frappe
				.xcall(FO_CONTRACT_API + "reject_contract", {
					contract: frm.doc.name,
					reason: values.reason,
				})
				.then(() => {
					dialog.hide();
					frm.reload_doc();
				});
		},
	});
	dialog.show();
}

frappe.ui.form.on("Fiber Contract", {
	refresh(frm) {
		fo_render_verdict(frm);
		if (frm.is_new()) return;
		const state = frm.doc.workflow_state;
		const latest = fo_latest_upload(frm);
		if (fo_can_review() && state === "Signed Uploaded" && latest) {
			if (latest.status === "Checked" && ["Accept", "Review"].includes(latest.decision)) {
				frm.add_custom_button(__("Accept"), () => fo_accept(frm)).addClass("btn-primary");
			}
			frm.add_custom_button(__("Reject"), () => fo_reject(frm)).addClass("btn-danger");
		}
		if (fo_can_review() && ["Sent", "Rejected"].includes(state)) {
			frm.add_custom_button(__("Resend contract"), () =>
				frappe
					.xcall(FO_CONTRACT_API + "resend_contract", { contract: frm.doc.name })
					.then(() => {
						frappe.show_alert({ message: __("Contract resent"), indicator: "green" });
						frm.reload_doc();
					})
			);
		}
	},

	// the workflow's own Accept / Reject buttons go through the same endpoints (reject needs a reason)
	before_workflow_action(frm) {
		const action = frm.selected_workflow_action;
		if (action !== "Accept" && action !== "Reject") return;
		frappe.dom.unfreeze();
		if (action === "Accept") fo_accept(frm);
		else fo_reject(frm);
		return Promise.reject();
	},
});

// What the pages per role add to the board's case view: the coordinator's patient link (SMS or
// printout, patient-link.html). Room ready, porter requests and check-ins are in the rows' status.
"use strict";
window.ktCaseActions = function (c, me) {
  if (!me || me.role !== "coordinator") return "";
  const esc = s => String(s ?? "").replace(/[&<>"']/g, ch => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[ch]));
  return `<p class="case-actions"><a id="patient-link" href="patient-link.html#case=${encodeURIComponent(c.case_id)}" target="_blank" rel="noopener">${esc(t("bm_patient_link"))}</a></p>`;
};

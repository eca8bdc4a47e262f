// The week program: the live plan as a Gantt per location and room, a proposal (an optimiser
// job) compared with it, pins and removals, re-proposal and publication.
"use strict";
const G0 = 7 * 60, G1 = 18 * 60;  // the Gantt shows 07:00–18:00
const pos = m => Math.max(0, Math.min(100, (m - G0) / (G1 - G0) * 100));
const ws = { week: null, versionId: null, compare: null, selected: null, pinned: new Set(), removed: new Set() };
window.ktWorkspace = ws;

function gantt(view, proposal) {
  const byRoomDay = {};
  for (const e of view.entries) (byRoomDay[e.room_id + "|" + e.date] ||= []).push(e);
  const sessions = {};
  for (const s of view.sessions) sessions[s.room_id + "|" + s.date] = s;
  const days = [...new Set(view.sessions.map(s => s.date))].sort();
  let html = "";
  for (const loc of view.locations) {
    if (!loc.rooms.length) continue;
    html += `<div class="loc"><h2>${esc(loc.name)}</h2>`;
    for (const room of loc.rooms) {
      html += `<div class="wroom" data-room="${esc(room)}"><div class="wname">${esc(view.room_names?.[room] || room)}</div><div class="wdays">`;
      for (const day of days) {
        const s = sessions[room + "|" + day];
        let bars = "";
        if (s) bars += `<div class="sess" style="left:${pos(s.start_min)}%;width:${pos(s.end_min) - pos(s.start_min)}%"></div>`;
        for (const e of byRoomDay[room + "|" + day] || []) {
          const cls = ["case", e.late ? "late" : "", e.ready === false ? "notready" : "", e.told ? "told" : "",
            ws.pinned.has(e.case_id) ? "pinned" : "", ws.removed.has(e.case_id) ? "removed" : "",
            ws.selected === e.case_id ? "selected" : ""].join(" ");
          const title = `${e.case_id} · ${e.procedure_code || ""} · ${hhmm(e.start_min)}–${hhmm(e.end_min)} · ` +
            `${t("w_deadline")} ${e.deadline ? dayName(e.deadline) : "–"}` + (e.late ? ` · ${t("w_late")}` : "") +
            (e.ready === false ? ` · ${t("w_not_ready")}` : "");
          bars += `<div class="${cls}" data-case="${esc(e.case_id)}" title="${esc(title)}" ` +
            `style="left:${pos(e.start_min)}%;width:${Math.max(0.5, pos(e.end_min) - pos(e.start_min))}%;` +
            `background:${view.colours[e.specialty_id] || "#999"}"></div>`;
        }
        html += `<div class="wday"><span class="wlabel">${dayName(day)}</span><div class="wtl">${bars}</div></div>`;
      }
      html += `</div></div>`;
    }
    html += `</div>`;
  }
  $("#gantt").innerHTML = html;
  $("#gantt").dataset.mode = proposal ? "proposal" : "published";
  $("#legend").innerHTML = Object.entries(view.specialties).map(([id, name]) =>
    `<span class="lg" style="background:${view.colours[id]}"></span><span>${esc(name)}</span>`).join(" ") +
    ` <span class="lg late-lg"></span><span>${t("w_late")}</span> <span class="lg notready-lg"></span><span>${t("w_not_ready")}</span>`;
  if (proposal) $("#gantt").querySelectorAll(".case").forEach(el => el.addEventListener("click", () => select(el.dataset.case)));
}

function select(caseId) {
  ws.selected = caseId;
  $("#selected").textContent = t("w_selected", { c: caseId });
  gantt(ws.compare.week, true);
}

function kpiTable(k) {
  const names = ["planned_utilisation", "overrun_chance", "deadline_breaches", "mean_wait_days", "cases", "feasible"];
  const show = (name, v) => name === "feasible" ? (v ? "✓" : "✗") :
    ["planned_utilisation", "overrun_chance"].includes(name) ? `${fmt(v * 100, 1)} %` :
    ["deadline_breaches", "cases"].includes(name) ? fmt(v, 0) : fmt(v, 1);  // counts as integers
  return `<table id="kpis"><tr><th>${t("w_kpi")}</th><th>${t("w_current")}</th><th>${t("w_proposal")}</th></tr>` +
    names.map(n => `<tr data-kpi="${n}"><td>${t("k_" + n)}</td><td>${show(n, k.published[n])}</td><td>${show(n, k.proposal[n])}</td></tr>`).join("") +
    `</table>`;
}

// the proposal's sessions whose staffed hours could end earlier (a proposal, not applied)
function staffedFromNeed(rows) {
  if (!rows.length) return `<p id="staffed-from-need">${t("w_staffed_need")}: ${t("w_none")}</p>`;
  const minutes = rows.reduce((sum, r) => sum + r.minutes, 0);
  return `<details id="staffed-from-need"><summary>${t("w_staffed_need")}: ${rows.length} ${t("w_staffed_sessions")}, ` +
    `${fmt(minutes / 60, 0)} ${t("w_staffed_hours")}</summary><ul>` +
    rows.map(r => `<li data-session="${esc(r.session_id)}">${esc(r.date)} ${esc(r.room)}: ${hhmm(r.end_min)} → ${hhmm(r.proposed_end_min)}</li>`).join("") +
    `</ul></details>`;
}

function renderCompare(c) {
  const told = c.told_affected.length ? c.told_affected.map(esc).join(", ") : t("w_none");
  $("#compare").innerHTML = kpiTable(c.kpis) +
    `<p id="changes"><span data-n="moved">${t("w_moved")}: ${c.moved.length}</span> · ` +
    `<span data-n="added">${t("w_added")}: ${c.added.length}</span> · <span data-n="removed">${t("w_removed_n")}: ${c.removed.length}</span></p>` +
    `<p id="told">${t("w_told")}: ${told}</p>` + staffedFromNeed(c.staffed_from_need || []);
  $("#pins").hidden = false;
  $("#publish-form").hidden = false;
  $("#pin-list").innerHTML = [...ws.pinned].map(c => `<li>${esc(c)} (${t("w_pinned")})</li>`).join("") +
    [...ws.removed].map(c => `<li>${esc(c)} (${t("w_remove").toLowerCase()})</li>`).join("");
}

async function loadWeek() {
  const first = $("#first-day").value;
  ws.week = await api(`/api/workspace/week?first_day=${first}&days=5`);
  ws.versionId = null; ws.compare = null; ws.pinned.clear(); ws.removed.clear(); ws.selected = null;
  gantt(ws.week, false);
  document.body.dataset.ready = "true";
}

async function propose(extra = {}) {
  $("#progress").hidden = false;
  const job = await api("/api/jobs", { method: "POST", body: JSON.stringify({
    kind: "optimise", first_day: $("#first-day").value, days: 5,
    time_limit_s: Number(new URLSearchParams(location.search).get("limit") || 30), ...extra }) });
  const done = await followJob(job, j => {
    $("#progress progress").value = j.progress;
    $("#progress-text").textContent = t("w_running", { m: t("w_state_" + j.status), p: Math.round(j.progress * 100) });
  });
  if (done.status !== "done") { $("#error").textContent = t("w_job_failed", { e: done.error || done.status }); return; }
  ws.versionId = done.result_version_id;
  ws.compare = await api(`/api/programs/versions/${ws.versionId}/compare`);
  gantt(ws.compare.week, true);
  renderCompare(ws.compare);
  document.body.dataset.version = String(ws.versionId);
}

function start() {
  if (!$("#first-day").value) $("#first-day").value = new URLSearchParams(location.search).get("week") || nextMonday();
  loadWeek().catch(() => {});
}

$("#load").addEventListener("click", () => loadWeek());
$("#propose").addEventListener("click", () => propose());
$("#pin").addEventListener("click", () => { if (ws.selected) { ws.removed.delete(ws.selected); ws.pinned.add(ws.selected); renderCompare(ws.compare); gantt(ws.compare.week, true); } });
$("#remove").addEventListener("click", () => { if (ws.selected) { ws.pinned.delete(ws.selected); ws.removed.add(ws.selected); renderCompare(ws.compare); gantt(ws.compare.week, true); } });
$("#repropose").addEventListener("click", () => propose({ base_version_id: ws.versionId, pinned: [...ws.pinned], removed: [...ws.removed] }));
$("#publish-form").addEventListener("submit", async ev => {
  ev.preventDefault();
  const why = new FormData(ev.target).get("why");
  const done = await api(`/api/programs/versions/${ws.versionId}/publish`, { method: "POST", body: JSON.stringify({ why }) });
  $("#published").textContent = t("w_published", { v: done.id });
  document.body.dataset.published = String(done.id);
  await loadWeek();
});
workspaceStart(start);

// Local planning rules: the coordinator edits the rule file, tries it (the effect on next
// week's proposal per location; a wrong key or value is named), and saves it with why; the
// leader sees side by side where the locations differ, and each specialty's targets.
"use strict";

function renderRules(view) {
  const locs = view.locations;
  $("#differences").innerHTML = view.differences.length ? `<table class="grid" id="diff-table"><tr><th>${t("w_specialty")}</th>` +
    locs.map(l => `<th>${esc(l)}</th>`).join("") + `</tr>` +
    view.differences.map(d => `<tr data-specialty="${esc(d.specialty)}"><td>${esc(d.specialty)}</td>` +
      locs.map(l => `<td>${(d.locations[l] || []).map(esc).join("<br>") || "–"}</td>`).join("") + `</tr>`).join("") + `</table>`
    : `<p>${t("w_none")}</p>`;
  const targets = Object.entries(view.targets || {});
  $("#targets").innerHTML = targets.length ? `<table class="grid"><tr><th>${t("w_specialty")}</th><th>${t("k_planned_utilisation")}</th><th>${t("w_activity")}</th></tr>` +
    targets.map(([s, v]) => `<tr><td>${esc(s)}</td><td>${v.utilisation == null ? "–" : fmt(v.utilisation * 100, 0) + " %"}</td>` +
      `<td>${v.activity == null ? "–" : fmt(v.activity, 0)}</td></tr>`).join("") + `</table>` : `<p>${t("w_none")}</p>`;
}

function renderEffect(effect) {
  if (!effect) { $("#effect").innerHTML = `<p>${t("w_no_proposal")}</p>`; return; }
  const rows = Object.entries(effect.per_location);
  $("#effect").innerHTML = `<table class="grid" id="effect-table"><tr><th>${t("w_location")}</th><th>${t("w_in_force")}</th><th>${t("w_edited")}</th></tr>` +
    (rows.length ? rows.map(([l, n]) => `<tr data-location="${esc(l)}"><td>${esc(l)}</td><td>${n.in_force}</td><td>${n.edited}</td></tr>`).join("")
      : `<tr><td colspan="3">${t("w_none")}</td></tr>`) + `</table>` +
    `<ul>` + effect.breaches.slice(0, 30).map(b => `<li>${esc(b.detail)}</li>`).join("") + `</ul>`;
}

async function load() {
  const view = await api(`/api/workspace/rules?lang=${ktLang()}`);
  if (!$("#text").value) $("#text").value = view.text;
  $("#in-force").textContent = view.version ? t("w_rules_version", { v: view.version }) : t("w_rules_shipped");
  renderRules(view);
  document.body.dataset.ready = "true";
}

$("#preview").addEventListener("click", async () => {
  const seen = await api(`/api/workspace/rules/preview?lang=${ktLang()}`, { method: "POST", body: JSON.stringify({ text: $("#text").value }) });
  renderRules(seen); renderEffect(seen.effect);
  document.body.dataset.previewed = "true";
});
// a new proposal under the draft (an optimise job; the draft is not saved), compared with the
// live plan per location: cases moved, added and taken out where the draft would change them
$("#propose-draft").addEventListener("click", async () => {
  const limit = Number(new URLSearchParams(location.search).get("limit") || 30);
  const job = await api("/api/jobs", { method: "POST", body: JSON.stringify({ kind: "optimise",
    first_day: nextMonday(), days: 5, time_limit_s: limit, rules_text: $("#text").value }) });
  const done = await followJob(job, now => { $("#draft-proposal").textContent = `${fmt((now.progress || 0) * 100, 0)} %`; });
  if (done.status !== "done") { $("#draft-proposal").textContent = done.error || done.status; return; }
  const seen = await api(`/api/programs/versions/${done.result_version_id}/compare`);
  const where = {};
  seen.week.locations.forEach(l => l.rooms.forEach(r => { where[r] = l.id; }));
  const count = {};
  const add = (room, k) => { const l = where[room] || "-"; (count[l] ||= [0, 0, 0])[k] += 1; };
  seen.moved.forEach(m => add(m.to.room_id, 0)); seen.added.forEach(a => add(a.to.room_id, 1));
  seen.removed.forEach(r => add(r.from.room_id, 2));
  $("#draft-proposal").innerHTML = `<p>${t("w_draft_vs_published")}</p><table class="grid" id="draft-table">` +
    `<tr><th>${t("w_location")}</th><th>↔</th><th>+</th><th>−</th></tr>` +
    Object.entries(count).map(([l, n]) => `<tr data-location="${esc(l)}"><td>${esc(l)}</td><td>${n[0]}</td><td>${n[1]}</td><td>${n[2]}</td></tr>`).join("") +
    `</table><p><a href="program.html?week=${esc(seen.week.first_day)}">${t("w_program")}</a></p>`;
  document.body.dataset.draftProposed = String(done.result_version_id);
});
$("#save-form").addEventListener("submit", async ev => {
  ev.preventDefault();
  const why = new FormData(ev.target).get("why");
  const saved = await api("/api/workspace/rules", { method: "PUT", body: JSON.stringify({ text: $("#text").value, why }) });
  $("#in-force").textContent = t("w_rules_version", { v: saved.version });
  document.body.dataset.saved = String(saved.version);
});
workspaceStart(() => { load().catch(() => {}); });

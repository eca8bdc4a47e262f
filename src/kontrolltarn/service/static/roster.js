// The unit leader's roster (desktop): the unit's roster per person and day, coverage per shift,
// every breach the checker finds; publish a draft (refused while it breaks a rule); approve or
// refuse staff requests (the server checks an approval again).
"use strict";
let unit = null;

function grid(view) {
  const head = `<tr><th class="person">${esc(t("ro_person"))}</th>${view.days.map((d, i) =>
    `<th class="${i % 7 >= 5 ? "weekend" : ""}" title="${esc(ktDate(d))}">${esc(ktWeekday(i).slice(0, 2))}<br>${d.slice(8)}</th>`).join("")}</tr>`;
  const broken = new Set(view.breaches.map(b => b.person_id));
  const rows = view.people.map(p => `<tr class="${broken.has(p.id) ? "breach" : ""}" data-person="${esc(p.id)}">
    <th class="person">${esc(p.name)}</th>${view.days.map((d, i) => {
      const s = ((view.shifts[p.id] || {})[d] || []).map(x => x.code).join("");
      return `<td class="${esc(s)}${i % 7 >= 5 ? " weekend" : ""}" data-day="${d}">${esc(s)}</td>`; }).join("")}</tr>`).join("");
  return head + rows;
}

function coverage(view) {
  const slots = {};
  for (const c of view.coverage) {
    const key = `${c.role} ${c.shift || c.start}`;
    (slots[key] = slots[key] || {})[c.day] = (slots[key][c.day] || []).concat([c]);
  }
  const head = `<tr><th class="person"></th>${view.days.map(d => `<th>${d.slice(8)}</th>`).join("")}</tr>`;
  return head + Object.keys(slots).sort().map(key => `<tr><th class="person">${esc(key)}</th>${view.days.map(d => {
    const cs = slots[key][d] || [];
    const want = cs.reduce((a, c) => a + c.demanded, 0), have = Math.min(...cs.map(c => c.present).concat([99]));
    return cs.length ? `<td class="${have < want ? "short" : ""}" title="${have}/${want}">${have}/${want}</td>` : "<td></td>";
  }).join("")}</tr>`).join("");
}

function requestCard(r) {
  const broken = r.breaches.length ? `<ul class="breaches">${r.breaches.map(b => `<li>${esc(ktBreach(b))}</li>`).join("")}</ul>` : "";
  const actions = r.state === "asked" ? `<div class="actions">
      <button type="button" data-id="${r.id}" data-accept="true">${esc(t("ro_approve"))}</button>
      <button type="button" class="secondary" data-id="${r.id}" data-accept="false">${esc(t("ro_refuse"))}</button></div>` : "";
  const other = r.colleague_id ? " " + t("ro_with", { who: r.colleague_id, day: ktDay(r.colleague_day || r.day) }) : "";
  return `<li class="card" data-request="${r.id}" data-state="${esc(r.state)}">
    <div class="row"><span class="big">${esc(t("ro_asked_by", { who: r.person_id, kind: t("k_" + r.kind), day: ktDay(r.day) }))}</span>
    <span class="chip ${esc(r.state)}">${esc(t("state_" + r.state))}</span></div>
    <div class="dim">${esc(other)}</div>${broken}<p class="answer error"></p>${actions}</li>`;
}

async function show(version) {
  const me = await api("/api/rosters/me");
  unit = me.unit_id;
  $("#unit").textContent = t("ro_unit", { unit });
  const res = await fetch(`/api/rosters/${encodeURIComponent(unit)}${version ? "?version=" + version : ""}`, { credentials: "same-origin" });
  if (res.status === 404) { say("ro_none"); return; }
  const view = await res.json();
  $("#version").innerHTML = view.versions.map(v => `<option value="${v.id}"${v.id === view.id ? " selected" : ""}>${v.id} · ${esc(t("ro_status_" + v.status))} · ${esc(ktDay(v.first_day))}</option>`).join("");
  $("#publish").disabled = view.status !== "draft";
  $("#grid").innerHTML = grid(view);
  $("#coverage").innerHTML = coverage(view);
  $("#breaches").innerHTML = view.breaches.length ? view.breaches.map(b => `<li data-rule="${esc(b.rule)}">${esc(ktBreach(b))}</li>`).join("")
    : `<li class="empty">${esc(t("ro_no_breaches"))}</li>`;
  const { requests } = await api("/api/staff/requests");
  $("#requests").innerHTML = requests.map(requestCard).join("") || `<li class="empty">${esc(t("st_none_req"))}</li>`;
}

$("#version").addEventListener("change", () => show($("#version").value));
$("#publish").addEventListener("click", async () => {
  const { status, body } = await postAnswer(`/api/rosters/versions/${$("#version").value}/publish`, { why: $("#why").value || t("ro_publish") });
  if (status === 422 && body.detail.breaches) { say("ro_not_published", { n: body.detail.breaches.length }, true); return; }
  if (status !== 200) { say(null); $("#status").textContent = JSON.stringify(body.detail); return; }
  await show(); say("ro_published");
});
$("#upload").addEventListener("change", async ev => {
  const file = ev.target.files[0]; if (!file) return;
  const roster = JSON.parse(await file.text());
  const { status, body } = await postAnswer(`/api/rosters/${encodeURIComponent(unit)}`, { roster, why: file.name });
  if (status !== 201) { $("#status").textContent = JSON.stringify(body.detail); return; }
  await show(body.id);
});
$("#requests").addEventListener("click", async ev => {
  const b = ev.target.closest("button[data-id]"); if (!b) return;
  const accept = b.dataset.accept === "true";
  const { status, body } = await postAnswer(`/api/staff/requests/${b.dataset.id}/decision`,
    { accept, why: $("#why").value || (accept ? t("ro_approve") : t("ro_refused_why")) });
  const card = b.closest(".card");
  if (status === 409 && body.detail.breaches) {
    card.querySelector(".answer").textContent = t("ro_cannot", { rules: [...new Set(body.detail.breaches.map(x => t("r_" + x.rule)))].join(", ") });
    return;
  }
  await show();
  say(accept ? "ro_approved" : null);
});

// new requests show within half a minute without reloading (the chosen version stays)
rolePage(async () => { await show(); if (!window.ktPoll) window.ktPoll = setInterval(() => show($("#version").value), 30000); });

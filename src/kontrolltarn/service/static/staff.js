// A staff member's own page (phone first): my shifts in the unit's published roster, a request
// (swap with a named colleague, absence, wish) answered at once by the rule checker, my requests.
"use strict";
let mine = null;

function shiftCards(view) {
  const days = Object.keys(view.shifts[view.person_id] || {}).sort();
  if (!days.length) return `<li class="empty">${esc(t("st_none"))}</li>`;
  return days.map(d => view.shifts[view.person_id][d].map(s => `<li class="card shift" data-day="${d}">
    <div class="row"><span class="big">${esc(ktDate(d))}</span><span class="chip">${esc(s.code)}</span></div>
    <div>${esc(s.start)}–${esc(s.end)}</div></li>`).join("")).join("");
}

function requestCard(r) {
  const who = r.colleague_id ? " · " + t("ro_with", { who: r.colleague_id, day: ktDay(r.colleague_day || r.day) }) : "";
  const broken = r.breaches.length ? `<ul class="breaches">${r.breaches.map(b => `<li>${esc(ktBreach(b))}</li>`).join("")}</ul>` : "";
  return `<li class="card" data-request="${r.id}" data-state="${esc(r.state)}">
    <div class="row"><span class="big">${esc(t("k_" + r.kind))}</span><span class="chip ${esc(r.state)}">${esc(t("state_" + r.state))}</span></div>
    <div>${esc(ktDay(r.day))}${r.until ? "–" + esc(ktDay(r.until)) : ""}${esc(who)}</div>${broken}
    ${r.why ? `<div class="dim">«${esc(r.why)}»</div>` : ""}</li>`;
}

async function show() {
  const res = await fetch("/api/staff/shifts", { credentials: "same-origin" });
  if (res.status === 401) { showLogin(); return; }
  if (res.status === 404) { say("st_no_roster"); $("#shifts").innerHTML = ""; return; }
  mine = await res.json();
  $("#shifts").innerHTML = shiftCards(mine);
  $("#colleague").innerHTML = mine.colleagues.map(c => `<option value="${esc(c.id)}">${esc(c.name)}</option>`).join("");
  for (const id of ["day", "colleague-day", "until"]) { $("#" + id).min = mine.days[0]; $("#" + id).max = mine.days[mine.days.length - 1]; }
  const { requests } = await api("/api/staff/requests");
  $("#requests").innerHTML = requests.length ? requests.map(requestCard).join("") : `<li class="empty">${esc(t("st_none_req"))}</li>`;
}

function kindChanged() {
  const kind = $("#kind").value;
  document.querySelectorAll(".for-swap").forEach(e => { e.hidden = kind !== "swap"; });
  document.querySelectorAll(".for-range").forEach(e => { e.hidden = kind === "swap"; });
}

$("#kind").addEventListener("change", kindChanged);
$("#ask").addEventListener("submit", async ev => {
  ev.preventDefault();
  const f = new FormData(ev.target);
  const kind = f.get("kind");
  const body = { kind, day: f.get("day") };
  if (kind === "swap") { body.colleague_id = f.get("colleague_id"); if (f.get("colleague_day")) body.colleague_day = f.get("colleague_day"); }
  else if (f.get("until")) body.until = f.get("until");
  const { status, body: reply } = await postAnswer("/api/staff/requests", body);
  const answer = $("#answer");
  if (status !== 201) {
    const detail = Array.isArray(reply.detail) ? reply.detail.map(d => `${d.loc.slice(-1)[0]}: ${d.msg}`).join("; ") : reply.detail;
    answer.className = "card error"; answer.textContent = detail; return;
  }
  answer.className = reply.ok ? "card ready" : "card error";
  answer.innerHTML = reply.ok ? esc(t("st_ok"))
    : `<p>${esc(t("st_broken"))}</p><ul class="breaches">${reply.breaches.map(b => `<li data-rule="${esc(b.rule)}">${esc(ktBreach(b))}</li>`).join("")}</ul>`;
  await show();
});

// a leader's decision shows within half a minute without reloading
rolePage(async () => { kindChanged(); await show(); if (!window.ktPoll) window.ktPoll = setInterval(show, 30000); });

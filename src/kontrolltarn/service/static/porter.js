// The porter's queue (phone first): every request not yet delivered, oldest first; take one,
// report the patient picked up, then delivered. Each step shows on the board at once.
"use strict";
// the next step of a request in each status: the button's text and the status it sets
const NEXT = { open: ["po_do_accept", "acknowledged"], acknowledged: ["po_do_pick_up", "picked_up"], picked_up: ["po_do_deliver", "done"] };

function requestCard(r, me) {
  const mine = r.status !== "open" && r.updated_by === me.username;
  const [label, next] = NEXT[r.status] || [];
  const taken = r.status !== "open" && !mine ? `<div class="dim">${esc(t("po_taken_by", { who: r.updated_by }))}</div>` : "";
  return `<li class="card${mine ? " mine" : ""}" data-request="${r.id}" data-status="${esc(r.status)}">
    <div class="row"><span class="big">${esc(r.room_name)}</span><span class="chip ${esc(r.status)}">${esc(t("po_" + r.status))}</span></div>
    <div class="dim">${esc(r.location_name || "")}</div>
    <div>${r.case_id ? esc(t("po_case", { case: r.case_id })) : ""}${r.procedure ? " · " + esc(r.procedure) : ""}</div>
    <div class="dim">${esc(t("po_asked", { time: ktTime(r.created_at), who: r.created_by }))}${r.planned_start_min != null ? " · " + esc(t("po_planned", { time: hhmm(r.planned_start_min) })) : ""}</div>
    ${taken}
    ${next && (r.status === "open" || mine || me.role === "coordinator") ? `<div class="actions"><button type="button" data-id="${r.id}" data-next="${next}">${esc(t(label))}</button></div>` : ""}
  </li>`;
}

async function showQueue(me) {
  const { requests } = await api("/api/porter-requests");
  // mine first (what I am doing), then the open ones, oldest first
  const rank = r => (r.status !== "open" && r.updated_by === me.username ? 0 : r.status === "open" ? 1 : 2);
  requests.sort((a, b) => rank(a) - rank(b) || a.id - b.id);
  $("#requests").innerHTML = requests.length ? requests.map(r => requestCard(r, me)).join("")
    : `<li class="empty">${esc(t("po_none"))}</li>`;
}

$("#requests").addEventListener("click", async ev => {
  const btn = ev.target.closest("button[data-next]"); if (!btn) return;
  btn.disabled = true;
  try {
    const r = await api(`/api/porter-requests/${btn.dataset.id}`, { method: "PATCH", body: JSON.stringify({ status: btn.dataset.next }) });
    say("po_done_" + r.status, { room: r.room_name });
  } catch (e) { say("failed", {}, true); }
  await showQueue(ktPage.me);
});

rolePage(async (me, relanguage) => {
  await showQueue(me);
  if (!relanguage) live({ logistics: () => showQueue(me) });
});

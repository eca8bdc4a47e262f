// The nurse's room (phone first): the room's cases of the day, "room ready" and porter requests.
// Both show on the board at once (room ready as the room's state, the request beside its case).
"use strict";
const nurse = { room: null, data: null };

async function showRoom() {
  if (!nurse.room) return;
  const data = nurse.data = await api(`/api/worklist?room_id=${encodeURIComponent(nurse.room)}`);
  const ready = data.ready_min[nurse.room];
  $("#readiness").innerHTML = ready != null
    ? `<p class="ready" data-ready="true">${esc(t("nu_is_ready", { time: hhmm(ready) }))}</p>`
    : `<p class="notready" data-ready="false">${esc(t("nu_not_ready"))}</p>`;
  // a room with a patient in it is not ready: the button waits until the patient is out
  $("#ready").disabled = data.cases.some(c => c.phase === "in_room");
  $("#cases").innerHTML = data.cases.length ? data.cases.map(c => caseCard(c, { room: false,
    extra: c.phase === "waiting" && !c.porter ? `<div class="actions"><button type="button" class="secondary" data-porter="${esc(c.case_id)}">${esc(t("nu_porter"))}</button></div>` : "" })).join("")
    : `<li class="empty">${esc(t("nu_no_cases"))}</li>`;
}

$("#room").addEventListener("change", () => {
  nurse.room = $("#room").value;
  localStorage.setItem("kt_nurse_room", nurse.room); say(); showRoom();
});

$("#ready").addEventListener("click", async () => {
  $("#ready").disabled = true;
  try {
    const r = await api(`/api/rooms/${encodeURIComponent(nurse.room)}/ready`, { method: "POST" });
    say("nu_reported", { time: ktTime(r.ready_at) });
    await showRoom();
  } catch (e) { say("failed", {}, true); $("#ready").disabled = false; }
});

$("#cases").addEventListener("click", async ev => {
  const btn = ev.target.closest("button[data-porter]"); if (!btn) return;
  btn.disabled = true;
  try {
    await api("/api/porter-requests", { method: "POST", body: JSON.stringify({ room_id: nurse.room, case_id: btn.dataset.porter }) });
    say("nu_porter_asked", { case: btn.dataset.porter });
  } catch (e) { say("failed", {}, true); }
  await showRoom();
});

rolePage(async (me, relanguage) => {
  if (!relanguage) {
    const choices = await api("/api/worklist");
    $("#room").innerHTML = roomChoices(choices.rooms);
    const kept = localStorage.getItem("kt_nurse_room");
    nurse.room = choices.rooms.some(r => r.id === kept) ? kept : choices.rooms[0]?.id;
    $("#room").value = nurse.room;
    liveRooms(() => new Set([nurse.room]), showRoom);
  }
  await showRoom();
});

// The coordinator makes a patient's one-time link from the case view (patient-link.html#case=ID)
// and gives it as an SMS or a printed letter. The link opens the patient page once; the page
// then stays open on that phone for 24 hours.
"use strict";
const link = { caseId: new URLSearchParams(location.hash.slice(1)).get("case"), plan: null, made: null };

function texts() {
  const m = link.made, p = link.plan;
  const values = { day: ktDate(p.day), time: hhmm(p.start_min), url: location.origin + m.url,
                   until: `${ktDay(m.expires_at)} ${ktTime(m.expires_at)}` };
  return { sms: t("pl_sms_text", values), letter: t("pl_letter_text", values) };
}

function showTexts() {
  if (!link.made) return;
  const { sms, letter } = texts();
  $("#sms").value = sms;
  $("#smsapp").href = "sms:?&body=" + encodeURIComponent(sms);
  $("#letter").textContent = letter;
  $("#made").hidden = false;
}

$("#make").addEventListener("submit", async ev => {
  ev.preventDefault();
  try {
    link.made = await api(`/api/cases/${encodeURIComponent(link.caseId)}/patient-link`, { method: "POST", body: JSON.stringify({ hours_valid: Number($("#hours").value) }) });
    // a link that ends before the operation's day is no use to the patient: say so
    const osloDay = new Intl.DateTimeFormat("en-CA", { timeZone: KT_TZ }).format(new Date(link.made.expires_at));
    const early = osloDay < link.plan.day;  // both YYYY-MM-DD
    say(early ? "pl_too_short" : "pl_made", {}, early); showTexts();
  } catch (e) { say("failed", {}, true); }
});
$("#copy").addEventListener("click", async () => {
  try { await navigator.clipboard.writeText($("#sms").value); say("pl_copied"); }
  catch (e) { $("#sms").select(); say("pl_copy_by_hand"); }
});
$("#print").addEventListener("click", () => window.print());

rolePage(async (me, relanguage) => {
  if (!link.caseId) { say("pl_no_case", {}, true); $("#make").hidden = true; return; }
  if (!relanguage) {
    const c = await api(`/api/cases/${encodeURIComponent(link.caseId)}`);
    link.plan = { day: c.plan.day, start_min: c.plan.start_min, room_id: c.plan.room_id };
    link.procedure = c.procedure?.name || "";
  }
  $("#case").textContent = t("pl_case", { case: link.caseId, day: ktDate(link.plan.day), time: hhmm(link.plan.start_min) });
  showTexts();
});

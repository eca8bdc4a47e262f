// Norwegian bokmål by default, English on request. Keys are used by board.js and patient.js.
window.KT_TEXT = {
  nb: {
    logout: "Logg ut", alerts: "Varsler", suggestions: "Forslag", audit: "Revisjonslogg",
    planned: "planlagt", actual: "faktisk", predicted: "prognose", now: "nå",
    username: "Brukernavn", password: "Passord", login: "Logg inn", close: "Lukk",
    why: "Begrunnelse", accept: "Godta", reject: "Avvis", switch: "English",
    closed: "stengt", s_cancel: "stryk", released: "frigitt", end: "slutt", overtime: "overtid",
    data_age: "Data {s} s gammel", no_data: "Ingen data ennå",
    quiet: "Ingen hendelser på {s} s – sjekk datastrømmen før du stoler på tavla",
    lost: "Forbindelsen til tjeneren er brutt – tavla oppdateres ikke",
    db_down: "Databasen svarer ikke – ingenting lagres, og endringer fra andre kan mangle på tavla",
    no_alerts: "Ingen varsler", no_suggestions: "Ingen forslag nå", wrong_login: "Feil brukernavn eller passord",
    a_overtime: "{room}: {p} % risiko for mer enn 30 min overtid",
    a_late_cancellation: "{room}: {case} {p} % risiko for sen strykning",
    a_late_start: "{room}: ikke startet, {m} min forsinket",
    s_move_case: "Flytt {case} til {to}", s_change_order: "Ta {first} før {then}",
    s_call_next: "Hent {case} nå", s_release_session: "Frigi resten av økta på {room}",
    s_cancel_early: "Stryk {case} nå i stedet for sent",
    e_room_overtime_risk: "overtidsrisiko på stua", e_target_overtime_risk: "overtidsrisiko på målstua",
    e_expected_overtime_min: "forventet overtid (min)", e_case_cancel_risk: "strykningsrisiko",
    e_other_cancel_risk: "strykningsrisiko for den andre", e_idle_min_saved: "spart ventetid (min)",
    e_released_min: "frigitte minutter", e_notice_hours_gained: "timer tidligere beskjed",
    e_expected_start_min: "forventet start",
    phase_waiting: "venter", phase_called: "hentes", phase_arrived: "ankommet", phase_in_room: "på stua",
    phase_done: "ferdig", phase_cancelled: "strøket",
    m_called: "hentet", m_arrived: "ankommet", m_in_room: "inn på stue", m_anaesthesia_start: "anestesi",
    m_incision: "snitt", m_closure: "lukking", m_out_of_room: "ut av stue",
    readiness: "Klar til operasjon", note_facts: "Fra journalnotat", changes: "Endringer",
    booking: "Bookinghistorikk", milestones: "Milepæler", patient: "Pasient", procedure: "Inngrep",
    remaining: "Gjenstår på stue", median: "median", cancel_model: "Strykningsrisiko (modell) og hvorfor",
    forecast: "Prognose", version: "versjon", risk: "risiko", start: "start",
    r_procedure: "inngrep beskrevet", r_equipment: "utstyr spesifisert", r_preop_assessment: "preoperativ vurdering",
    r_bed_need: "sengebehov avklart", r_consent: "samtykke",
    decided: "{who} {what} «{why}»", accepted: "godtok", rejected: "avviste",
    p_title: "Din operasjon i dag", p_planned: "Planlagt tid", p_expected: "Forventet tid",
    p_delay: "Det er forsinkelser: forventet {m} min senere enn planlagt. Vi beklager.",
    p_checkin: "Sjekk inn", p_checked: "Du er sjekket inn", p_invalid: "Lenken er ugyldig, utløpt eller allerede brukt.",
    p_status: "Status", p_cancelled: "Operasjonen er avlyst i dag. Du blir kontaktet."
  },
  en: {
    logout: "Log out", alerts: "Alerts", suggestions: "Suggestions", audit: "Audit log",
    planned: "planned", actual: "actual", predicted: "forecast", now: "now",
    username: "Username", password: "Password", login: "Log in", close: "Close",
    why: "Reason", accept: "Accept", reject: "Reject", switch: "Norsk",
    closed: "closed", s_cancel: "cancel", released: "released", end: "end", overtime: "overtime",
    data_age: "Data {s} s old", no_data: "No data yet",
    quiet: "No events for {s} s – check the feed before trusting the board",
    lost: "Connection to the server lost – the board is not updating",
    db_down: "The database is not answering – nothing is being saved, and others' changes may be missing from the board",
    no_alerts: "No alerts", no_suggestions: "No suggestions now", wrong_login: "Wrong username or password",
    a_overtime: "{room}: {p} % risk of more than 30 min overtime",
    a_late_cancellation: "{room}: {case} {p} % risk of late cancellation",
    a_late_start: "{room}: not started, {m} min late",
    s_move_case: "Move {case} to {to}", s_change_order: "Take {first} before {then}",
    s_call_next: "Call {case} now", s_release_session: "Release the rest of the session in {room}",
    s_cancel_early: "Cancel {case} now rather than late",
    e_room_overtime_risk: "room overtime risk", e_target_overtime_risk: "target room overtime risk",
    e_expected_overtime_min: "expected overtime (min)", e_case_cancel_risk: "cancellation risk",
    e_other_cancel_risk: "other case's cancellation risk", e_idle_min_saved: "idle minutes saved",
    e_released_min: "minutes released", e_notice_hours_gained: "hours more notice",
    e_expected_start_min: "expected start",
    phase_waiting: "waiting", phase_called: "called", phase_arrived: "arrived", phase_in_room: "in room",
    phase_done: "done", phase_cancelled: "cancelled",
    m_called: "called", m_arrived: "arrived", m_in_room: "in room", m_anaesthesia_start: "anaesthesia",
    m_incision: "incision", m_closure: "closure", m_out_of_room: "out of room",
    readiness: "Readiness", note_facts: "From the notes", changes: "Changes",
    booking: "Booking history", milestones: "Milestones", patient: "Patient", procedure: "Procedure",
    remaining: "Time left in room", median: "median", cancel_model: "Cancellation risk (model) and why",
    forecast: "Forecast", version: "version", risk: "risk", start: "start",
    r_procedure: "procedure described", r_equipment: "equipment specified", r_preop_assessment: "pre-op assessment",
    r_bed_need: "bed need settled", r_consent: "consent",
    decided: "{who} {what} “{why}”", accepted: "accepted", rejected: "rejected",
    p_title: "Your operation today", p_planned: "Planned time", p_expected: "Expected time",
    p_delay: "There are delays: expected {m} min later than planned. We are sorry.",
    p_checkin: "Check in", p_checked: "You are checked in", p_invalid: "The link is invalid, expired or already used.",
    p_status: "Status", p_cancelled: "The operation is cancelled today. You will be contacted."
  }
};
window.ktLang = function () { return localStorage.getItem("kt_lang") || "nb"; };
window.t = function (key, params) {
  const table = window.KT_TEXT[window.ktLang()] || window.KT_TEXT.nb;
  let text = table[key] !== undefined ? table[key] : (window.KT_TEXT.nb[key] || key);
  for (const [k, v] of Object.entries(params || {})) text = text.split("{" + k + "}").join(String(v));
  return text;
};
window.applyStaticText = function () {
  document.documentElement.lang = window.ktLang();
  document.querySelectorAll("[data-i18n]").forEach(el => { el.textContent = window.t(el.dataset.i18n); });
};

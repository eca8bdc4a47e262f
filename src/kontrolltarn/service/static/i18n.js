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
    e_expected_start_min: "forventet start", e_benefit_min: "gevinst (min)",
    e_case_priority: "prioritet", e_case_deadline: "frist",
    e_other_priority: "den andres prioritet", e_other_deadline: "den andres frist",
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
    e_expected_start_min: "expected start", e_benefit_min: "gain (min)",
    e_case_priority: "priority", e_case_deadline: "deadline",
    e_other_priority: "other patient's priority", e_other_deadline: "other patient's deadline",
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
// The login dialog of every staff page: the page's <dialog id="login">, written here the first
// time it is asked for (one markup, so the pages cannot drift apart); its words follow
// applyStaticText like the rest of the page.
window.ktLoginDialog = function () {
  let dialog = document.querySelector("dialog#login");
  if (dialog) return dialog;
  dialog = document.createElement("dialog");
  dialog.id = "login";
  dialog.setAttribute("aria-labelledby", "login-title");
  dialog.innerHTML = `<form id="login-form" method="dialog">
    <h2 id="login-title">Kontrolltårn</h2>
    <label><span data-i18n="username">Brukernavn</span> <input name="username" autocomplete="username" required></label>
    <label><span data-i18n="password">Passord</span> <input name="password" type="password" autocomplete="current-password" required></label>
    <p id="login-error" class="error" role="alert"></p>
    <button type="submit" data-i18n="login">Logg inn</button></form>`;
  document.body.appendChild(dialog);
  return dialog;
};
// Every page's login form posts here: the reply ({token, role, home}), or null once the
// form's #login-error says why (one place, so every page words a refusal the same way).
window.ktLogin = async function (formElement) {
  const form = new FormData(formElement);
  const res = await fetch("/api/auth/login", { method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: form.get("username"), password: form.get("password") }) });
  if (!res.ok) { document.querySelector("#login-error").textContent = window.t("wrong_login"); return null; }
  return res.json();
};

// The wall board's words (issue 19), kept in one block so that other pages' keys merge cleanly.
Object.assign(window.KT_TEXT.nb, {
  by_system: "systemet", why_initial: "første program", why_version: "programversjon {n}: {why}",
  why_repair: "omplanlegging {n}: {why}", why_job: "planleggingsjobb {n}", why_imported: "importert fra {source}",
  k_move_case: "flytting", k_change_order: "ny rekkefølge", k_call_next: "hent neste", k_release_session: "frigitt økt",
  k_cancel_early: "tidlig strykning",
  cap_weekday: "ukedag (0 = mandag)", cap_extra_rooms: "+ stuer", cap_factor: "andel", cap_weeks: "uker",
  c_planned: "Planlagt", st_anaesthesia_start: "anestesi",
  side: "Varsler og forslag", p_page_title: "Kontrolltårn – pasient",
  locations: "Lokasjoner", board: "Tavle", st_in_room: "på stua", st_ready: "stua klar",
  st_porter_open: "portør bestilt", st_porter_acknowledged: "portør kommer", st_porter_picked_up: "på vei",
  st_checked_in: "sjekket inn", free: "ledig", status: "status", late: "± min",
  late_title: "Minutter etter (+) eller foran (−) planen for saken på stua",
  end_title: "Stua ferdig (median) – 10–90 %: {p10}–{p90}; bemannet til {staffed}; {p} risiko for mer enn 30 min overtid",
  staffed_end: "bemannet til", continued: "{name} (forts.)", open_rooms: "{open} av {total} i drift",
  priority: "prioritet", age_years: "{n} år", sex_F: "kvinne", sex_M: "mann", sex_U: "ukjent kjønn",
  case_no: "sak {n} på stua",
  role_coordinator: "koordinator", role_surgeon: "kirurg", role_or_nurse: "operasjonssykepleier",
  role_anaesthesia: "anestesi", role_porter: "portør", role_leader: "leder", role_patient: "pasient",
  role_feed: "datastrøm", role_cli: "kommandolinje",
  act_case_read: "leste sak", act_case_told: "ga pasienten dato", act_case_change: "endret sak",
  act_hospital_seed: "la inn sykehuset", act_import_accept: "godtok import", act_import_reject: "avviste import",
  act_job_cancel: "stoppet jobb", act_job_start: "startet jobb", act_login: "logget inn",
  act_login_failed: "mislykket innlogging", act_login_locked: "innlogging sperret", act_login_refused: "innlogging avvist",
  act_logout: "logget ut", act_patient_checkin: "pasienten sjekket inn", act_patient_view: "pasienten så siden",
  act_patient_link_create: "lagde pasientlenke", act_patient_link_open: "pasientlenke åpnet",
  act_program_publish: "publiserte program", act_referral_list: "så henvisninger", act_referral_read: "leste henvisning",
  act_suggestion_accept: "godtok forslag", act_suggestion_reject: "avviste forslag",
  act_suggestion_refresh: "nye forslag", act_suggestion_refused: "forslag ikke gjennomført",
  act_user_create: "opprettet bruker", act_user_disable: "sperret bruker", act_user_password: "byttet passord",
  act_user_replace: "erstattet bruker", act_user_role: "endret rolle", act_events_post: "sendte hendelser",
  act_room_ready: "stua klar", act_room_ready_request: "meldte stua klar", act_porter_request: "bestilte portør", act_porter_open: "bestilte portør",
  act_porter_acknowledged: "portør tok oppdraget", act_porter_picked_up: "portør hentet pasienten",
  act_porter_done: "portør leverte pasienten",
  f_interpreter: "tolk", f_isolation: "isolasjon", f_latex_allergy: "lateksallergi", f_icu_bed: "intensivseng",
  f_anticoagulation: "blodfortynnende", f_special_equipment: "spesialutstyr", f_mobility_aid: "forflytningshjelp",
  f_diabetic: "diabetes",
  b_scheduled: "fikk dato", b_told: "pasienten fikk beskjed", b_rescheduled: "flyttet", b_unscheduled: "tatt av programmet",
  b_cancelled: "strøket", b_done: "operert", b_removed: "fjernet",
  reason_lead_time_days: "{value} dager fra booking", reason_order: "sak {value} på stua",
  reason_earlier_changes: "{value} tidligere datoendringer", reason_readiness_gaps: "{value} klarpunkter åpne",
  reason_bed_occupancy: "senger {value} booket", reason_patient_age: "pasienten er {value} år",
  reason_asa: "ASA {value}", reason_bmi: "BMI {value}", reason_log_booked: "booket {value} min",
  reason_weekday: "på en {day}", reason_location_id: "lokasjon {value}", reason_specialty_id: "fagområde {value}",
  reason_note: "journalnotat: {fact}"
});
Object.assign(window.KT_TEXT.en, {
  by_system: "the system", why_initial: "first program", why_version: "program version {n}: {why}",
  why_repair: "repair {n}: {why}", why_job: "planning job {n}", why_imported: "imported from {source}",
  k_move_case: "move", k_change_order: "new order", k_call_next: "call next", k_release_session: "session released",
  k_cancel_early: "early cancellation",
  cap_weekday: "weekday (0 = Monday)", cap_extra_rooms: "+ rooms", cap_factor: "share", cap_weeks: "weeks",
  c_planned: "Planned", st_anaesthesia_start: "anaesth.",
  side: "Alerts and suggestions", p_page_title: "Kontrolltårn – patient",
  locations: "Locations", board: "Board", st_in_room: "in room", st_ready: "room ready",
  st_porter_open: "porter asked", st_porter_acknowledged: "porter coming", st_porter_picked_up: "on the way",
  st_checked_in: "checked in", free: "free", status: "status", late: "± min",
  late_title: "Minutes behind (+) or ahead of (−) the plan for the room's case",
  end_title: "Room done (median) – 10–90 %: {p10}–{p90}; staffed until {staffed}; {p} risk of more than 30 min overtime",
  staffed_end: "staffed until", continued: "{name} (cont.)", open_rooms: "{open} of {total} running",
  priority: "priority", age_years: "{n} years", sex_F: "female", sex_M: "male", sex_U: "sex unknown",
  case_no: "case {n} in the room",
  role_coordinator: "coordinator", role_surgeon: "surgeon", role_or_nurse: "theatre nurse",
  role_anaesthesia: "anaesthesia", role_porter: "porter", role_leader: "manager", role_patient: "patient",
  role_feed: "data feed", role_cli: "command line",
  act_case_read: "read case", act_case_told: "told the patient the date", act_case_change: "changed case",
  act_hospital_seed: "loaded the hospital", act_import_accept: "accepted import", act_import_reject: "rejected import",
  act_job_cancel: "stopped job", act_job_start: "started job", act_login: "logged in",
  act_login_failed: "failed login", act_login_locked: "login locked", act_login_refused: "login refused",
  act_logout: "logged out", act_patient_checkin: "patient checked in", act_patient_view: "patient viewed the page",
  act_patient_link_create: "made a patient link", act_patient_link_open: "patient link opened",
  act_program_publish: "published program", act_referral_list: "listed referrals", act_referral_read: "read referral",
  act_suggestion_accept: "accepted suggestion", act_suggestion_reject: "rejected suggestion",
  act_suggestion_refresh: "new suggestions", act_suggestion_refused: "suggestion not carried out",
  act_user_create: "created user", act_user_disable: "disabled user", act_user_password: "changed password",
  act_user_replace: "replaced user", act_user_role: "changed role", act_events_post: "posted events",
  act_room_ready: "room ready", act_room_ready_request: "reported the room ready", act_porter_request: "asked for a porter", act_porter_open: "asked for a porter",
  act_porter_acknowledged: "porter took the job", act_porter_picked_up: "porter picked the patient up",
  act_porter_done: "porter delivered the patient",
  f_interpreter: "interpreter", f_isolation: "isolation", f_latex_allergy: "latex allergy", f_icu_bed: "ICU bed",
  f_anticoagulation: "anticoagulation", f_special_equipment: "special equipment", f_mobility_aid: "mobility aid",
  f_diabetic: "diabetes",
  b_scheduled: "given a date", b_told: "patient told", b_rescheduled: "moved", b_unscheduled: "taken off the program",
  b_cancelled: "cancelled", b_done: "operated", b_removed: "removed",
  reason_lead_time_days: "booked {value} days ahead", reason_order: "case {value} in the room",
  reason_earlier_changes: "{value} earlier date changes", reason_readiness_gaps: "{value} readiness items open",
  reason_bed_occupancy: "beds {value} booked", reason_patient_age: "patient aged {value}",
  reason_asa: "ASA {value}", reason_bmi: "BMI {value}", reason_log_booked: "booked {value} min",
  reason_weekday: "on a {day}", reason_location_id: "location {value}", reason_specialty_id: "specialty {value}",
  reason_note: "note: {fact}"
});

// Times are always 24-hour hospital time (Europe/Oslo), whatever the browser's own zone and
// locale; numbers in the page's language ("1 234,5" and "14 %" in Norwegian).
window.KT_TZ = "Europe/Oslo";
window.ktLocale = () => (window.ktLang() === "nb" ? "nb-NO" : "en-GB");
const ktFormat = options => new Intl.DateTimeFormat(window.ktLocale(), { timeZone: window.KT_TZ, hourCycle: "h23", ...options });
/** HH:MM of an ISO instant, in Oslo time. */
window.ktTime = iso => ktFormat({ hour: "2-digit", minute: "2-digit" }).format(new Date(iso));
/** Date and HH:MM of an ISO instant, in Oslo time. */
window.ktDateTime = iso => ktFormat({ day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit" }).format(new Date(iso));
/** The Oslo date of an ISO instant or a plain YYYY-MM-DD, as DD.MM.YYYY (nb) or DD/MM/YYYY (en). */
window.ktDay = iso => (/^\d{4}-\d{2}-\d{2}$/.test(iso)
  ? new Intl.DateTimeFormat(window.ktLocale(), { timeZone: "UTC", day: "2-digit", month: "2-digit", year: "numeric" }).format(new Date(iso + "T12:00:00Z"))
  : ktFormat({ day: "2-digit", month: "2-digit", year: "numeric" }).format(new Date(iso)));
/** A plain YYYY-MM-DD with its weekday, in words. */
window.ktDate = day => new Intl.DateTimeFormat(window.ktLocale(), { timeZone: "UTC", weekday: "long", day: "numeric", month: "long", year: "numeric" }).format(new Date(day + "T12:00:00Z"));
/** The weekday's name, Monday = 0. */
window.ktWeekday = n => new Intl.DateTimeFormat(window.ktLocale(), { timeZone: "UTC", weekday: "long" }).format(new Date(Date.UTC(2024, 0, 1 + (n % 7))));
/** HH:MM of minutes past the hospital day's midnight (the board's unit); "–" for none. */
window.ktClock = m => (m == null ? "–" : `${String(Math.floor(m / 60) % 24).padStart(2, "0")}:${String(Math.floor(m % 60)).padStart(2, "0")}`);
window.ktNum = (x, digits = 0) => new Intl.NumberFormat(window.ktLocale(), { maximumFractionDigits: digits }).format(x);
/** A share 0–1 as a whole percentage. */
window.ktPct = p => new Intl.NumberFormat(window.ktLocale(), { style: "percent", maximumFractionDigits: 0 }).format(p);
/** Minutes with a sign: "+12", "−5", "0". */
window.ktSigned = m => (m > 0 ? "+" : m < 0 ? "−" : "") + window.ktNum(Math.abs(m));
// The pages per role (porter, nurse, lists, patient link) and what they show on the board.
Object.assign(window.KT_TEXT.nb, {
  board_link: "Kontrolltårn", not_your_page: "Denne siden er ikke for din rolle.", your_page: "Gå til din side",
  failed: "Det gikk ikke. Prøv igjen, eller ring koordinator.",
  role_coordinator: "koordinator", role_surgeon: "kirurg", role_or_nurse: "operasjonssykepleier",
  role_anaesthesia: "anestesi", role_porter: "portør", role_leader: "leder", role_feed: "datastrøm", role_patient: "pasient",
  po_title: "Portøroppdrag", po_none: "Ingen oppdrag nå.",
  po_open: "bestilt", po_acknowledged: "tatt", po_picked_up: "på vei", po_done: "levert",
  po_do_accept: "Ta oppdraget", po_do_pick_up: "Pasienten er hentet", po_do_deliver: "Levert på avdelingen",
  po_taken_by: "Tatt av {who}", po_case: "Pasient {case}", po_asked: "Bestilt {time} av {who}", po_planned: "planlagt {time}",
  po_done_acknowledged: "Du har tatt oppdraget til {room}.", po_done_picked_up: "Pasienten er på vei til {room}.",
  po_done_done: "Levert: {room}.", po_done_open: "Oppdraget er åpent igjen.",
  nu_title: "Min stue", nu_room: "Stue", nu_ready: "Stua er klar", nu_cases: "Dagens pasienter på stua",
  nu_is_ready: "Klar siden {time}", nu_not_ready: "Ikke meldt klar", nu_porter: "Bestill portør",
  nu_no_cases: "Ingen pasienter på stua i dag.", nu_reported: "Meldt klar kl. {time}. Tavla viser det nå.",
  nu_porter_asked: "Portør bestilt til {case}.",
  wl_title: "Min liste i dag", wl_surgeon: "Kirurg", wl_rooms: "Mine stuer", wl_choose: "Velg hvem eller hvilke stuer listen gjelder.",
  wl_none: "Ingen operasjoner i dag.", wl_summary: "{n} operasjoner, {left} igjen · nå {now}",
  wl_planned: "planlagt {from}–{to}", wl_forecast: "prognose {from}–{to}", wl_actual: "faktisk {from}–{to}",
  wl_order: "nr. {n}", wl_checked_in: "sjekket inn",
  pl_title: "Pasientlenke", pl_case: "Operasjon {case}, {day} kl. {time}", pl_no_case: "Ingen operasjon valgt: åpne siden fra operasjonen på tavla.",
  pl_too_short: "Lenken utløper før operasjonsdagen: lag en ny med lengre gyldighet.", pl_valid: "Gyldig i", pl_24h: "1 døgn", pl_72h: "3 døgn", pl_168h: "7 døgn", pl_make: "Lag lenke",
  pl_made: "Lenken er laget. Gi den til pasienten som SMS eller utskrift.", pl_sms: "SMS-tekst",
  pl_copy: "Kopier SMS-teksten", pl_copied: "SMS-teksten er kopiert.", pl_copy_by_hand: "Merk teksten og kopier den selv.",
  pl_smsapp: "Åpne i meldingsappen", pl_letter: "Utskrift til pasienten", pl_print: "Skriv ut",
  pl_sms_text: "Hei! Operasjonen din er planlagt {day} kl. {time}. På operasjonsdagen ser du forventet tid og sjekker inn her: {url} Lenken kan åpnes én gang og gjelder til {until}. Ikke del den med andre.",
  pl_letter_text: "Til pasienten\n\nOperasjonen din er planlagt {day} kl. {time}.\n\nPå operasjonsdagen kan du se forventet tid for operasjonen og sjekke inn selv når du kommer. Skriv inn denne adressen på mobiltelefonen din:\n\n{url}\n\nÅpne lenken først på operasjonsdagen: den kan bare åpnes én gang, og siden holder seg åpen på den telefonen i ett døgn. Lenken gjelder til {until}.\n\nLenken er personlig. Ikke del den med andre.",
  bm_patient_link: "Lag pasientlenke (SMS eller utskrift)",
  title_porter: "Kontrolltårn – portør", title_nurse: "Kontrolltårn – stue", title_list: "Kontrolltårn – min liste", title_patient_link: "Kontrolltårn – pasientlenke"
});
Object.assign(window.KT_TEXT.en, {
  board_link: "Control tower", not_your_page: "This page is not for your role.", your_page: "Go to your page",
  failed: "That did not work. Try again, or call the coordinator.",
  role_coordinator: "coordinator", role_surgeon: "surgeon", role_or_nurse: "OR nurse",
  role_anaesthesia: "anaesthesia", role_porter: "porter", role_leader: "leader", role_feed: "feed", role_patient: "patient",
  po_title: "Porter jobs", po_none: "No jobs now.",
  po_open: "requested", po_acknowledged: "taken", po_picked_up: "on the way", po_done: "delivered",
  po_do_accept: "Take the job", po_do_pick_up: "Patient picked up", po_do_deliver: "Delivered at the department",
  po_taken_by: "Taken by {who}", po_case: "Patient {case}", po_asked: "Requested {time} by {who}", po_planned: "planned {time}",
  po_done_acknowledged: "You took the job to {room}.", po_done_picked_up: "The patient is on the way to {room}.",
  po_done_done: "Delivered: {room}.", po_done_open: "The job is open again.",
  nu_title: "My room", nu_room: "Room", nu_ready: "Room is ready", nu_cases: "Today's patients in the room",
  nu_is_ready: "Ready since {time}", nu_not_ready: "Not reported ready", nu_porter: "Request a porter",
  nu_no_cases: "No patients in this room today.", nu_reported: "Reported ready at {time}. The board shows it now.",
  nu_porter_asked: "Porter requested for {case}.",
  wl_title: "My list today", wl_surgeon: "Surgeon", wl_rooms: "My rooms", wl_choose: "Choose whose list or which rooms.",
  wl_none: "No operations today.", wl_summary: "{n} operations, {left} to go · now {now}",
  wl_planned: "planned {from}–{to}", wl_forecast: "forecast {from}–{to}", wl_actual: "actual {from}–{to}",
  wl_order: "no. {n}", wl_checked_in: "checked in",
  pl_title: "Patient link", pl_case: "Operation {case}, {day} at {time}", pl_no_case: "No operation chosen: open this page from the operation on the board.",
  pl_too_short: "The link expires before the day of the operation: make a new one valid for longer.", pl_valid: "Valid for", pl_24h: "1 day", pl_72h: "3 days", pl_168h: "7 days", pl_make: "Make the link",
  pl_made: "The link is made. Give it to the patient as an SMS or a printout.", pl_sms: "SMS text",
  pl_copy: "Copy the SMS text", pl_copied: "The SMS text is copied.", pl_copy_by_hand: "Select the text and copy it yourself.",
  pl_smsapp: "Open in the messaging app", pl_letter: "Printout for the patient", pl_print: "Print",
  pl_sms_text: "Hello! Your operation is planned for {day} at {time}. On the day, see the expected time and check in here: {url} The link opens once and is valid until {until}. Do not share it.",
  pl_letter_text: "To the patient\n\nYour operation is planned for {day} at {time}.\n\nOn the day of the operation you can see the expected time of your operation and check in yourself when you arrive. Type this address into your mobile phone:\n\n{url}\n\nOpen the link on the day of the operation: it opens only once, and the page then stays open on that phone for one day. The link is valid until {until}.\n\nThe link is personal. Do not share it.",
  bm_patient_link: "Make a patient link (SMS or printout)",
  title_porter: "Control tower – porter", title_nurse: "Control tower – room", title_list: "Control tower – my list", title_patient_link: "Control tower – patient link"
});

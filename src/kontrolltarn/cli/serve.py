"""`kontrolltarn serve` and `kontrolltarn users`, and ``serve_demo`` for `kontrolltarn demo --serve`:
the service on the embedded store with the default hospital, replaying a simulated day."""

from __future__ import annotations

import getpass
import threading
from datetime import date, datetime, time, timedelta
from pathlib import Path

import typer

from kontrolltarn.formats.native import load_history
from kontrolltarn.model import EventKind, Program
from kontrolltarn.simulate.replay import play_day
from kontrolltarn.synth import generate
from kontrolltarn.synth.truth import Truth

from .options import cli_actor, fail, hospital_option, load_hospital_file, scale_option

#: the optimiser's time limit when serve or demo plans a day at start (seconds); a day of the
#: default hospital takes about 10 s with it (see docs/control-tower.md)
PLAN_TIME_LIMIT_S = 10.0
#: users created in demo mode so the demo can be opened at once (marked as demo users: any start
#: outside demo mode disables them, their passwords being public)
DEMO_USERS = {"koordinator": "coordinator", "leder": "leader", "kirurg": "surgeon",
              "sykepleier": "or_nurse", "anestesi": "anaesthesia", "portor": "porter",
              "feed": "feed"}
#: roles a user account may have (the service's roles but the patient's, who comes through a
#: one-time link); named here for --help, checked against ``service.auth.Role``
USER_ROLES = ("coordinator", "surgeon", "or_nurse", "anaesthesia", "porter", "leader", "feed",
              "unit_leader", "staff_member")
#: minutes of replayed time before the first patient of the day is called
REPLAY_LEAD_MIN = 5
#: the replay's default speed: a 12-hour day in about 10 minutes
DEFAULT_REPLAY_SPEED = 12 * 60 / 10
#: a day whose staffed rooms are at least this share of the busiest day's in its week is busy
#: enough to show (the demo replays the hospital's today then, not a day ahead)
BUSY_SHARE = 0.9


def busy_day(hospital) -> date:
    """The day a replay shows: the hospital's today if it is busy (at least ``BUSY_SHARE`` of
    the elective sessions of the busiest day in the week from today), else that busiest day
    (the earliest of equals). Sessions, not planned cases: the day is chosen before it is
    planned, and the planner fills the sessions a day has."""
    week = [hospital.today + timedelta(days=k) for k in range(7)]
    sessions = {d: sum(1 for s in hospital.sessions if s.date == d and not s.emergency)
                for d in week}
    busiest = max(week, key=lambda d: (sessions[d], -d.toordinal()))
    return hospital.today if sessions[hospital.today] >= BUSY_SHARE * sessions[busiest] \
        else busiest


def parse_clock_time(value: str | None, option: str = "--replay-start") -> time | None:
    """``--replay-start``'s HH:MM (24-hour, hospital local time); a bad value is refused
    naming the option and the value (one line, exit 2)."""
    if value is None:
        return None
    try:
        hours, minutes = value.split(":")
        if len(minutes) != 2 or not hours.isdigit() or not minutes.isdigit():
            raise ValueError(value)
        return time(int(hours), int(minutes))
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a time of day: give HH:MM, 24-hour "
                                 "hospital time (e.g. 07:30)", param_hint=option) from None


def replay_speed_option() -> float:
    return typer.Option(DEFAULT_REPLAY_SPEED, min=0.1, max=3600,
                        help="replayed seconds per real second (72: a 12-hour day in 10 min)")


def replay_start_option() -> str | None:
    return typer.Option(None, metavar="HH:MM",
                        help="hospital time the replay starts at (default: "
                             f"{REPLAY_LEAD_MIN} min before the first patient is called)")


def demo_password(name: str) -> str:
    """A demo user's password: easy to type on a demo, and 12 characters or more (ASVS V2.1.1)."""
    return f"{name}-demo-2026"


def _seed(store, hospital_file: Path | None, scale: str, seed: int):
    """The hospital for an empty store, from the file or the generator; its past (the file's
    history, or the generated history and bookings) is stored for the prediction models
    (audited as "hospital.seed" by whoever ran the command)."""
    if hospital_file is not None:
        hospital = load_hospital_file(hospital_file)
        added = store.history.add(load_history(hospital_file))
        source: dict[str, str | int] = {"file": hospital_file.name}
    else:
        typer.echo(f"generating the synthetic hospital (scale={scale}, seed={seed}) …")
        synthetic = generate(scale=scale, seed=seed)
        added = store.history.add(synthetic.history, synthetic.bookings)
        hospital = synthetic.hospital
        source = {"generator": scale, "seed": seed}
    store.audit.record(cli_actor(), "cli", "hospital.seed", "hospital", hospital.name,
                       detail={**source, "past_operations_added": added})
    return hospital


def prediction_models(store, models_dir: Path | None):
    """Prediction models for the board and the planner: loaded from ``models_dir``
    (``kontrolltarn predict train --out``), else trained on the past the store holds (a recent
    subsample, a few seconds). Before the service starts, so that the day's first program is
    planned with the same durations the board forecasts with. None: nothing to learn from (the
    procedure distributions stay)."""
    # deferred: heavy (pandas, scipy, scikit-learn)
    from kontrolltarn.control import load_models, train_models

    if models_dir is not None:
        return load_models(models_dir)
    if not store.history.count():
        typer.echo("the store holds no past operations: forecasting with the procedures' "
                   "distributions")
        return None
    typer.echo(f"learning durations and cancellation risk from the store's past "
               f"({store.history.count():,} operations) …")
    return train_models(store.history.operations(), store.history.bookings())


def build_runtime(database_url: str | None, hospital_file: Path | None, scale: str, seed: int,
                  day: date | None, replay_speed: float | None, demo_users: bool,
                  models_dir: Path | None = None, predict: bool = True,
                  plan_time_limit: float = PLAN_TIME_LIMIT_S, environment: str | None = None):
    """Read the settings (``environment`` overrides ``KONTROLLTARN_ENV``; insecure settings
    end the command with a one-line error), open the store, load or generate the hospital (a
    stored hospital wins: the file or the generator only seed an empty store), plan the day
    with the optimiser if the store has no published program for it (published as
    "system:serve", "initial program"; the baseline is kept beside it as a draft to compare
    with); start loading or training the prediction models (``predict``)."""
    # deferred: heavy (fastapi, pandas, scipy, scikit-learn, sqlalchemy)
    from kontrolltarn.experiments.capacity import run_scenarios
    from kontrolltarn.service import InsecureSettings, Runtime, Settings
    from kontrolltarn.service.clocks import ReplayClock
    from kontrolltarn.service.jobs import register_scenario_runner
    from kontrolltarn.store import Actor, Store  # deferred: heavy (sqlalchemy)

    try:
        settings = Settings.from_env(environment)
    except InsecureSettings as exc:
        # one line, no traceback: the operator fixes the environment and starts again
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if demo_users and not settings.demo:
        raise typer.BadParameter("demo users exist only in demo mode (KONTROLLTARN_ENV=demo)",
                                 param_hint="--demo-users")
    store = Store.open(database_url or settings.database_url)
    register_scenario_runner(run_scenarios)  # capacity scenarios simulated in the generator's world
    # an empty store is seeded; otherwise the store's hospital wins (Runtime loads it). The
    # models learn from the store's past, so a restart needs no generator.
    hospital = None if store.hospital.revision() else _seed(store, hospital_file, scale, seed)
    if replay_speed and day is None:  # a replay shows a busy day, planned before it starts
        day = busy_day(hospital or store.hospital.load())
    models = prediction_models(store, models_dir) if predict else None
    runtime = Runtime(settings, hospital, store, day=day, planner="optimise",
                      plan_time_limit=plan_time_limit, compare_with="baseline", models=models)
    if replay_speed:
        from kontrolltarn.control import Clock  # deferred: heavy (pandas, scipy, scikit-learn)

        first = min((s.start_min for s in runtime.hospital.sessions if s.date == runtime.day),
                    default=480)
        runtime.clock = ReplayClock(Clock(runtime.day, runtime.hospital.timezone)
                                    .at(first - 45), replay_speed)
    if demo_users:
        for name, role in DEMO_USERS.items():
            store.users.ensure(name, demo_password(name), role, demo=True,
                               by=Actor(cli_actor(), "cli"))
    return runtime


def start_replay(runtime, seed: int = 0, stop: threading.Event | None = None,
                 start_at: time | None = None) -> threading.Thread:
    """Feed the simulator's play of the day's program (``simulate.replay.play_day``) into the
    runtime as the replay clock reaches each event. A replay clock restarts at ``start_at``
    (hospital time on the day), by default ``REPLAY_LEAD_MIN`` before the first elective
    patient is called: what happened before (late cancellations, the night's emergencies)
    arrives at once, and the first case follows within seconds. Until the first event is due
    the feed is not "quiet" (``Runtime.feed_due_from``): the day has not started."""
    # deferred: heavy (fastapi, pandas, scipy, scikit-learn, sqlalchemy)
    from kontrolltarn.service.clocks import ReplayClock

    program = Program(tuple(p.entry for p in runtime.store.plans.day(runtime.day)
                            if p.status not in ("cancelled", "unscheduled")))
    events = play_day(runtime.hospital, program, runtime.day, truth=Truth.of_hospital(runtime.hospital),
                      seed=seed)
    if isinstance(runtime.clock, ReplayClock) and events:
        begin = replay_start(events, runtime) if start_at is None else \
            datetime.combine(runtime.day, start_at, runtime.tower.clock.tz)
        runtime.clock = ReplayClock(begin, runtime.clock.speed)
        runtime.feed_due_from = max(begin, events[0].at)
    done = stop or threading.Event()

    def run() -> None:
        i = 0
        while i < len(events) and not done.is_set():
            now = runtime.now()
            batch = []
            while i < len(events) and events[i].at <= now:
                batch.append(events[i])
                i += 1
            if batch:
                runtime.ingest(batch)
            done.wait(0.2)

    thread = threading.Thread(target=run, name="replay", daemon=True)
    thread.start()
    return thread


def replay_start(events: list, runtime=None) -> datetime:
    """When a replay of ``events`` begins: ``REPLAY_LEAD_MIN`` before the first patient of an
    elective session is called (with ``runtime``: its day's plan tells which cases are
    elective; the night's emergency calls would start the replay hours early), else before
    the first call, else before the first event."""
    elective: set[str] | None = None
    if runtime is not None:
        emergency_rooms = {s.room_id for s in runtime.tower.sessions.values() if s.emergency}
        elective = {c for c, p in runtime.tower.live.planned.items()
                    if p.room_id not in emergency_rooms}
    calls = [e for e in events if e.kind is EventKind.CALLED]
    first = next((e.at for e in calls if elective is None or e.case_id in elective),
                 calls[0].at if calls else events[0].at)
    return first - timedelta(minutes=REPLAY_LEAD_MIN)


#: the demo's embedded store, in the folder the demo runs in
DEMO_DATABASE = "kontrolltarn-demo.sqlite3"


def fresh_demo_store(folder: Path) -> str:
    """The URL of a new, empty demo store in ``folder``: the previous demo's file is replaced.
    Its events would otherwise be read back at start, and the board would show the replayed
    day as it ended before the replay has begun (a demo holds nothing worth keeping)."""
    path = folder / DEMO_DATABASE
    for leftover in (path, *(path.with_name(path.name + end) for end in ("-wal", "-shm",
                                                                         "-journal"))):
        leftover.unlink(missing_ok=True)
    return f"sqlite:///{path}"


def serve_demo(port: int = 8000, scale: str = "default", seed: int = 0,
               replay_speed: float = DEFAULT_REPLAY_SPEED, database_url: str | None = None,
               seconds: float | None = None, replay_start_at: time | None = None) -> None:
    """Start the service on the embedded store with the synthetic hospital, replay the
    simulator's play of a busy day (``busy_day``; from ``replay_start_at``, by default just
    before the first patient is called; ``replay_speed`` times faster than real time) and
    print the board's address. Each demo starts on a fresh store (``fresh_demo_store``) unless
    ``database_url`` is given. Runs until Ctrl-C, or for ``seconds`` if given."""
    # deferred: heavy (fastapi, uvicorn, pandas, scipy, scikit-learn, sqlalchemy)
    from kontrolltarn.service import Server, create_app

    url = database_url or fresh_demo_store(Path.cwd())
    runtime = build_runtime(url, None, scale, seed, None, replay_speed, True,
                            environment="demo")
    stop = threading.Event()
    start_replay(runtime, seed=seed, stop=stop, start_at=replay_start_at)
    server = Server(create_app(runtime), runtime, host="127.0.0.1", port=port, access_log=False,
                    log_level="warning")
    typer.echo(f"Kontrolltårn board: http://127.0.0.1:{port}/  (log in as koordinator / "
               f"{demo_password('koordinator')}; leder / {demo_password('leder')} reads only)")
    typer.echo("each role lands on its own page after login: " + ", ".join(
        f"{name} / {demo_password(name)} ({page})" for name, page in (
            ("portor", "porter queue"), ("sykepleier", "room"), ("kirurg", "list"),
            ("anestesi", "list"))))
    typer.echo(f"replaying {runtime.day:%A %d.%m.%Y} from "
               f"{runtime.now().astimezone(runtime.tower.clock.tz):%H:%M} at {replay_speed:g}× "
               f"speed (a 12-hour day in {12 * 60 / replay_speed:.0f} min); Ctrl-C stops")
    if seconds is not None:
        threading.Timer(seconds, lambda: setattr(server, "should_exit", True)).start()
    try:
        server.run()
    finally:
        stop.set()
        runtime.store.close()


def serve(
    host: str = typer.Option("127.0.0.1", help="address to listen on"),
    port: int = typer.Option(8000, min=1, max=65535),
    database_url: str = typer.Option(None, help="default: KONTROLLTARN_DATABASE_URL or an SQLite file"),
    hospital_file: Path | None = hospital_option(required=False,
                                                 note="without it, the synthetic hospital"),
    scale: str = scale_option(help="synthetic hospital scale if no --hospital"),
    seed: int = typer.Option(0),
    replay: bool = typer.Option(False, help="replay a simulated busy day into the service (the "
                                            "hospital's today if busy, else the week's busiest)"),
    replay_speed: float = replay_speed_option(),
    replay_start: str | None = replay_start_option(),
    demo_users: bool = typer.Option(False, help="create the demo users (KONTROLLTARN_ENV=demo "
                                                "only; any other start disables them)"),
    models_dir: Path = typer.Option(None, "--models", exists=True, file_okay=False,
                                    help="prediction models from `kontrolltarn predict train`"),
    plan_time_limit: float = typer.Option(PLAN_TIME_LIMIT_S, min=0.1,
                                          help="seconds the optimiser may take for the day's "
                                               "first program (when the store has none)"),
    predict: bool = typer.Option(True, help="forecast with kontrolltarn.predict's models "
                                            "(trained on the store's past operations if no --models)"),
    roster_rules: Path | None = typer.Option(None, exists=True, dir_okay=False,
                                             help="working-time rules per unit (TOML: [rules] "
                                                  "and [units.<id>]; see docs/staffing.md)"),
) -> None:
    """Run the control tower service and its board. Production (the default) needs
    KONTROLLTARN_SECRET_KEY (64 hex characters, e.g. `openssl rand -hex 32`); set
    KONTROLLTARN_ENV=development or demo for a random per-process secret. Ctrl-C or SIGTERM
    stops it within a second or two, ending the boards' live streams."""
    # deferred: heavy (fastapi, uvicorn, pandas, scipy, scikit-learn, sqlalchemy)
    from kontrolltarn.service import Server, create_app

    start_at = parse_clock_time(replay_start)  # refused before anything is started
    unit_rules = _unit_rules(roster_rules)  # a bad rules file is refused before the start
    runtime = build_runtime(database_url, hospital_file, scale, seed, None,
                            replay_speed if replay else None, demo_users,
                            models_dir, predict, plan_time_limit)
    if unit_rules is not None:
        runtime.unit_rules = unit_rules
    if replay:
        start_replay(runtime, seed=seed, start_at=start_at)
    typer.echo(f"Kontrolltårn board: http://{host}:{port}/")
    try:
        Server(create_app(runtime), runtime, host=host, port=port, access_log=False,
               log_level="info").run()
    finally:
        runtime.store.close()


def _unit_rules(path: Path | None):  # -> UnitRules | None
    from kontrolltarn.model import ModelError
    from kontrolltarn.plan.staffing import load_unit_rules

    if path is None:
        return None
    try:
        return load_unit_rules(path)
    except ModelError as bad:
        raise fail(f"{path}: {bad}") from None


def link_user(
    username: str = typer.Argument(...),
    unit: str = typer.Option(..., help="the unit (its roster's id, e.g. a location: SEN)"),
    person: str = typer.Option(None, help="the user's id on the unit's roster (staff members)"),
    database_url: str = typer.Option(None),
) -> None:
    """Say which unit (and roster person) a unit leader's or staff member's login is: what
    they may see and ask for on the roster pages. Audited as cli:<OS user>."""
    from kontrolltarn.store import Actor, UnknownUser  # deferred: heavy (sqlalchemy)

    store = _user_store(database_url)
    try:
        store.rosters.link(username, unit, person, by=Actor(cli_actor(), "cli"))
    except (UnknownUser, ValueError) as exc:
        raise fail(str(exc)) from None
    finally:
        store.close()
    typer.echo(f"user {username} is {'person ' + person + ' of ' if person else ''}unit {unit}")


def _user_store(database_url: str | None):
    from kontrolltarn.store import Store  # deferred: heavy (sqlalchemy)

    return Store.open(database_url)


def _check_role(role: str) -> str:
    """The role's value for a role named in English or Norwegian (``koordinator``)."""
    from kontrolltarn.service.auth import Role, parse_role  # deferred: heavy (fastapi)

    try:
        parsed = parse_role(role)
    except ValueError:
        parsed = Role.PATIENT  # refused below
    if parsed is Role.PATIENT:  # a patient comes through a one-time link, not an account
        raise typer.BadParameter(f"role={role!r}: unknown role, choose one of "
                                 f"{', '.join(USER_ROLES)} (or its Norwegian name)",
                                 param_hint="--role")
    return parsed.value


def add_user(
    username: str = typer.Argument(...),
    role: str = typer.Option(..., help=f"{', '.join(USER_ROLES)}, or in Norwegian: "
                                       "koordinator, kirurg, sykepleier, anestesi, portør, "
                                       "leder"),
    database_url: str = typer.Option(None),
) -> None:
    """Create a user (or replace one: new password and role, its sessions end); the password is
    asked for, never an argument. Audited as cli:<OS user>."""
    from kontrolltarn.store import Actor  # deferred: heavy (sqlalchemy)

    role = _check_role(role)
    password = getpass.getpass("password: ")
    store = _user_store(database_url)
    try:
        store.users.add(username, password, role, by=Actor(cli_actor(), "cli"))
    except ValueError as exc:  # a password too short: nothing stored
        raise fail(str(exc)) from None
    finally:
        store.close()
    typer.echo(f"user {username} ({role}) saved")


def set_role(
    username: str = typer.Argument(...),
    role: str = typer.Option(..., help=f"{', '.join(USER_ROLES)}, or in Norwegian: "
                                       "koordinator, kirurg, sykepleier, anestesi, portør, "
                                       "leder"),
    database_url: str = typer.Option(None),
) -> None:
    """Give a user another role; the user's sessions end at once. Audited as cli:<OS user>."""
    from kontrolltarn.store import Actor, UnknownUser  # deferred: heavy (sqlalchemy)

    role = _check_role(role)
    store = _user_store(database_url)
    try:
        store.users.set_role(username, role, by=Actor(cli_actor(), "cli"))
    except UnknownUser as exc:
        raise fail(str(exc)) from None
    finally:
        store.close()
    typer.echo(f"user {username} is now {role}; their sessions ended")


def set_password(
    username: str = typer.Argument(...),
    database_url: str = typer.Option(None),
) -> None:
    """Set a user's password (asked for, never an argument); the user's sessions end at once.
    Audited as cli:<OS user>."""
    from kontrolltarn.store import Actor, UnknownUser  # deferred: heavy (sqlalchemy)

    password = getpass.getpass("password: ")
    store = _user_store(database_url)
    try:
        store.users.set_password(username, password, by=Actor(cli_actor(), "cli"))
    except (UnknownUser, ValueError) as exc:
        raise fail(str(exc)) from None
    finally:
        store.close()
    typer.echo(f"password of {username} changed; their sessions ended")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    users = typer.Typer(help="Users of the control tower (every change audited).",
                        no_args_is_help=True)
    users.command("add")(add_user)
    users.command("set-role")(set_role)
    users.command("set-password")(set_password)
    users.command("link")(link_user)
    app.add_typer(users, name="users")

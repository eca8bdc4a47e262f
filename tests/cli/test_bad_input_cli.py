"""Every command refuses a bad argument or input in one line, exit code 2, no traceback; role
names in both languages; results not fit for use exit non-zero; integer counts and KPI names
in words (issue 19 finding 11)."""

from __future__ import annotations

import getpass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from kontrolltarn.cli.main import _register, app
from kontrolltarn.formats.native import load_program, save_hospital
from kontrolltarn.model import StaffRole
from kontrolltarn.plan.staffing import Demand, Person, Roster, save_roster
from kontrolltarn.store import Store
from kontrolltarn.synth import generate

runner = CliRunner()
if not any(group.name == "roster" for group in app.registered_groups):  # once per session
    _register()

H = "hospital.json.gz"
#: (command line, what the one error line must name: the option or field, and the value);
#: files are in the test's folder (``inputs``)
BAD: list[tuple[list[str], tuple[str, ...]]] = [
    (["generate", "--scale", "huge"], ("--scale", "huge")),
    (["generate", "--today", "2026-13-45"], ("today", "2026-13-45")),
    (["generate", "--seed", "abc"], ("--seed", "abc")),
    (["generate", "--scale", "small", "-o", "/proc/no/such/h.json"], ("/proc/no",)),
    (["plan", "-H", "missing.json"], ("hospital file", "missing.json")),
    (["plan", "-H", "not-json.json"], ("hospital file", "not-json.json", "JSON")),
    (["plan", "-H", "not-gzip.json.gz"], ("hospital file", "not-gzip.json.gz")),
    (["plan", "-H", "other.json"], ("hospital file", "other.json")),
    (["plan", "-H", H, "--method", "foo"], ("method", "foo")),
    (["plan", "-H", H, "--start", "2026-02-30"], ("start", "2026-02-30")),
    (["plan", "-H", H, "--days", "0"], ("--days", "0")),
    (["plan", "-H", H, "--time-limit", "-5"], ("--time-limit", "-5")),
    (["check", H, "missing.json"], ("program file", "missing.json")),
    (["check", H, "not-json.json"], ("program file", "not-json.json")),
    (["check", H, "not-json.json", "--rules", "bad.toml"], ("local_rules", "bad.toml")),
    (["constraints", "--bogus"], ("--bogus",)),
    (["demo", "--seed", "abc"], ("--seed", "abc")),
    (["bench", "nosuch"], ("nosuch",)),
    (["import", "missing.json"], ("file", "missing.json")),
    (["import", "not-json.json", "--into", "missing.json"], ("hospital file", "missing.json")),
    (["export", "--format", "foo", "-H", H, "-o", "x"], ("--format", "foo")),
    (["export", "--format", "fhir", "-H", H, "--program", "not-json.json", "-o", "x"],
     ("program file", "not-json.json")),
    (["template", "/proc/no/such/x.xlsx"], ("/proc/no/such/x.xlsx",)),
    (["simulate", "--policy", "foo"], ("--policy", "foo")),
    (["simulate", "--days", "0"], ("--days", "0")),
    (["simulate", "--scale", "huge", "--cluster", "none"], ("--scale", "huge")),
    (["capacity", "--weeks", "0"], ("--weeks", "0")),
    (["capacity", "-H", H, "--growth", "-2"], ("target_growth", "-2")),
    (["capacity", "-H", H, "--utilisation", "1.5"], ("utilisation", "1.5")),
    (["capacity", "-H", H, "--time-limit", "0"], ("--time-limit", "0")),
    (["capacity", "-H", H, "--unit-sessions", "0"], ("mobile_unit_sessions", "0")),
    (["capacity", "-H", H, "--targets", "targets.csv"], ("targets file", "abc")),
    (["serve", "--port", "0"], ("--port", "0")),
    (["serve", "--plan-time-limit", "-1"], ("--plan-time-limit", "-1")),
    (["serve", "--scale", "huge"], ("--scale", "huge")),
    (["serve", "--models", "missing"], ("--models", "missing")),
    (["optimise", "-H", H, "--time-limit", "-5"], ("--time-limit", "-5")),
    (["optimise", "-H", H, "--start", "bad"], ("start", "bad")),
    (["optimise", "-H", H, "--settings", "bad.toml"], ("settings", "bad.toml")),
    (["replan", "-H", H, "-p", "missing.json", "-e", "cancel X"], ("program file", "missing.json")),
    (["roster", "--weeks", "0"], ("--weeks", "0")),
    (["roster", "-H", H, "--time-limit", "-5"], ("--time-limit", "-5")),
    (["roster", "-H", H, "--rules", "bad.toml"], ("rules file", "bad.toml")),
    (["roster", "--demand", "other.json"], ("demand file", "other.json")),
    (["roster", "check", "not-json.json"], ("roster file", "not-json.json")),
    (["users", "add", "anna", "--role", "bogus"], ("--role", "bogus")),
    (["users", "set-role", "anna", "--role", "patient"], ("--role", "patient")),
    (["users", "set-password", "anna", "--bogus"], ("--bogus",)),
    (["users", "link", "nobody", "--unit", "SEN"], ("username", "nobody")),
    (["users", "link", "anna", "--unit", " "], ("unit",)),
    (["ihtc", "solve", "not-json.json", "-o", "x.json"], ("instance", "not-json.json")),
    (["ihtc", "check", "other.json", "other.json"], ("days",)),
    (["ihtc", "variant", "missing.json", "-o", "y.json"], ("instance", "missing.json")),
    (["predict", "train", "--history-csv", "missing.csv"], ("history", "missing.csv")),
    (["predict", "evaluate", "--scale", "huge"], ("--scale", "huge")),
    (["predict", "notes"], ("text",)),
    (["show-versions", "--bogus"], ("--bogus",)),
    (["nosuch"], ("nosuch",)),
]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bad-input")
    save_hospital(generate(scale="small", seed=0).hospital, folder / H)
    (folder / "not-json.json").write_text("not json {", encoding="utf-8")
    (folder / "not-gzip.json.gz").write_text("garbage", encoding="utf-8")
    (folder / "other.json").write_text('{"a": 1}', encoding="utf-8")
    (folder / "bad.toml").write_text("x = [", encoding="utf-8")
    (folder / "targets.csv").write_text("specialty,cases_per_week\nORT,abc\n", encoding="utf-8")
    return folder


def _commands(group: typer.Typer, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    """Every runnable command, as the words that call it."""
    names = {(*prefix, c.name or (c.callback.__name__ if c.callback else "")) for c in
             group.registered_commands}
    for sub in group.registered_groups:
        if sub.typer_instance is not None and sub.name:
            names |= _commands(sub.typer_instance, (*prefix, sub.name))
            if sub.typer_instance.registered_callback is not None:
                names.add((*prefix, sub.name))  # a group that runs by itself (roster)
    return names


def test_every_command_has_a_bad_input_case() -> None:
    """Issue 19 finding 11: the table below covers every command `kontrolltarn --help` lists,
    so a new command cannot miss it."""
    covered = {tuple(w for w in args if not w.startswith("-"))[:len(words)]
               for args, _ in BAD for words in _commands(app)}
    missing = {words for words in _commands(app) if words not in covered}
    assert not missing, f"commands with no bad-input case: {sorted(missing)}"


@pytest.mark.parametrize(("args", "named"), BAD, ids=[" ".join(a) for a, _ in BAD])
def test_a_bad_argument_or_input_is_one_line_with_exit_code_2(
        args: list[str], named: tuple[str, ...], inputs: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 19 finding 11: `optimise --time-limit -5`, `generate --seed abc`, an unknown scale
    or a malformed file gave a traceback or a boxed usage text, or ran (a negative time limit).
    Now: exit code 2, one line on stderr, ``error: …`` naming the option or field and the
    value, nothing on stdout, and no exception but the exit."""
    monkeypatch.chdir(inputs)
    monkeypatch.setenv("KONTROLLTARN_ENV", "development")  # serve: the value, not the secret
    monkeypatch.setenv("KONTROLLTARN_DATABASE_URL", f"sqlite:///{tmp_path / 'store.sqlite3'}")
    result = runner.invoke(app, args)
    assert isinstance(result.exception, SystemExit), result.exception
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.exit_code == 2, result.output
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert result.stdout.strip() == ""
    for word in named:
        assert word in lines[0], (word, lines[0])
    assert "Traceback" not in result.output


@pytest.fixture
def typed_password(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    typed: list[str] = []
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": typed.pop(0))
    return typed


def test_users_take_norwegian_role_names_and_refuse_a_short_password_in_one_line(
        tmp_path: Path, typed_password: list[str]) -> None:
    """Issue 19 finding 11: `--role koordinator` was refused though the demo users are
    Norwegian, and a short password gave a traceback. Now the Norwegian names are the same
    roles, and a short password (whatever the minimum) is one line, exit 2, nothing stored."""
    url = f"sqlite:///{tmp_path / 'users.sqlite3'}"
    typed_password.append("short")
    short = runner.invoke(app, ["users", "add", "anna", "--role", "kirurg", "--database-url", url])
    assert short.exit_code == 2
    lines = [line for line in short.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "password" in lines[0], short.stderr
    for name, role in (("anna", "koordinator"), ("per", "Portør"), ("kari", "sykepleier"),
                       ("ola", "operasjonssykepleier"), ("ida", "coordinator")):
        typed_password.append("a long enough password for anyone")
        added = runner.invoke(app, ["users", "add", name, "--role", role, "--database-url", url])
        assert added.exit_code == 0, added.output
    moved = runner.invoke(app, ["users", "set-role", "anna", "--role", "leder",
                                "--database-url", url])
    assert moved.exit_code == 0, moved.output
    store = Store.open(url)
    try:
        roles = {name: store.users.verify(name, "a long enough password for anyone")
                 for name in ("anna", "per", "kari", "ola", "ida")}
        assert {n: u.role if u else None for n, u in roles.items()} == {
            "anna": "leader", "per": "porter", "kari": "or_nurse", "ola": "or_nurse",
            "ida": "coordinator"}
        assert store.users.verify("anna", "short") is None
    finally:
        store.close()


def test_a_roster_with_breaches_exits_1_saying_it_is_not_fit_to_publish(tmp_path: Path) -> None:
    """Issue 19 finding 11: a roster the checker refuses must not end with exit code 0. One
    nurse cannot cover three a day: the build writes its roster, says how many breaches and
    that it is not fit to publish, and exits 1."""
    monday = date(2026, 12, 14)

    def at(day: int, hour: int) -> datetime:
        return datetime.combine(monday + timedelta(days=day), datetime.min.time()) + \
            timedelta(hours=hour)

    demand = tuple(Demand("SEN", StaffRole.OR_NURSE, at(d, 8), at(d, 15), 3) for d in range(5))
    save_roster(Roster(monday, 1, (Person("N1", StaffRole.OR_NURSE, "SEN"),), (), demand,
                       monday - timedelta(days=14)), tmp_path / "demand.json")
    result = runner.invoke(app, ["roster", "--demand", str(tmp_path / "demand.json"),
                                 "--time-limit", "2", "-o", str(tmp_path / "roster.json")])
    assert result.exit_code == 1, result.output
    assert "not fit to publish" in result.output
    assert (tmp_path / "roster.json").exists()


def test_check_prints_counts_as_integers_and_kpis_in_words(inputs: Path, tmp_path: Path) -> None:
    """Issue 19 finding 11: `check` printed "cases: 122.000" and raw ids. Now a count is a
    whole number and every KPI has its name in words."""
    program = tmp_path / "program.json"
    planned = runner.invoke(app, ["plan", "-H", str(inputs / H), "-o", str(program)])
    assert planned.exit_code == 0, planned.output
    result = runner.invoke(app, ["check", str(inputs / H), str(program)])
    assert result.exit_code == 0, result.output
    kpis = result.stdout.split("KPIs:")[1]
    assert f"elective cases planned: {len(load_program(program).entries)}\n" in kpis
    assert ".000" not in kpis and "planned_utilisation" not in kpis
    assert "planned utilisation (in room): " in kpis and " %" in kpis


def test_simulate_defaults_to_a_short_small_run_with_kpis_in_words(tmp_path: Path) -> None:
    """Issue 19 finding 11: `simulate` with no options ran a default-scale year, and its
    table showed `utilisation_in_room 0.604`. Now the default is the small hospital for 28
    days (said in --help), and the table names each KPI in words with its unit, with no
    interval from a single replication."""
    command = typer.main.get_command(app).commands["simulate"]  # type: ignore[attr-defined]
    defaults = {p.name: p.default for p in command.params}
    assert (defaults["scale"], defaults["days"]) == ("small", 28)
    assert "28 days" in runner.invoke(app, ["simulate", "--help"]).stdout
    result = runner.invoke(app, ["simulate", "--days", "1", "--cluster", "none", "--report",
                                 str(tmp_path / "sim.html")])
    assert result.exit_code == 0, result.output
    assert "utilisation (in room)" in result.stdout and "utilisation_in_room" not in result.stdout
    assert "elective operations" in result.stdout and "±" not in result.stdout

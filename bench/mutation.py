"""Mutation testing of the core modules: how many injected bugs do the tests catch?

Run: make mutation   (or .venv/bin/python bench/mutation.py [--module approval] [--sample N] ...)
Needs the `mutation` extra: pip install -e '.[test,mutation]'.

Settings are in bench/mutation.toml (the modules; the operators; sample size and seed). Mutants
that no test can kill are listed, each with a reason, in bench/equivalent_mutants.toml; the report
leaves them out of the score.

1. Coverage map: the suite runs once under coverage, each test in its own coverage context (this
   file is also the pytest plugin that switches them). Cached in .mutation/ until a file under
   workflow/ or tests/ changes (`--keep-map`: only workflow/); it covers every configured module,
   so runs of one module at a time (`--module`) share it. `--tests PATH...` maps only those tests
   (quicker, but a mutant is then tried only against them).
2. Mutants: cosmic-ray's operators list every mutation of each module; `sample` of them per module
   are drawn with a fixed seed (`--all` tries every one).
3. Each mutant is written into a private copy of the package (the source tree is never touched;
   `--jobs` copies work side by side) and only the tests that run its statement are run, the
   module's own test files first (its package's for a module in one), each group fastest first,
   stopping at the first failure (at most `max_tests` of them: a survivor runs them all). A
   statement run at import time is tried against every test that runs the module. A failing,
   crashing or hanging run kills the mutant.
4. Report: per module killed / survived / equivalent / score, then each survivor as
   file:line, the line as written -> as mutated (`--json` as JSON). Exit status 1 when a module
   scores under `--fail-under`. Each module's last measurement is kept in .mutation/results.json:
   `--report` prints them all again; `--retry` tries only a module's survivors again (after adding
   tests, with `--tests` the new ones: minutes instead of a new coverage run), keeping its kills.
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures
import contextlib
import hashlib
import json
import os
import queue
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "bench" / "mutation.toml"
WORK = ROOT / ".mutation"
RESULTS = WORK / "results.json"
TEST_LOG_ENV = "MUTATION_TEST_LOG"


# --- the pytest plugin of the coverage run: one coverage context per test ---

_durations: dict[str, float] = {}
_failed: set[str] = set()


def pytest_runtest_protocol(item, nextitem):  # noqa: ARG001 (pytest hook signature)
    import coverage

    current = coverage.Coverage.current()
    if current is not None:
        current.switch_context(item.nodeid)


def pytest_runtest_logreport(report):
    _durations[report.nodeid] = _durations.get(report.nodeid, 0.0) + report.duration
    if report.failed:
        _failed.add(report.nodeid)


def pytest_runtest_logfinish(nodeid, location):  # noqa: ARG001
    import coverage

    current = coverage.Coverage.current()
    if current is not None:
        current.switch_context("")


def pytest_sessionfinish(session):  # noqa: ARG001
    if os.environ.get(TEST_LOG_ENV):
        Path(os.environ[TEST_LOG_ENV]).write_text(
            json.dumps({"durations": _durations, "failed": sorted(_failed)}), encoding="utf-8")


# --- settings ---

@dataclass(frozen=True)
class Settings:
    modules: list[str]
    sample: int
    seed: int
    operators: list[str]
    equivalents: Path
    timeout_factor: float
    timeout_base: float
    max_tests: int


def load_settings(path: Path = SETTINGS) -> Settings:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return Settings(modules=list(data["modules"]), sample=int(data["sample"]), seed=int(data["seed"]),
                    operators=list(data["operators"]), equivalents=ROOT / data["equivalents"],
                    timeout_factor=float(data["timeout_factor"]), timeout_base=float(data["timeout_base"]),
                    max_tests=int(data["max_tests"]))


def module_paths(patterns: list[str], only: list[str]) -> list[str]:
    """The modules (paths from the repository root) the globs match, narrowed by `--module` words."""
    found: list[str] = []
    for pattern in patterns:
        matches = sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob(pattern) if p.is_file())
        if not matches:
            print(f"note: {pattern} matches no file", file=sys.stderr)
        found += [m for m in matches if m not in found]
    if only:
        found = [m for m in found if any(word in m for word in only)]
    return found


def collapse(text: str) -> str:
    return " ".join(text.split())


def squeeze(text: str) -> str:
    """A code snippet without any whitespace: how mutants are matched with the equivalents file."""
    return re.sub(r"\s+", "", text)


# --- mutants ---

@dataclass
class Mutant:
    module: str
    operator: str
    occurrence: int
    line: int
    end_line: int
    original: str       # the lines line..end_line as written (whitespace collapsed)
    mutated: str = ""   # the same lines as mutated
    status: str = ""    # killed, survived, timeout, untested (no test runs it)
    tests: int = 0      # the tests run against it
    covering: int = 0   # the tests that run its statement (more than `tests` when capped by max_tests)
    killed_by: str = ""
    seconds: float = 0.0

    @property
    def where(self) -> str:
        return f"{self.module}:{self.line}"


def annotation_spans(code: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """(start, end) positions (line, character column) of every annotation: never evaluated under
    `from __future__ import annotations`, so a mutation there is no bug."""
    lines = code.split("\n")

    def column(line: int, byte_offset: int) -> int:
        return len(lines[line - 1].encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))

    spans = []
    for node in ast.walk(ast.parse(code)):
        notes = []
        if isinstance(node, ast.arg) and node.annotation is not None:
            notes.append(node.annotation)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns is not None:
            notes.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            notes.append(node.annotation)
        for note in notes:
            spans.append(((note.lineno, column(note.lineno, note.col_offset)),
                          (note.end_lineno, column(note.end_lineno, note.end_col_offset))))
    return spans


SOURCES: dict[str, str] = {}  # module -> its code when the run started (the workers' copies hold the same)


def source(module: str) -> str:
    if module not in SOURCES:
        SOURCES[module] = (ROOT / module).read_text(encoding="utf-8")
    return SOURCES[module]


# Where cosmic-ray's binary operator replacement sees a `*` that is no multiplication.
_NOT_ARITHMETIC = {"parameters", "param", "lambdef", "argument", "star_expr", "arglist", "varargslist"}


def enumerate_mutants(module: str, operator_patterns: list[str]) -> list[Mutant]:
    """Every mutation cosmic-ray's chosen operators make in `module`, outside annotations."""
    from cosmic_ray import plugins
    from cosmic_ray.ast import ast_nodes, get_ast

    code = source(module)
    lines = code.split("\n")
    tree = get_ast(code)
    notes = annotation_spans(code)
    wanted = [re.compile(p) for p in operator_patterns]
    mutants = []
    for name in sorted(plugins.operator_names()):
        if not any(p.fullmatch(name) for p in wanted):
            continue
        operator = plugins.get_operator(name)()
        positions = [(node, pos) for node in ast_nodes(tree) for pos in operator.mutation_positions(node)]
        for occurrence, (node, (start, end)) in enumerate(positions):
            if any(a <= start and end <= b for a, b in notes):
                continue
            if node.type == "operator" and node.parent.type in _NOT_ARITHMETIC:  # `def f(a, *, b)`, `f(*args)`
                continue
            original = collapse("\n".join(lines[start[0] - 1:end[0]]))
            mutants.append(Mutant(module, name.split("/")[-1], occurrence, start[0], end[0], original))
    return mutants


class CannotMutate(Exception):
    """cosmic-ray cannot make this mutation (e.g. ExceptionReplacer on `except module.Error`)."""


def mutated_code(module: str, mutant: Mutant) -> str:
    from cosmic_ray import plugins
    from cosmic_ray.mutating import mutate_code

    code = source(module)
    operator = plugins.get_operator(f"core/{mutant.operator}")()
    try:
        changed = mutate_code(code, operator, mutant.occurrence)
    except Exception as exc:  # noqa: BLE001 (a fault of the operator, not of the code)
        raise CannotMutate(f"{mutant.where}: cosmic-ray cannot make {mutant.operator} here ({exc!r})") from None
    if changed is None:
        raise CannotMutate(f"{mutant.where}: cosmic-ray made no {mutant.operator} #{mutant.occurrence}")
    extra = changed.count("\n") - code.count("\n")
    mutant.mutated = collapse("\n".join(changed.split("\n")[mutant.line - 1:mutant.end_line + extra]))
    return changed


# --- equivalent mutants ---

@dataclass
class Equivalent:
    file: str
    line: str
    mutated: str
    reason: str
    previous: str = ""  # the line before, as written: tells apart lines that read the same (`continue`)
    used: bool = False

    def matches(self, mutant: Mutant) -> bool:
        if not (Path(mutant.module).match(self.file) and squeeze(self.line) == squeeze(mutant.original)
                and squeeze(self.mutated) == squeeze(mutant.mutated)):
            return False
        if not self.previous:
            return True
        lines = source(mutant.module).split("\n")
        return mutant.line >= 2 and squeeze(lines[mutant.line - 2]) == squeeze(self.previous)


def load_equivalents(path: Path) -> list[Equivalent]:
    if not path.exists():
        return []
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    entries = []
    for number, entry in enumerate(data.get("mutant", []), start=1):
        missing = [key for key in ("file", "line", "mutated", "reason") if not str(entry.get(key, "")).strip()]
        if missing:
            sys.exit(f"{path.relative_to(ROOT)}: mutant #{number} has no {', '.join(missing)}")
        entries.append(Equivalent(entry["file"], entry["line"], entry["mutated"], entry["reason"],
                                  entry.get("previous", "")))
    return entries


def stale_equivalents(module: str, mutants: list[Mutant], equivalents: list[Equivalent]) -> list[Equivalent]:
    """The entries for `module` that match none of its mutants (the code changed under them)."""
    stale = []
    for entry in equivalents:
        if not Path(module).match(entry.file):
            continue
        same_line = [m for m in mutants if squeeze(m.original) == squeeze(entry.line)]
        for mutant in same_line:
            with contextlib.suppress(CannotMutate):
                mutated_code(module, mutant)
        if not any(entry.matches(m) for m in same_line):
            stale.append(entry)
    return stale


def apply_equivalents(mutants: list[dict], equivalents: list[Equivalent]) -> list[str]:
    """Mark the mutants the file lists as equivalent; returns a note for each listed mutant a test kills."""
    notes = []
    for record in mutants:
        mutant = Mutant(**{k: v for k, v in record.items() if k in Mutant.__dataclass_fields__})
        entry = next((e for e in equivalents if e.matches(mutant)), None)
        if entry is None:
            if record["status"] == "equivalent":
                record["status"] = record.get("tried") or "survived"
            continue
        if record["status"] in ("killed", "timeout"):
            notes.append(f"listed as equivalent, but {record['killed_by']} kills it: {mutant.where} "
                         f"{mutant.original} -> {mutant.mutated}")
            continue
        record["tried"] = record.get("tried") or record["status"]
        record["status"] = "equivalent"
    return notes


# --- coverage map ---

def source_key(tests: list[str], top: str) -> str:
    """A hash of the files under `top` (workflow/ or tests/) and of the tests asked for."""
    digest = hashlib.sha256(json.dumps(tests).encode())
    for path in sorted((ROOT / top).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def coverage_map(modules: list[str], tests: list[str], refresh: bool, copy: Path, keep: bool = False) -> dict:
    """{"lines": {module: {line: [test ids]}}, "durations": {test id: s}, "failed": [test ids]},
    from the tests run on `copy` of the package (not yet mutated). One map per list of tests (the
    whole suite's is kept when `--tests` maps a few)."""
    cache = WORK / ("coverage-map.json" if not tests else
                    f"coverage-map-{hashlib.sha256(json.dumps(tests).encode()).hexdigest()[:12]}.json")
    key = {top: source_key(tests, top) for top in ("workflow", "tests")}
    if cache.exists() and not refresh:
        cached = json.loads(cache.read_text(encoding="utf-8"))
        same = cached["key"] == key or (keep and cached["key"].get("workflow") == key["workflow"]
                                        if isinstance(cached["key"], dict) else False)
        if same and set(modules) <= set(cached["lines"]):
            if cached["key"] != key:
                print("coverage map: kept although tests/ changed since (--keep-map): tests added since are not "
                      "tried", file=sys.stderr)
            return cached
    WORK.mkdir(exist_ok=True)
    data_file, log_file, rcfile = WORK / "coverage.sqlite", WORK / "test-log.json", WORK / "coveragerc"
    for stale in (data_file, log_file):
        stale.unlink(missing_ok=True)
    rcfile.write_text("[run]\ndata_file = {}\ninclude =\n{}\n".format(
        data_file, "".join(f"    {copy / m}\n" for m in modules)), encoding="utf-8")
    env = dict(Workers.env(copy), PYTHONPATH=f"{copy}{os.pathsep}{ROOT / 'bench'}", **{TEST_LOG_ENV: str(log_file)})
    command = [sys.executable, "-P", "-m", "coverage", "run", f"--rcfile={rcfile}", "-m", "pytest", "-q",
               "-p", "mutation", "-p", "no:cacheprovider", *tests]
    print(f"coverage map: running {' '.join(tests) or 'the whole suite'} once under coverage...", file=sys.stderr)
    started = time.monotonic()
    run = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if not log_file.exists():
        sys.exit(f"the coverage run did not finish (exit {run.returncode}):\n{run.stdout[-3000:]}")
    log = json.loads(log_file.read_text(encoding="utf-8"))
    failing = f", {len(log['failed'])} failing (not used)" if log["failed"] else ""
    print(f"coverage map: {len(log['durations'])} tests in {time.monotonic() - started:.0f} s{failing}", file=sys.stderr)
    from coverage import CoverageData

    data = CoverageData(basename=str(data_file))
    data.read()
    lines = {}
    for module in modules:
        by_line = data.contexts_by_lineno(str(copy / module)) or {}
        lines[module] = {str(n): sorted(c for c in contexts) for n, contexts in by_line.items()}
    result = {"key": key, "tests": tests, "lines": lines, "durations": log["durations"], "failed": log["failed"]}
    cache.write_text(json.dumps(result), encoding="utf-8")
    return result


def statement_lines(code: str) -> dict[int, range]:
    """For each line, the lines of the innermost statement (or except clause) it belongs to; for a
    compound statement, its header only (`if x and y:` without the body)."""
    spans: dict[int, range] = {}

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.stmt, ast.excepthandler)):
                body = getattr(child, "body", None)
                last = (body[0].lineno - 1) if isinstance(body, list) and body and isinstance(body[0], ast.AST) \
                    else child.end_lineno
                first = min([child.lineno] + [d.lineno for d in getattr(child, "decorator_list", [])])
                for line in range(first, max(first, last) + 1):
                    spans[line] = range(first, max(first, last) + 1)
            visit(child)

    visit(ast.parse(code))
    return spans


def tests_for(mutant: Mutant, spans: dict[int, range], cmap: dict) -> list[str]:
    """The tests that run the mutant's statement: the module's own first (test files whose name holds
    the module's name: test_review_reading.py for reviews/reading.py), then its package's
    (test_export*.py for export/write.py), then the others; each group fastest first."""
    by_line = cmap["lines"].get(mutant.module, {})
    lines = set(spans.get(mutant.line, range(mutant.line, mutant.end_line + 1))) | set(
        range(mutant.line, mutant.end_line + 1))
    contexts = {c for line in lines for c in by_line.get(str(line), [])}
    if "" in contexts:  # run at import: any test that runs the module may see it
        contexts |= {c for cs in by_line.values() for c in cs}
    failed = set(cmap["failed"])
    chosen = [c for c in contexts if c and c not in failed]
    module = Path(mutant.module)

    def group(test: str) -> int:
        name = Path(test.split("::")[0]).stem
        if module.stem in name.split("_"):
            return 0
        return 1 if module.parent.name != "workflow" and name.startswith(f"test_{module.parent.name}") else 2

    return sorted(chosen, key=lambda c: (group(c),
                                         cmap["durations"].get(c, 0.0), c))


# --- running mutants ---

class Workers:
    """`jobs` private copies of the package, each trying one mutant at a time."""

    def __init__(self, jobs: int, modules: list[str]) -> None:
        for module in modules:
            source(module)  # the code mutated is the code copied
        self.free: queue.Queue[Path] = queue.Queue()
        base = WORK / "work"
        shutil.rmtree(base, ignore_errors=True)
        for number in range(jobs):
            copy = base / str(number)
            shutil.copytree(ROOT / "workflow", copy / "workflow", ignore=shutil.ignore_patterns("__pycache__"))
            seen = subprocess.run([sys.executable, "-P", "-c", "import workflow; print(workflow.__file__)"],
                                  cwd=ROOT, env=self.env(copy), capture_output=True, text=True).stdout.strip()
            if Path(seen) != copy / "workflow" / "__init__.py":  # the tests would not see the mutants
                sys.exit(f"the tests would import workflow from {seen or '?'}, not from the copy {copy}")
            self.free.put(copy)
        self.pristine = base / "0"

    @staticmethod
    def env(copy: Path) -> dict[str, str]:
        env = dict(os.environ, PYTHONPATH=str(copy), HYPOTHESIS_STORAGE_DIRECTORY=str(copy / "hypothesis"))
        env.pop(TEST_LOG_ENV, None)
        return env

    def run(self, mutant: Mutant, code: str, tests: list[str], timeout: float) -> None:
        copy = self.free.get()
        target = copy / mutant.module
        original = target.read_bytes()
        try:
            _forget_bytecode(target)
            target.write_text(code, encoding="utf-8")
            self._pytest(copy, mutant, tests, timeout)
        finally:
            target.write_bytes(original)
            _forget_bytecode(target)
            self.free.put(copy)

    @staticmethod
    def _pytest(copy: Path, mutant: Mutant, tests: list[str], timeout: float) -> None:
        started = time.monotonic()
        while True:
            try:
                Workers._pytest_once(copy, mutant, tests, timeout)
                break
            except GoneTests as gone:  # a kept map (--keep-map) names tests renamed or removed since
                print(f"note: {mutant.where}: the coverage map names tests that no longer exist: "
                      f"{' '.join(gone.tests)}", file=sys.stderr)
                tests = [t for t in tests if t not in gone.tests]
                if not tests:
                    mutant.status = "untested"
                    break
        mutant.seconds = round(time.monotonic() - started, 1)

    @staticmethod
    def _pytest_once(copy: Path, mutant: Mutant, tests: list[str], timeout: float) -> None:
        command = [sys.executable, "-P", "-m", "pytest", "-x", "-q", "-rf", "--no-header", "-p", "no:cacheprovider",
                   "-o", "addopts=", f"--basetemp={copy / 'tmp'}", *tests]
        process = subprocess.Popen(command, cwd=ROOT, env=Workers.env(copy), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, start_new_session=True)
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            mutant.status, mutant.killed_by = "timeout", f"still running after {timeout:.0f} s"
        else:
            gone = re.findall(r"^ERROR: not found: (\S+)", output, re.M)
            if process.returncode == 4 and gone:
                raise GoneTests([t.removeprefix(str(ROOT) + "/") for t in gone])
            if process.returncode in (4, 5):  # usage error, no tests collected: our fault, not the mutant's
                raise RuntimeError(f"{mutant.where}: pytest exit {process.returncode}:\n{output[-2000:]}")
            if process.returncode == 0:
                mutant.status = "survived"
            else:
                mutant.status = "killed"
                failed = re.search(r"^(?:FAILED|ERROR) (\S+)", output, re.M)
                mutant.killed_by = failed.group(1) if failed else f"pytest exit {process.returncode}"


class GoneTests(Exception):
    def __init__(self, tests: list[str]) -> None:
        super().__init__(" ".join(tests))
        self.tests = tests


def _forget_bytecode(source: Path) -> None:
    for cached in (source.parent / "__pycache__").glob(f"{source.stem}.*.pyc"):
        cached.unlink(missing_ok=True)


def draw(mutants: list[Mutant], sample: int, seed: int, module: str) -> list[Mutant]:
    """`sample` mutants cosmic-ray can make (all when 0), in a random order fixed by `seed`, each
    with its mutated text; one it cannot make is replaced by the next in that order, with a note."""
    order = list(range(len(mutants)))
    if 0 < sample < len(mutants):
        order = random.Random(f"{seed}:{module}").sample(order, len(mutants))
    chosen = []
    for index in order:
        if 0 < sample <= len(chosen):
            break
        try:
            mutated_code(module, mutants[index])
        except CannotMutate as exc:
            print(f"note: {exc}", file=sys.stderr)
            continue
        chosen.append(index)
    return [mutants[i] for i in sorted(chosen)]


def campaign(args: argparse.Namespace, settings: Settings) -> dict:
    modules = module_paths(settings.modules, args.module)
    if not modules:
        sys.exit("no module to mutate (see `modules` in bench/mutation.toml and --module)")
    sample = 0 if args.all else (settings.sample if args.sample is None else args.sample)
    seed = settings.seed if args.seed is None else args.seed
    max_tests = settings.max_tests if args.max_tests is None else args.max_tests
    equivalents = load_equivalents(settings.equivalents)
    started = time.monotonic()
    workers = Workers(args.jobs, modules)
    # The map covers every configured module, so that runs of one module at a time share it.
    cmap = coverage_map(module_paths(settings.modules, []), args.tests, args.refresh, workers.pristine,
                        keep=args.keep_map)
    earlier = load_results() if args.retry else {}
    map_id = hashlib.sha256(json.dumps(cmap["key"], sort_keys=True).encode()).hexdigest()[:12]

    plan: list[tuple[Mutant, list[str]]] = []
    stale: list[Equivalent] = []
    kept: list[Mutant] = []  # --retry: the mutants of the earlier run that are not tried again
    runs: dict[str, dict] = {}
    for module in modules:
        found = enumerate_mutants(module, settings.operators)
        stale += stale_equivalents(module, found, equivalents)
        spans = statement_lines(source(module))
        run = {"sample": sample, "seed": seed, "max_tests": max_tests, "tests": args.tests,
               "source": source_hash(module), "when": time.strftime("%Y-%m-%d %H:%M"), "map": map_id}
        if args.retry:
            before = earlier.get("runs", {}).get(module)
            if before is None:
                sys.exit(f"--retry: {module} has no earlier run (run it without --retry first)")
            if before["source"] != run["source"]:
                sys.exit(f"--retry: {module} changed since its run of {before['when']}: its mutants are no "
                         f"longer the same (run it again without --retry)")
            drawn = []
            for record in (m for m in earlier["mutants"] if m["module"] == module):
                mutant = Mutant(**{k: v for k, v in record.items() if k in Mutant.__dataclass_fields__})
                # A survivor that already met every test of this same map would only survive again.
                settled = before.get("map") == map_id and mutant.tests >= mutant.covering
                if mutant.status in ("survived", "untested") and not settled:
                    mutant.status, mutant.killed_by = "", ""
                    drawn.append(mutant)
                else:
                    kept.append(mutant)
            run = {**before, "retried": run["when"], "retried_tests": args.tests, "retried_max_tests": max_tests,
                   "map": map_id}
        else:
            drawn = draw(found, sample, seed, module)
        runs[module] = run
        for mutant in drawn:
            if any(e.matches(mutant) for e in equivalents):
                mutant.status = "equivalent"
            plan.append((mutant, tests_for(mutant, spans, cmap)))

    done = 0

    def one(item: tuple[Mutant, list[str]]) -> Mutant:
        mutant, tests = item
        mutant.covering = len(tests)
        if max_tests:
            tests = tests[:max_tests]
        mutant.tests = len(tests)
        if mutant.status == "equivalent":
            return mutant
        if not tests:
            mutant.status = "untested"
            return mutant
        seconds = sum(cmap["durations"].get(t, 1.0) for t in tests)
        workers.run(mutant, mutated_code(mutant.module, mutant), tests,
                    settings.timeout_base + settings.timeout_factor * seconds)
        return mutant

    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for mutant in pool.map(one, plan):
            done += 1
            of = f" of {mutant.covering}" if mutant.covering > mutant.tests else ""
            print(f"[{done:>3}/{len(plan)}] {mutant.status:<9} {mutant.where} {mutant.operator} "
                  f"({mutant.tests}{of} tests, {mutant.seconds:.1f} s)", file=sys.stderr)

    return {"modules": modules, "runs": runs, "jobs": args.jobs, "minutes": round((time.monotonic() - started) / 60, 1),
            "mutants": [asdict(m) for m in kept] + [asdict(m) for m, _ in plan],
            "stale_equivalents": [f"{e.file}: {e.line} -> {e.mutated}" for e in stale]}


def source_hash(module: str) -> str:
    return hashlib.sha256(source(module).encode("utf-8")).hexdigest()[:16]


def load_results() -> dict:
    """Every module's last measurement (.mutation/results.json), in the form `campaign` returns."""
    if not RESULTS.exists():
        return {}
    return json.loads(RESULTS.read_text(encoding="utf-8"))


def merge_results(earlier: dict, latest: dict) -> dict:
    """The stored measurements with those of the modules just measured replaced by the latest ones."""
    if not earlier:
        return latest
    order = module_paths(load_settings().modules, [])
    modules = [m for m in order if m in earlier["modules"] or m in latest["modules"]]
    modules += [m for m in earlier["modules"] + latest["modules"] if m not in modules]  # no longer configured
    redone = set(latest["modules"])
    return {"modules": modules, "runs": {**earlier["runs"], **latest["runs"]}, "jobs": latest["jobs"],
            "minutes": latest["minutes"],
            "mutants": [m for m in earlier["mutants"] if m["module"] not in redone] + latest["mutants"],
            "stale_equivalents": [e for e in earlier.get("stale_equivalents", [])
                                  if not any(Path(m).match(e.split(":")[0]) for m in redone)]
            + latest["stale_equivalents"]}


# --- report ---

def scores(result: dict) -> list[dict]:
    rows = []
    for module in result["modules"]:
        mine = [m for m in result["mutants"] if m["module"] == module]
        killed = sum(m["status"] in ("killed", "timeout") for m in mine)
        survived = sum(m["status"] in ("survived", "untested") for m in mine)
        rows.append({"module": module, "killed": killed, "survived": survived,
                     "untested": sum(m["status"] == "untested" for m in mine),
                     "equivalent": sum(m["status"] == "equivalent" for m in mine),
                     "score": round(100 * killed / (killed + survived)) if killed + survived else None})
    return rows


def run_text(run: dict) -> str:
    """How a module was measured, for the report: what was drawn, when, against which tests."""
    text = f"{run['sample'] or 'every'} drawn (seed {run['seed']}) {run['when']}"
    if run.get("max_tests"):
        text += f", at most {run['max_tests']} tests a mutant"
    if run.get("tests"):
        text += f", tests limited to {' '.join(run['tests'])}"
    if run.get("retried"):
        limited = f" against {' '.join(run['retried_tests'])}" if run.get("retried_tests") else ""
        cap = run.get("retried_max_tests")
        limited += f", at most {cap} tests a mutant" if cap else ", against all the tests that run each" if cap == 0 \
            else ""
        text += f"; survivors retried {run['retried']}{limited}"
    return text


def print_report(result: dict) -> None:
    rows = scores(result)
    print(f"mutation score of {len(result['modules'])} module(s), {len(result['mutants'])} mutants "
          f"(the last run: {result['minutes']} min on {result['jobs']} job(s))")
    width = max(len(r["module"]) for r in rows)
    print(f"{'module':<{width}}  killed  survived  equivalent  score  measured")
    killed, survived = sum(r["killed"] for r in rows), sum(r["survived"] for r in rows)
    total = {"module": "all", "killed": killed, "survived": survived, "equivalent": sum(r["equivalent"] for r in rows),
             "score": round(100 * killed / (killed + survived)) if killed + survived else None}
    for row in rows + ([total] if len(rows) > 1 else []):
        score = f"{row['score']:>4} %" if row["score"] is not None else "   - "
        run = result["runs"].get(row["module"])
        print(f"{row['module']:<{width}}  {row['killed']:>6}  {row['survived']:>8}  {row['equivalent']:>10}  {score}"
              + (f"  {run_text(run)}" if run else ""))
    survivors = sorted((m for m in result["mutants"] if m["status"] in ("survived", "untested")),
                       key=lambda m: (m["module"], m["line"], m["operator"], m["occurrence"]))
    if survivors:
        print("\nsurvivors (no test fails with this change):")
    for m in survivors:
        why = "  (no test runs this line)" if m["status"] == "untested" else ""
        if m.get("covering", 0) > m["tests"]:
            why = f"  (tried against the first {m['tests']} of the {m['covering']} tests that run it)"
        print(f"{m['module']}:{m['line']}: [{m['operator']}] {m['original']}  ->  {m['mutated']}{why}")
    equivalents = load_settings().equivalents
    for entry in result["stale_equivalents"]:
        print(f"note: {equivalents.relative_to(ROOT)} lists a mutant that no longer exists: {entry}")
    for note in result.get("equivalent_notes", []):
        print(f"note: {equivalents.relative_to(ROOT)}: {note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--module", action="append", default=[], metavar="WORD",
                        help="only the configured modules whose path contains WORD (repeatable)")
    parser.add_argument("--sample", type=int, help="mutants per module (0: all; default from mutation.toml)")
    parser.add_argument("--all", action="store_true", help="every mutant (same as --sample 0)")
    parser.add_argument("--seed", type=int, help="seed of the draw (default from mutation.toml)")
    parser.add_argument("--max-tests", type=int, metavar="N",
                        help="run at most N tests against a mutant, its own first, quickest first (0: all; "
                             "default from mutation.toml)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="mutants tried at once")
    parser.add_argument("--tests", nargs="+", default=[], metavar="PATH",
                        help="map (and so run) only these tests instead of the whole suite")
    parser.add_argument("--refresh", action="store_true", help="rebuild the coverage map even if cached")
    parser.add_argument("--keep-map", action="store_true",
                        help="use the cached coverage map although tests/ changed since (workflow/ must not have): "
                             "tests added since are not tried (--retry --tests NEW tries them later)")
    parser.add_argument("--retry", action="store_true",
                        help="try only the survivors of each module's last run again (after adding tests; "
                             "with --tests, against those tests only; with --max-tests 0, the survivors that "
                             "met only some of their tests); its killed mutants stay killed")
    parser.add_argument("--report", action="store_true",
                        help="print the last measurement of every module (or of --module's) again")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--fail-under", type=float, metavar="PCT", help="exit 1 when a module scores below PCT")
    args = parser.parse_args(argv)

    if args.report:
        result = load_results()
        if not result:
            sys.exit("no mutation run yet (run without --report first)")
        if args.module:
            shown = [m for m in result["modules"] if any(word in m for word in args.module)]
            result = {**result, "modules": shown, "mutants": [m for m in result["mutants"] if m["module"] in shown]}
        result["equivalent_notes"] = apply_equivalents(result["mutants"], load_equivalents(load_settings().equivalents))
    else:
        latest = campaign(args, load_settings())
        # Entries added to the equivalents file since a kept mutant was tried count now too.
        latest["equivalent_notes"] = apply_equivalents(latest["mutants"], load_equivalents(load_settings().equivalents))
        WORK.mkdir(exist_ok=True)
        RESULTS.write_text(json.dumps(merge_results(load_results(), latest), indent=1), encoding="utf-8")
        result = latest
    if args.json:
        print(json.dumps({"scores": scores(result), **result}, indent=1))
    else:
        print_report(result)
    if args.fail_under is not None:
        low = [r for r in scores(result) if r["score"] is not None and r["score"] < args.fail_under]
        return 1 if low else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())

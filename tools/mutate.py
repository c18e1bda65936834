"""``make mutation``: a small mutation tester. Each mutant changes one operator or constant of a module;
the module's tests must fail on it. Survivors are checks no test can make fail, listed by line.

    python -m tools.mutate [MODULE ...]      (default: every module in TARGETS)

Runs in copies of the source tree, one per core, one mutant per copy at a time, each test run with a time
limit; a test run that times out counts as killed (the mutant hangs the code).
"""

from __future__ import annotations

import ast
import copy
import os
import queue
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {  # each module with the tests that are meant to guard it (fast ones: every mutant runs them)
    "states/machine.py": ["tests/test_states_buttons.py", "tests/test_states_guards.py",
                          "tests/test_states_exhaustive.py"],
    "storage/segment_reader.py": ["tests/test_storage_tail.py", "tests/test_storage_format.py",
                                  "tests/test_storage_vectors.py"],
    "storage/verify.py": ["tests/test_storage_verify.py", "tests/test_storage_vectors.py",
                          "tests/test_storage_format.py", "tests/test_storage_tail.py", "tests/test_storage_cuts.py"],
    "storage/segment_writer.py": ["tests/test_storage_recorder.py", "tests/test_storage_power_cut.py::"
                                  "test_a_real_power_cut_keeps_only_what_fsync_made_durable_and_loses_at_most_one_chunk"],
    "storage/release.py": ["tests/test_station_checks.py"],
    # the station's side of an offload: its rules, then through a real sshd (SQLite; PostgreSQL runs the same code)
    "station/offload.py": ["tests/test_station_offload_rules.py", "tests/test_station_offload.py", "-k",
                           "not postgresql"],
    # what the station takes from a camera, and what it deletes and when (SQLite; PostgreSQL runs the same code)
    "station/accept.py": ["tests/test_station_accept.py", "tests/test_station_checks.py",
                          "tests/test_station_retention.py", "-k", "not postgresql"],
    "station/retention.py": ["tests/test_station_retention.py", "tests/test_station_cases.py", "-k", "not postgresql"],
    "station/cases.py": ["tests/test_station_cases.py", "-k", "not postgresql"],
    "station/custody.py": ["tests/test_station_custody.py"],
    # who may do what in the web application: its pages' role and window tests
    "station/web/access.py": ["tests/test_station_web.py"],
    # which page of recordings a link leads to, and who is locked out of signing in
    "station/web/keyset.py": ["tests/test_station_web.py", "-k", "keyset or page_link"],
    "station/web/throttle.py": ["tests/test_station_web.py", "-k", "lockout or guessed"],
    "station/quarantine.py": ["tests/test_station_quarantine.py"],
    # a hand-over: who may make one, the one-time code, its end, and the package's contents
    "station/handover.py": ["tests/test_station_handover.py"],
    "station/handover_package.py": ["tests/test_station_handover.py"],
    "station/web/handover.py": ["tests/test_station_handover.py"],
    "station/dock.py": ["tests/test_station_officers.py", "tests/test_station_wearers.py"],
    "station/attribution.py": ["tests/test_station_officers.py", "tests/test_station_wearers.py"],
    # the kiosk's PIN check and its lock-outs; the camera's wearer: what it keeps, what its firmware logs
    "station/kiosk.py": ["tests/test_station_kiosk.py"],
    "storage/assignment.py": ["tests/test_firmware_wearer.py"],
    # redaction: where a face is between and beyond its sightings, what a plan covers (real model, real video)
    "station/redaction/tracks.py": ["tests/test_station_redaction.py"],
    "station/redaction/plan.py": ["tests/test_station_redaction.py"],
    # the redaction's steps and the reviewer's plan as the page sends it (hostile)
    "station/redactions.py": ["tests/test_station_redaction_web.py"],
    # a camera's broker files, checked by deploy before they reach it
    "fleet/broker_files.py": ["tests/test_deploy.py", "-k", "broker_certificate"],
    "firmware/wearer.py": ["tests/test_firmware_wearer.py"],
    "firmware/offload_gate.py": ["tests/test_offload_gate.py"],
    # what a camera trusts and runs: the release's checks on the laptop, the installer's on the camera
    "fleet/release.py": ["tests/test_release.py"],
    "fleet/device_install.py": ["tests/test_device_install.py", "tests/test_systemd.py::"
                                   "test_deploy_puts_the_service_user_in_the_hardware_groups_the_image_has"],
}
SWAPS: dict[type, type] = {
    ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.GtE, ast.GtE: ast.Lt, ast.Gt: ast.LtE, ast.LtE: ast.Gt,
    ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.And: ast.Or, ast.Or: ast.And,
    ast.Add: ast.Sub, ast.Sub: ast.Add,
}
TIMEOUT_S = 120


@dataclass(frozen=True)
class Mutant:
    line: int
    description: str
    source: str


def mutants(source: str) -> Iterator[Mutant]:
    """Every single-point mutant of ``source``: swapped operators, flipped booleans, integers off by one,
    and ``continue``/``break``/``return`` of a guard turned into ``pass``."""
    tree = ast.parse(source)
    for index, node in enumerate(ast.walk(tree)):
        for change in _changes(node):
            mutated = copy.deepcopy(tree)
            target = list(ast.walk(mutated))[index]
            description = change(target)
            if description:
                yield Mutant(getattr(node, "lineno", 0), description, ast.unparse(mutated))


def _changes(node: ast.AST):
    if isinstance(node, ast.Compare):
        for position, op in enumerate(node.ops):
            if type(op) in SWAPS:
                yield lambda target, p=position: _swap_compare(target, p)
    if isinstance(node, ast.BoolOp | ast.BinOp) and type(node.op) in SWAPS:
        yield _swap_op
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        yield lambda target: _set(target, not target.value)
    elif isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        yield lambda target: _set(target, target.value + 1)
    if isinstance(node, ast.If):
        for position, statement in enumerate(node.body):
            if isinstance(statement, ast.Continue | ast.Break | ast.Return):
                yield lambda target, p=position: _to_pass(target, p)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield _drop_not


def _swap_compare(node: ast.Compare, position: int) -> str:
    old = node.ops[position]
    node.ops[position] = SWAPS[type(old)]()
    return f"{type(old).__name__} → {type(node.ops[position]).__name__}"


def _swap_op(node: ast.BoolOp | ast.BinOp) -> str:
    old = node.op
    node.op = SWAPS[type(old)]()
    return f"{type(old).__name__} → {type(node.op).__name__}"


def _set(node: ast.Constant, value: Any) -> str:
    old, node.value = node.value, value
    return f"{old!r} → {value!r}"


def _to_pass(node: ast.If, position: int) -> str:
    old = node.body[position]
    node.body[position] = ast.Pass()
    return f"{type(old).__name__.lower()} → pass"


def _drop_not(node: ast.UnaryOp) -> str:
    node.op = ast.UAdd()  # +x is x for the booleans this guards; a distinct, valid expression
    return "not x → x"


def killed(tree: Path, tests: list[str]) -> bool:
    try:
        result = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
                                cwd=tree, capture_output=True, timeout=TIMEOUT_S,
                                env={**os.environ, "PYTHONPATH": str(tree)})
    except subprocess.TimeoutExpired:
        return True
    return result.returncode != 0


def survives(trees: queue.Queue[Path], module: str, mutant: Mutant) -> bool:
    """Runs the module's tests on ``mutant`` in a free copy of the tree."""
    tree = trees.get()
    path = tree / module
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(mutant.source, encoding="utf-8")
        return not killed(tree, TARGETS[module])
    finally:
        path.write_text(original, encoding="utf-8")
        trees.put(tree)


def main(modules: list[str]) -> int:
    chosen = modules or list(TARGETS)
    scores = []
    workers = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as directory:
        trees: queue.Queue[Path] = queue.Queue()
        for number in range(workers):
            tree = Path(directory) / f"tree-{number}"
            # .git too: the release tests build releases of the tree from git
            shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns(".venv", "build", "*.egg-info",
                                                                      "station-demo", "sim-data", ".hil",
                                                                      ".lgd-nfy*"))
            trees.put(tree)
        for module in chosen:
            # Every mutant would be "killed" by tests that fail anyway (a fixture the copy breaks, say).
            baseline = trees.get()
            failing = killed(baseline, TARGETS[module])
            trees.put(baseline)
            if failing:
                print(f"{module}: its tests fail in the tree copy without any mutant; fix that first", flush=True)
                return 1
            every = list(mutants((ROOT / module).read_text(encoding="utf-8")))
            with ThreadPoolExecutor(workers) as pool:
                outcome = list(pool.map(lambda m, module=module: survives(trees, module, m), every))
            survivors = [m for m, survived in zip(every, outcome, strict=True) if survived]
            total = len(every)
            score = 100.0 * (total - len(survivors)) / total if total else 100.0
            scores.append((module, total, len(survivors), score))
            print(f"{module}: {total - len(survivors)}/{total} killed ({score:.0f} %)", flush=True)
            for mutant in survivors:
                print(f"  survived {module}:{mutant.line}: {mutant.description}", flush=True)
    print("\nmodule                          mutants  survived  score")
    for module, total, survived, score in scores:
        print(f"{module:<32} {total:>7}  {survived:>8}  {score:4.0f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

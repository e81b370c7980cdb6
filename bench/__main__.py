"""`make bench`: every benchmark of the project in one run, then one table of ratios.

Each `bench/bench_*.py` module has `run(quick: bool) -> list[dict]` with rows
{"benchmark", "metric", "value", "unit", "baseline", "ratio"}: the baseline is measured in the
same run on the same machine, so ratios survive a slower or busier machine.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import time
import traceback
from pathlib import Path


def discover() -> list[str]:
    """The benchmark modules, in name order."""
    folder = Path(__file__).parent
    return sorted(
        f"bench.{m.name}"
        for m in pkgutil.iter_modules([str(folder)])
        if m.name.startswith("bench_")
    )


def fmt(value: object) -> str:
    """A number in a table cell."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def main() -> int:
    """Run the benchmarks (optionally only some) and print the summary table."""
    parser = argparse.ArgumentParser(description="Run the benchmarks.")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument(
        "--only", nargs="*", default=None, help="module names, e.g. bench_allocation"
    )
    parser.add_argument(
        "names", nargs="*", help="short names, e.g. `draw` for bench_draw (same as --only)"
    )
    args = parser.parse_args()
    wanted = (args.only or []) + [f"bench_{name.removeprefix('bench_')}" for name in args.names]
    modules = [m for m in discover() if not wanted or m.split(".")[-1] in wanted]
    rows: list[dict] = []
    failed: list[str] = []
    started = time.perf_counter()
    for name in modules:
        print(f"\n===== {name} =====", flush=True)
        t0 = time.perf_counter()
        try:
            rows += importlib.import_module(name).run(quick=args.quick)
        except Exception:
            traceback.print_exc()
            failed.append(name)
        print(f"({name}: {time.perf_counter() - t0:.0f} s)", flush=True)
    print("\n# Summary (ratio = value / baseline measured in the same run)\n")
    print("| benchmark | metric | value | unit | baseline | ratio |")
    print("| --- | --- | ---: | --- | ---: | ---: |")
    for row in rows:
        print(
            f"| {row['benchmark']} | {row['metric']} | {fmt(row['value'])} "
            f"| {row.get('unit') or ''} "
            f"| {fmt(row.get('baseline'))} | {fmt(row.get('ratio'))} |"
        )
    print(
        f"\nTotal: {time.perf_counter() - started:.0f} s"
        + (f"; FAILED: {', '.join(failed)}" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

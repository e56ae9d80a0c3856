"""The shadowbench guest (what `make bench` measures shadow paging with) runs and reports.

One boot under umbra on SVM (QEMU TCG, -cpu max) with tdp=off, without
-icount (faster; the figures are then TSC ticks turned into instructions by
an inexact calibration). Checked: the guest passed, it ran on shadow paging,
and it printed its calibration and one BENCH line per figure with a
positive integer. Nothing here is timed and nothing asserts on the figures'
size: scripts/bench measures them under -icount (docs/performance.md).

  /usr/bin/python3 -m pytest tests/boot/test_bench_guest.py -v
"""
import re

from bootlib import PASS, check_guest_passed, expect_status, guest

TIMEOUT = 180
FIGURES = ["first_touch", "pt_write", "cr3_switch", "pte_rewrite"]  # scripts/bench SHADOW_OPS
BENCH_RE = re.compile(r"^\[shadowbench\] BENCH (\S+) (\S+)[ \t]*$", re.M)
CALIB_RE = re.compile(r"^\[shadowbench\] CALIB ticks=(\d+) insns=(\d+)[ \t]*$", re.M)


def test_shadowbench_reports_with_tdp_off(boot, umbra_elf):
    r = boot("qemu", kernel=umbra_elf, cpu="max", timeout=TIMEOUT,
             modules=[(guest("shadowbench"), "name=shadowbench mem=16M tdp=off")])
    check_guest_passed(r.serial, "shadowbench")
    assert re.search(r"^vm \d+ shadowbench: created: svm shadow ", r.serial, re.M), \
        "shadowbench did not run on shadow paging"
    calib = CALIB_RE.search(r.serial)
    assert calib and int(calib.group(1)) > 0 and int(calib.group(2)) > 0, \
        "no calibration line 'CALIB ticks=N insns=N' with positive counts"
    figures = {}
    for m in BENCH_RE.finditer(r.serial):
        assert m.group(1) not in figures, "BENCH %s printed twice" % m.group(1)
        figures[m.group(1)] = m.group(2)
    assert sorted(figures) == sorted(FIGURES), "BENCH lines for %s, want %s" % (
        sorted(figures), sorted(FIGURES))
    for name, value in figures.items():
        assert value.isdigit() and int(value) > 0, \
            "BENCH %s: %r is not a positive integer" % (name, value)
        assert re.search(r"^\[shadowbench\] PASS: shadowbench\.%s$" % name, r.serial, re.M), \
            "no PASS line for %s" % name
    expect_status(r, PASS)

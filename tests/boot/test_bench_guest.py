"""The benchmark guests run and report: shadowbench and exitbench.

shadowbench (what `make bench` measures shadow paging with):
one boot under umbra on SVM (QEMU TCG, -cpu max) with tdp=off, without
-icount (faster; the figures are then TSC ticks turned into instructions by
an inexact calibration). Checked: the guest passed, it ran on shadow paging,
and it printed its calibration and one BENCH line per figure with a
positive integer. Nothing here is timed and nothing asserts on the figures'
size: scripts/bench measures them under -icount (docs/performance.md).

exitbench (what scripts/bench-exits-x86 counts the common exits with): one
boot under umbra on SVM with NPT, also without -icount; see below.

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


# ---------------------------------------------------------------- exitbench
# The exitbench guest (what scripts/bench-exits-x86 counts umbra's exits with):
# one boot under umbra on SVM with nested paging, without -icount (the figures
# are then TSC ticks turned into instructions by an inexact calibration, but
# positive). Checked: the guest passed on NPT; its header, calibration and a
# BENCH line per operation, each a positive integer with a positive milli=
# value and no stand-in (under umbra the hypercall is real); hlt_wake either
# such a figure or n/a with a reason; and umbra's exit counters show that each
# measured operation really exited, at least as often as the guest ran it.
EXIT_OPS = {"cpuid": "cpuid", "hypercall": "hypercall", "port_read": "io",
            "mmio_read": "tdp_fault", "rdmsr": "msr"}  # operation: umbra's exit counter
EB = r"^\[exitbench\] "
EB_HEAD_RE = re.compile(EB + r"exitbench: (\d+) operations per figure, least of (\d+) runs, "
                        r"under umbra, hypercalls by VMMCALL$", re.M)
EB_CALIB_RE = re.compile(EB + r"CALIB ticks=(\d+) insns=(\d+)[ \t]*$", re.M)
EB_BENCH_RE = re.compile(EB + r"BENCH (\S+) (.*?)[ \t]*$", re.M)
EB_FIGURE_RE = re.compile(r"^(\d+) milli=(\d+)$")
EB_NA_RE = re.compile(r"^n/a (\S.*)$")


def test_exitbench_reports_under_svm_npt(boot, umbra_elf):
    r = boot("qemu", kernel=umbra_elf, cpu="max", timeout=TIMEOUT,
             modules=[(guest("exitbench"), "name=exitbench mem=16M tdp=on")])
    check_guest_passed(r.serial, "exitbench")
    assert re.search(r"^vm \d+ exitbench: created: svm npt ", r.serial, re.M), \
        "exitbench did not run on nested paging"
    head = EB_HEAD_RE.search(r.serial)
    assert head, "no header 'exitbench: N operations per figure, least of N runs, under " \
                 "umbra, hypercalls by VMMCALL'"
    ops, reps = int(head.group(1)), int(head.group(2))
    assert ops > 0 and reps > 0
    calib = EB_CALIB_RE.search(r.serial)
    assert calib and int(calib.group(1)) > 0 and int(calib.group(2)) > 0, \
        "no calibration line 'CALIB ticks=N insns=N' with positive counts"
    lines = {}
    for m in EB_BENCH_RE.finditer(r.serial):
        assert m.group(1) not in lines, "BENCH %s printed twice" % m.group(1)
        lines[m.group(1)] = m.group(2)
    assert sorted(lines) == sorted(list(EXIT_OPS) + ["hlt_wake"]), \
        "BENCH lines for %s" % sorted(lines)
    for name in EXIT_OPS:
        m = EB_FIGURE_RE.match(lines[name])
        assert m and int(m.group(1)) > 0 and int(m.group(2)) > 0, \
            "BENCH %s: %r is not '<positive n> milli=<positive m>'" % (name, lines[name])
        assert re.search(EB + r"PASS: exitbench\.%s$" % name, r.serial, re.M), \
            "no PASS line for %s" % name
    hlt = lines["hlt_wake"]
    m = EB_FIGURE_RE.match(hlt)
    assert (m and int(m.group(1)) > 0) or EB_NA_RE.match(hlt), \
        "BENCH hlt_wake: %r is neither a positive figure nor 'n/a <reason>'" % hlt
    exits = re.search(r"^vm \d+ exitbench: exits: (.*)$", r.serial, re.M).group(1)
    counts = {k: int(v) for k, v in (w.split("=", 1) for w in exits.split() if "=" in w)}
    for name, reason in EXIT_OPS.items():
        assert counts.get(reason, 0) >= ops * reps, \
            "%s: %d %s exits, but the guest timed %d x %d operations" % (
                name, counts.get(reason, 0), reason, reps, ops)
    expect_status(r, PASS)

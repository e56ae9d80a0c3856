"""The arm64 exitbench guest (what scripts/bench-exits-arm64 measures exits with) runs and reports.

One boot of umbra at EL2 (QEMU virt, TCG, -cpu max) with exitbench as its
only guest, under -icount shift=0,sleep=off as the benchmark runs it.
Checked: the guest passed; it printed its calibration (1 ns per instruction
under -icount) and one BENCH line per operation, each a positive
instruction count agreeing with its milli figure and measured the way the
umbra lane measures it; and umbra's exit counters show the round trips
really trapped to EL2 (hvc, dabt and sysreg exits, at least the iterations
times the runs the CALIB line names). Nothing asserts on the figures' size:
the script measures them (docs/performance.md).

  UMBRA_BUILD_ARM64=/tmp/w/arm64 /usr/bin/python3 -m pytest tests/boot/test_bench_arm64.py -v
"""
import os
import re

import pytest

import bootlib
from bootlib import PASS

TIMEOUT = 120
ICOUNT = ["-icount", "shift=0,sleep=off"]
GUEST = "exitbench"
# Operation -> what the umbra lane measures (the via= field) and the exit reason it causes.
OPS = {
    "hvc": ("hvc:HC_VERSION", "hvc"),
    "mmio_read": ("ldr32:testdev_id", "dabt"),
    "sysreg": ("mrs:ACTLR_EL1", "sysreg"),
    "psci_version": ("hvc:PSCI_VERSION", "hvc"),
}
BENCH_RE = re.compile(r"^\[exitbench\] BENCH (\S+) (\S+) milli=(\S+) via=(\S+)$", re.M)
CALIB_RE = re.compile(r"^\[exitbench\] CALIB ((?:\w+=\S+ ?)+)$", re.M)


def lines_of(serial, name):
    return re.findall(r"^\[%s\] (.*)$" % re.escape(name), serial, re.M)


@pytest.fixture(scope="module")
def boot_result(tmp_path_factory):
    image, elf = bootlib.ARM64_IMAGE, bootlib.arm64_guest(GUEST)
    for path in (image, elf):
        if not os.path.isfile(path):
            pytest.fail("%s is missing: run `make ARCH=arm64` first" % path, pytrace=False)
    init = bootlib.make_bundle(tmp_path_factory.mktemp("exitbench") / "b.cpio",
                               ["%s name=%s mem=16M" % (elf, GUEST)])
    return bootlib.boot_arm64(kernel=image, initrd=init, timeout=TIMEOUT, extra=ICOUNT)


def test_exitbench_passes_under_umbra(boot_result):
    r = boot_result
    lines = lines_of(r.serial, GUEST)
    assert lines, "exitbench printed nothing"
    assert not [l for l in lines if l.startswith("FAIL")], [
        l for l in lines if l.startswith("FAIL")]
    assert "exitbench: under umbra, " in lines[0], "the guest did not see umbra: %r" % lines[0]
    summary = [l for l in lines if re.match(r"^\d+ passed, \d+ failed$", l)]
    assert summary and summary[-1].endswith(" 0 failed") and not summary[-1].startswith("0 "), \
        "exitbench summary: %s" % summary
    vm = bootlib.vms_ended(r.serial).get(GUEST)
    assert vm and vm["result"] == "pass", "exitbench ended: %s" % vm
    assert r.status == PASS, r.describe()


def calib_fields(serial):
    m = CALIB_RE.search(serial)
    assert m, "no 'CALIB lane=... ticks=N insns=N ...' line"
    return dict(kv.split("=", 1) for kv in m.group(1).split())


def test_exitbench_calibration(boot_result):
    c = calib_fields(boot_result.serial)
    assert c.get("lane") == "umbra", c
    for key in ("ticks", "insns", "freq", "iters", "repeats"):
        assert c.get(key, "").isdigit() and int(c[key]) > 0, "CALIB %s: %s" % (key, c)
    assert int(c["iters"]) >= 1000, "fewer than 1000 round trips per figure: %s" % c
    # -icount shift=0: the virtual clock advances 1 ns per instruction.
    assert c.get("ns_per_insn_milli") == "1000", "not 1 ns per instruction under -icount: %s" % c


def test_exitbench_reports_every_operation(boot_result):
    figures = {}
    for m in BENCH_RE.finditer(boot_result.serial):
        name, n, milli, via = m.groups()
        assert name not in figures, "BENCH %s printed twice" % name
        figures[name] = (n, milli, via)
    assert sorted(figures) == sorted(OPS), "BENCH lines for %s, want %s" % (
        sorted(figures), sorted(OPS))
    for name, (n, milli, via) in figures.items():
        assert n.isdigit() and int(n) > 0, "BENCH %s: %r is not a positive integer" % (name, n)
        assert milli.isdigit() and abs(int(milli) - 1000 * int(n)) <= 500, \
            "BENCH %s: %s instructions but milli=%s" % (name, n, milli)
        assert via == OPS[name][0], "BENCH %s measured %s, want %s" % (name, via, OPS[name][0])
        assert "PASS: exitbench.%s" % name in lines_of(boot_result.serial, GUEST), \
            "no PASS line for %s" % name


def test_round_trips_trapped_to_umbra(boot_result):
    """Each measured round trip is an exit umbra counted, of the kind it should be."""
    c = calib_fields(boot_result.serial)
    per_op = int(c["iters"]) * int(c["repeats"])
    m = re.search(r"^vm \d+ %s: exits: total=\d+(.*)$" % GUEST, boot_result.serial, re.M)
    assert m, "no exit statistics for exitbench"
    exits = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(1))}
    want = {}
    for _, reason in OPS.values():
        want[reason] = want.get(reason, 0) + per_op
    for reason, least in want.items():
        assert exits.get(reason, 0) >= least, "%s exits: %d, the guest made at least %d (%s)" % (
            reason, exits.get(reason, 0), least, m.group(0))

"""The shadow paging lanes: every x86 test guest without nested paging.

A guest runs on umbra's shadow page tables when its module line says
tdp=off, when umbra's own command line says tdp=off (for every module that
does not say tdp= itself), or when the CPU has no nested paging. Covered:

  SVM (QEMU TCG, -cpu max)
    each guest   hello, cpu, paging, mmio, hello64 with tdp=off, alone;
                 hostile with tdp=off next to hello (it ends by triple fault)
    delivery     hostile with its IDT beyond RAM (idt-beyond-ram), with
                 tdp=off and, for comparison, tdp=on: the VM ends naming it
    global       umbra's tdp=off: hello, paging and mmio on shadow paging,
                 cpu with its own tdp=on keeps NPT
    budget       paging with shadow_pages=16: umbra reclaims shadow pages
                 and the guest still passes
    no NPT       -cpu max,-npt: guests get shadow paging without asking
    options      bad tdp= and shadow_pages= values are named at boot
  VMX (Bochs corei7_skylake_x, as test_vmx.py; 16 MiB for Multiboot guests)
    batch        hello, cpu, paging, mmio and a second paging with
                 shadow_pages=16, all tdp=off, in one boot
    others       hostile (with cr4-vmxe), hello64 (64 MiB) and hostile with
                 its IDT beyond RAM, tdp=off

Every shadow-paged VM must say so on its "created" line ("created: svm
shadow asid=N shadow_pages=N ...") and print its shadow statistics ("vm N
NAME: shadow: faults=N ... reclaimed=N pages_peak=N budget=N", from
vmx_svm/vshadow.c) when it ends.

  /usr/bin/python3 -m pytest tests/boot/test_shadow.py -v
"""
import re

import pytest

import bootlib
from bootlib import FAIL, PASS, check_guest_passed, expect_status, guest

QEMU_TIMEOUT = 180
QEMU_MEM = "32M"  # for four guests at once: run-qemu gives the machine 256 MiB
BOCHS_TIMEOUT = 120  # a batch of five guests; EPT runs of four take about 7 s
CLEAN_GUESTS = ["hello", "cpu", "paging", "mmio"]
BOCHS_MEM = "16M"  # as test_vmx.py: enough for paging, the hungriest guest
TINY_BUDGET = 16  # SHADOW_MIN_BUDGET (mm/shadow.h)

CREATED_RE = r"^vm (?P<id>\d+) %s: created: (?P<how>.*)$"
STATS_RE = r"^vm (?P<id>\d+) %s: shadow: (?P<stats>.*)$"


def created_line(serial, name):
    m = re.search(CREATED_RE % re.escape(name), serial, re.M)
    assert m, "no line 'vm N %s: created: ...'" % name
    return m.group("how")


def shadow_stats(serial, name):
    """The VM's shadow statistics as {counter: int} (words key=number)."""
    m = re.search(STATS_RE % re.escape(name), serial, re.M)
    assert m, "no shadow statistics line 'vm N %s: shadow: ...'" % name
    return {k: int(v) for k, v in bootlib.fields(m.group("stats")).items() if v.isdigit()}


def check_shadowed(serial, name):
    """VM name ran on shadow paging: its created line says so, and its
    statistics were printed and count some work."""
    how = created_line(serial, name)
    assert re.search(r"\bshadow\b", how), \
        "vm %s was not created with shadow paging: 'created: %s'" % (name, how)
    stats = shadow_stats(serial, name)
    assert any(stats.values()), "vm %s: shadow statistics all zero: %s" % (name, stats)
    return stats


def check_nested(serial, name, tdp_name):
    how = created_line(serial, name)
    assert tdp_name in how.split() and "shadow" not in how, \
        "vm %s should use %s: 'created: %s'" % (name, tdp_name, how)
    assert not re.search(STATS_RE % re.escape(name), serial, re.M), \
        "vm %s has shadow statistics but uses %s" % (name, tdp_name)


def check_reclaimed(stats, name):
    assert stats.get("budget") == TINY_BUDGET, \
        "vm %s: shadow_pages=%d not its budget: %s" % (name, TINY_BUDGET, stats)
    assert 0 < stats.get("pages_peak", 0) <= TINY_BUDGET, \
        "vm %s used more shadow pages than its budget: %s" % (name, stats)
    assert stats.get("reclaimed", 0) > 0, \
        "vm %s with shadow_pages=%d reclaimed nothing: %s" % (name, TINY_BUDGET, stats)


def check_summary(serial, passed, failed):
    assert bootlib.guests_summary(serial) == (passed, failed), \
        "no line 'umbra: guests: %d passed, %d failed'" % (passed, failed)


def check_hostile_contained(serial):
    assert re.search(r"^\[hostile\] hostile: triple-faulting now$", serial, re.M)
    assert not re.search(r"^\[hostile\] FAIL", serial, re.M), "hostile found a hole"
    assert re.search(r"^\[hostile\] PASS: ", serial, re.M)
    vm = bootlib.vms_ended(serial).get("hostile")
    assert vm and "triple fault" in vm["reason"] and vm["result"] == "fail", vm


# ---------------------------------------------------------------- SVM (QEMU)
@pytest.mark.parametrize("name", CLEAN_GUESTS)
def test_svm_guest_with_tdp_off(boot, umbra_elf, name):
    r = boot("qemu", kernel=umbra_elf, cpu="max", timeout=QEMU_TIMEOUT,
             modules=[(guest(name), "name=%s tdp=off" % name)])
    check_guest_passed(r.serial, name)
    check_shadowed(r.serial, name)
    if name == "cpu":
        bootlib.check_registers_survive(r.serial, name)
    expect_status(r, PASS)


def test_svm_elf64_guest_with_tdp_off(boot, umbra_elf):
    r = boot("qemu", kernel=umbra_elf, cpu="max", timeout=QEMU_TIMEOUT,
             modules=[(guest("hello64"), "name=hello64 mem=64M tdp=off -- long live")])
    assert "[hello64] hello64: long mode, command line 'long live'" in r.serial
    check_guest_passed(r.serial, "hello64")
    assert re.search(r"\bmode=long64$", created_line(r.serial, "hello64"))
    check_shadowed(r.serial, "hello64")
    expect_status(r, PASS)


def test_svm_hostile_with_tdp_off_is_contained(boot, umbra_elf):
    r = boot("qemu", kernel=umbra_elf, cpu="max", timeout=QEMU_TIMEOUT,
             modules=[(guest("hostile"), "name=hostile tdp=off"),
                      (guest("hello"), "name=hello tdp=off")])
    check_hostile_contained(r.serial)
    check_shadowed(r.serial, "hostile")
    check_guest_passed(r.serial, "hello")
    check_shadowed(r.serial, "hello")
    check_summary(r.serial, 1, 1)
    expect_status(r, FAIL)  # hostile ends by triple fault, which is a failed guest


IDT_BEYOND_RAM = "delivering an exception or interrupt touched 0x%x, which is not RAM"


def check_idt_beyond_ram(serial, name):
    """hostile with idt-beyond-ram: its ud2's delivery read the IDT gate
    (vector 6, at base + 0x30) above RAM, and umbra ended it saying so."""
    m = re.search(r"^\[%s\] hostile: exception with the IDT at 0x([0-9a-f]+), beyond RAM$"
                  % re.escape(name), serial, re.M)
    assert m, "hostile %s did not reach its IDT test" % name
    vm = bootlib.vms_ended(serial).get(name)
    want = IDT_BEYOND_RAM % (int(m.group(1), 16) + 6 * 8)
    assert vm and want in vm["reason"] and vm["result"] == "fail", (want, vm)


@pytest.mark.parametrize("tdp", ["on", "off"])
def test_svm_event_delivery_beyond_ram_ends_the_guest(boot, umbra_elf, tdp):
    """An exception whose delivery reads memory that is not RAM ends that
    guest with the reason, on nested paging (a nested fault during event
    delivery) and on shadow paging (a #PF during event delivery) alike."""
    r = boot("qemu", kernel=umbra_elf, cpu="max", timeout=QEMU_TIMEOUT,
             modules=[(guest("hostile"), "name=hostile tdp=%s -- idt-beyond-ram" % tdp),
                      (guest("hello"), "name=hello tdp=%s" % tdp)])
    check_idt_beyond_ram(r.serial, "hostile")
    if tdp == "off":
        check_shadowed(r.serial, "hostile")
    else:
        check_nested(r.serial, "hostile", "npt")
    check_guest_passed(r.serial, "hello")
    check_summary(r.serial, 1, 1)
    expect_status(r, FAIL)


def test_svm_global_tdp_off(boot, umbra_elf):
    """umbra's tdp=off is every module's default; a module's tdp=on wins."""
    shadowed = ["hello", "paging", "mmio"]
    mods = [(guest(n), "name=%s mem=%s" % (n, QEMU_MEM)) for n in shadowed]
    mods.append((guest("cpu"), "name=cpu mem=%s tdp=on" % QEMU_MEM))
    r = boot("qemu", kernel=umbra_elf, cpu="max", timeout=QEMU_TIMEOUT, append="tdp=off",
             modules=mods)
    assert "cmdline: problems" not in r.serial
    for n in shadowed:
        check_guest_passed(r.serial, n)
        check_shadowed(r.serial, n)
    check_guest_passed(r.serial, "cpu")
    check_nested(r.serial, "cpu", "npt")
    check_summary(r.serial, 4, 0)
    expect_status(r, PASS)


def test_svm_paging_with_tiny_shadow_budget(boot, umbra_elf):
    r = boot("qemu", kernel=umbra_elf, cpu="max", timeout=QEMU_TIMEOUT,
             modules=[(guest("paging"), "name=paging tdp=off shadow_pages=%d" % TINY_BUDGET)])
    check_guest_passed(r.serial, "paging")
    check_reclaimed(check_shadowed(r.serial, "paging"), "paging")
    expect_status(r, PASS)


def test_svm_cpu_without_npt_uses_shadow_paging(boot, umbra_elf):
    r = boot("qemu", kernel=umbra_elf, cpu="max,-npt", timeout=QEMU_TIMEOUT,
             modules=[(guest(n), "name=%s mem=%s" % (n, QEMU_MEM)) for n in CLEAN_GUESTS])
    report = bootlib.SVM_RE.findall(r.serial)
    assert report and bootlib.fields(report[0]).get("npt") == "0", \
        "the CPU report should say npt=0: %s" % report[:1]
    for n in CLEAN_GUESTS:
        check_guest_passed(r.serial, n)
        check_shadowed(r.serial, n)
    check_summary(r.serial, len(CLEAN_GUESTS), 0)
    expect_status(r, PASS)


def test_bad_tdp_and_budget_values_are_named(boot, umbra_elf):
    r = boot("qemu", kernel=umbra_elf, cpu="max", timeout=QEMU_TIMEOUT,
             modules=[(guest("hello"), "name=hello tdp=maybe shadow_pages=8")])
    assert "module hello: bad value 'maybe' for tdp= (use on|off)" in r.serial
    assert re.search(r"module hello: bad value '8' for shadow_pages= \(use 16 to \d+ pages",
                     r.serial)
    check_guest_passed(r.serial, "hello")
    expect_status(r, PASS)


# ---------------------------------------------------------------- VMX (Bochs)
def test_vmx_guests_with_tdp_off(boot_bochs, tmp_path):
    """The four clean guests and, as paging-tiny, paging with the smallest
    budget, all on shadow paging in one Bochs boot."""
    tiny = tmp_path / "paging-tiny.elf"  # the ISO names modules by file name
    tiny.write_bytes(guest("paging").read_bytes())
    mods = [(guest(n), "name=%s mem=%s tdp=off" % (n, BOCHS_MEM)) for n in CLEAN_GUESTS]
    mods.append((tiny, "name=paging-tiny mem=%s tdp=off shadow_pages=%d" % (BOCHS_MEM,
                                                                            TINY_BUDGET)))
    r = boot_bochs(mods, timeout=BOCHS_TIMEOUT)
    bootlib.check_vmx_enabled(r.serial)
    for n in CLEAN_GUESTS + ["paging-tiny"]:
        check_guest_passed(r.serial, n)
        check_shadowed(r.serial, n)
    check_reclaimed(shadow_stats(r.serial, "paging-tiny"), "paging-tiny")
    check_summary(r.serial, len(mods), 0)
    expect_status(r, PASS)


def test_vmx_hostile_and_elf64_with_tdp_off(boot_bochs, tmp_path):
    far = tmp_path / "hostile-far-idt.elf"  # the ISO names modules by file name
    far.write_bytes(guest("hostile").read_bytes())
    mods = [(guest("hostile"), "name=hostile mem=%s tdp=off -- cr4-vmxe" % BOCHS_MEM),
            (guest("hello64"), "name=hello64 mem=64M tdp=off -- long live"),
            (far, "name=farIDT mem=%s tdp=off -- idt-beyond-ram" % BOCHS_MEM)]
    r = boot_bochs(mods, timeout=BOCHS_TIMEOUT)
    bootlib.check_vmx_enabled(r.serial)
    check_hostile_contained(r.serial)
    assert re.search(r"^\[hostile\] PASS: hostile\.cr4_vmxe_gp$", r.serial, re.M), \
        "setting CR4.VMXE did not get #GP (or was skipped)"
    check_shadowed(r.serial, "hostile")
    assert "[hello64] hello64: long mode, command line 'long live'" in r.serial
    check_guest_passed(r.serial, "hello64")
    check_shadowed(r.serial, "hello64")
    check_idt_beyond_ram(r.serial, "farIDT")
    check_summary(r.serial, 1, 2)
    expect_status(r, FAIL)  # hostile ends by triple fault

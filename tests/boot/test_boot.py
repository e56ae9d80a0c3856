"""Boot tests: every way into the image, each ending with the image's own verdict.

  multiboot1  QEMU -kernel (SeaBIOS's Multiboot1 loader), hello guest via -initrd
  seabios     GRUB ISO (multiboot2) under QEMU + SeaBIOS
  ovmf        GRUB ISO (multiboot2) under QEMU + OVMF (UEFI)
  bochs       GRUB ISO under Bochs (VMX with EPT, VPID, unrestricted guest), hello
              guest under VMX (test_vmx.py has the rest of the Bochs VMX lane)
  pagefault   selftest=pagefault must end in a fail status with an exception report
"""
import re

import bootlib
from bootlib import FAIL, HELLO_CMDLINE, PASS, expect_status

QEMU_TIMEOUT = 120
OVMF_TIMEOUT = 240
BOCHS_TIMEOUT = 60


def check_boot(result, boot_proto, firmware):
    """The lines every successful boot prints, in the image's own words."""
    serial = result.serial
    b = bootlib.banner(serial)
    assert b, "no banner 'umbra <version> x86_64 boot=... firmware=...' on serial"
    assert b["boot"] == boot_proto, "banner says boot=%s, expected %s" % (b["boot"], boot_proto)
    assert b["firmware"] == firmware, "banner says firmware=%s, expected %s" % (
        b["firmware"], firmware)
    if bootlib.VERSION:
        assert b["version"] == bootlib.VERSION, "banner version %s, VERSION file says %s" % (
            b["version"], bootlib.VERSION)
    assert re.search(r"^selftest: \d+ passed, 0 failed$", serial, re.M), "self-checks did not all pass"
    m = bootlib.MEMORY_RE.search(serial)
    assert m, "no 'memory: ... usable=...' line"
    assert re.search(r"[1-9]", m.group("usable")), "usable memory is zero: %s" % m.group(0)


def check_hello_module(result, hello_guest):
    mods = bootlib.modules(result.serial)
    hello = [m for m in mods if m["name"] == "hello"]
    assert hello, "no line \"module hello: size=N cmdline='...'\" (modules seen: %s)" % mods
    assert hello[0]["size"] == hello_guest.stat().st_size, "hello size %d, file has %d bytes" % (
        hello[0]["size"], hello_guest.stat().st_size)
    # QEMU's Multiboot1 loader puts the file name first in a module's command
    # line; GRUB's module2 does not. Either way the options must be there.
    assert HELLO_CMDLINE in hello[0]["cmdline"], "hello cmdline %r lacks %r" % (
        hello[0]["cmdline"], HELLO_CMDLINE)


def check_svm(result):
    lines = bootlib.SVM_RE.findall(result.serial)
    assert lines, "no 'svm: ...' CPU report (QEMU -cpu max has SVM with NPT)"
    f = bootlib.fields(lines[0])
    assert f.get("npt") == "1", "SVM report without npt=1: %s" % lines[0]


def check_hello_ran(result, how=r"svm npt asid=\d+"):
    """The hello guest ran (under SVM with NPT unless how says otherwise) and passed."""
    s = result.serial
    assert re.search(r"^vm 0 hello: created: %s mem=64 MiB " % how, s, re.M), \
        "no VM start line 'vm 0 hello: created: %s mem=64 MiB ...' for hello" % how
    assert re.search(r"^\[hello\] PASS: ", s, re.M), "hello printed no PASS line"
    assert not re.search(r"^\[hello\] FAIL: ", s, re.M), "hello reported a failure"
    assert re.search(r"^vm 0 hello: ended: .*status=0 result=pass$", s, re.M)
    assert re.search(r"^umbra: guests: 1 passed, 0 failed$", s, re.M)


def check_vmx(result):
    bootlib.check_vmx_enabled(result.serial)


def check_ends_with(result, status):
    assert bootlib.status_lines(result.serial), "no 'umbra: exit status=...' line"
    want = "umbra: exit status=%s" % status
    assert bootlib.last_line(result.serial) == want, "last serial line is %r, expected %r" % (
        bootlib.last_line(result.serial), want)


def test_multiboot1_qemu_kernel(boot, umbra_elf, hello_guest):
    r = boot("qemu", kernel=umbra_elf, modules=[(hello_guest, HELLO_CMDLINE)], cpu="max",
             timeout=QEMU_TIMEOUT)
    expect_status(r, PASS)
    check_boot(r, "multiboot1", "bios")
    check_hello_module(r, hello_guest)
    check_svm(r)
    check_hello_ran(r)
    check_ends_with(r, "pass")


def test_iso_seabios(boot, umbra_iso, hello_guest):
    r = boot("qemu", iso=umbra_iso, cpu="max", timeout=QEMU_TIMEOUT)
    # GRUB's module2 line carries "-- <guest command line>" through to the guest.
    assert "[hello] hello: loader 'umbra', command line 'greetings from the module command line'" \
        in r.serial
    assert "warning: module hello" not in r.serial
    expect_status(r, PASS)
    check_boot(r, "multiboot2", "bios")
    check_hello_module(r, hello_guest)
    check_svm(r)
    check_hello_ran(r)
    check_ends_with(r, "pass")


def test_iso_ovmf(boot, umbra_iso, hello_guest):
    r = boot("qemu", iso=umbra_iso, uefi=True, cpu="max", timeout=OVMF_TIMEOUT)
    expect_status(r, PASS)
    check_boot(r, "multiboot2", "uefi")
    check_hello_module(r, hello_guest)
    check_svm(r)
    check_hello_ran(r)
    check_ends_with(r, "pass")


def test_iso_bochs_vmx_runs_hello(boot, umbra_iso, hello_guest):
    """Bochs boots the ISO; umbra enables VMX with EPT, VPID and unrestricted
    guest, and the ISO's hello guest runs under it and passes (6 to 8 s,
    most of it umbra clearing the guest's 64 MiB)."""
    r = boot("bochs", iso=umbra_iso, timeout=BOCHS_TIMEOUT)
    check_boot(r, "multiboot2", "bios")
    check_hello_module(r, hello_guest)
    check_vmx(r)
    assert "[hello] hello: loader 'umbra', command line 'greetings from the module command line'" \
        in r.serial
    check_hello_ran(r, how=r"vmx ept vpid=\d+")
    expect_status(r, PASS)
    check_ends_with(r, "pass")


def test_selftest_pagefault_reports_and_fails(boot, umbra_elf):
    r = boot("qemu", kernel=umbra_elf, append="selftest=pagefault", cpu="max",
             timeout=QEMU_TIMEOUT)
    expect_status(r, FAIL)
    check_boot(r, "multiboot1", "bios")
    for needle in ("EXCEPTION in umbra: page fault (#PF) vector=14", "cr2=0x00007fdead000000",
                   "rip=0x", "rax=0x", "r15=0x", "page not present, read access"):
        assert needle in r.serial, "exception report lacks %r" % needle
    check_ends_with(r, "fail")

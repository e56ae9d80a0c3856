"""Boot tests of guests under SVM with nested paging (QEMU TCG, -cpu max):
each test guest alone, several at once, a malformed image next to a good
one, and the hostile guest next to hello."""
import re

import pytest

import bootlib
from bootlib import FAIL, PASS, check_guest_passed, elf32_outside_memory, expect_status, guest

TIMEOUT = 180
# Guests that must report every check passed, and end with status 0.
CLEAN_GUESTS = ["hello", "cpu", "paging", "mmio"]


@pytest.mark.parametrize("name", CLEAN_GUESTS)
def test_guest_alone(boot, umbra_elf, name):
    r = boot("qemu", kernel=umbra_elf, modules=[(guest(name), "name=%s" % name)], cpu="max",
             timeout=TIMEOUT)
    expect_status(r, PASS)
    assert re.search(r"^vm 0 %s: created: svm npt asid=\d+ mem=64 MiB " % name, r.serial, re.M)
    check_guest_passed(r.serial, name)
    if name == "cpu":
        bootlib.check_registers_survive(r.serial, name)


def test_elf64_guest_starts_in_long_mode(boot, umbra_elf):
    r = boot("qemu", kernel=umbra_elf, cpu="max", timeout=TIMEOUT,
             modules=[(guest("hello64"), "name=hello64 mem=64M -- long live")])
    expect_status(r, PASS)
    assert re.search(r"^vm 0 hello64: created: svm npt asid=\d+ mem=64 MiB entry=0x[0-9a-f]+ "
                     r"mode=long64$", r.serial, re.M)
    assert "[hello64] hello64: long mode, command line 'long live'" in r.serial
    check_guest_passed(r.serial, "hello64")


def test_guest_command_line_after_double_dash(boot, umbra_elf):
    r = boot("qemu", kernel=umbra_elf, cpu="max", timeout=TIMEOUT,
             modules=[(guest("hello"), "name=greeter mem=32M -- hi there  from umbra")])
    expect_status(r, PASS)
    assert re.search(r"^vm 0 greeter: created: svm npt asid=\d+ mem=32 MiB ", r.serial, re.M)
    assert "command line 'hi there  from umbra'" in r.serial
    check_guest_passed(r.serial, "greeter")


def test_bad_module_option_reported_once(boot, umbra_elf):
    r = boot("qemu", kernel=umbra_elf, cpu="max", timeout=TIMEOUT,
             modules=[(guest("hello"), "name=hello bogus=1 -- a b")])
    expect_status(r, PASS)
    assert r.serial.count("module hello: unknown option 'bogus=1' ignored") == 1, \
        "module options are parsed once, so each problem is reported once"
    assert "command line 'a b'" in r.serial


def test_several_guests_each_attributed(boot, umbra_elf):
    names = ["hello", "cpu", "mmio"]
    r = boot("qemu", kernel=umbra_elf, cpu="max", timeout=TIMEOUT,
             modules=[(guest(n), "name=%s" % n) for n in names])
    expect_status(r, PASS)
    for n in names:
        check_guest_passed(r.serial, n)
    asids = re.findall(r"^vm \d+ \S+: created: svm npt asid=(\d+)", r.serial, re.M)
    assert len(set(asids)) == len(names), "ASIDs not distinct: %s" % asids
    assert re.search(r"^umbra: guests: 3 passed, 0 failed$", r.serial, re.M)


@pytest.mark.parametrize("kind", ["garbage", "outside"])
def test_malformed_guest_next_to_good_one(boot, umbra_elf, tmp_path, kind):
    bad = tmp_path / ("%s.bin" % kind)
    bad.write_bytes(b"this is not an ELF file\n" * 40 if kind == "garbage"
                    else elf32_outside_memory())
    r = boot("qemu", kernel=umbra_elf, cpu="max", timeout=TIMEOUT,
             modules=[(bad, "name=bad"), (guest("hello"), "name=hello")])
    expect_status(r, FAIL)  # not every guest passed
    want = "not an ELF" if kind == "garbage" else "outside the guest"
    m = re.search(r"^error: vm 0 bad: refused: bad guest image: (.*)$", r.serial, re.M)
    assert m, "no refusal line for the bad module"
    assert want in m.group(1), m.group(0)
    check_guest_passed(r.serial, "hello")
    assert re.search(r"^umbra: guests: 1 passed, 1 failed$", r.serial, re.M)


def test_hostile_is_contained_next_to_hello(boot, umbra_elf):
    r = boot("qemu", kernel=umbra_elf, cpu="max", timeout=TIMEOUT,
             modules=[(guest("hostile"), "name=hostile"), (guest("hello"), "name=hello")])
    expect_status(r, FAIL)  # hostile ends by triple fault, which is a failed guest
    s = r.serial
    assert re.search(r"^\[hostile\] hostile: triple-faulting now$", s, re.M)
    assert not re.search(r"^\[hostile\] FAIL", s, re.M), "hostile found a hole"
    assert re.search(r"^\[hostile\] PASS: ", s, re.M)
    vm = bootlib.vms_ended(s).get("hostile")
    assert vm and "triple fault" in vm["reason"] and vm["result"] == "fail", vm
    check_guest_passed(s, "hello")
    assert re.search(r"^umbra: guests: 1 passed, 1 failed$", s, re.M)


def test_runaway_guest_is_preempted_and_ended_by_its_slice_budget(boot, umbra_elf):
    """hello64 with "spin" loops forever without a single exit. Time slices
    let hello run to its end meanwhile, and slices= ends the spinner."""
    r = boot("qemu", kernel=umbra_elf, cpu="max", timeout=TIMEOUT,
             modules=[(guest("hello64"), "name=spinner slices=40 -- spin"),
                      (guest("hello"), "name=hello")])
    expect_status(r, FAIL)  # the spinner did not pass
    s = r.serial
    assert "[spinner] hello64: spinning forever without an exit" in s
    check_guest_passed(s, "hello")
    vm = bootlib.vms_ended(s).get("spinner")
    assert vm and vm["reason"] == "used up its 40 time slices (slices=)", vm
    assert re.search(r"^vm 0 spinner: exits: total=\d+ .*intr=(\d+)", s, re.M)
    assert re.search(r"^umbra: guests: 1 passed, 1 failed$", s, re.M)


def test_fpu_and_debug_registers_are_per_guest(boot, umbra_elf):
    """Two guests keep different values in XMM0 and DR1 over many slices,
    interleaved; the CPU switches neither, umbra must."""
    r = boot("qemu", kernel=umbra_elf, cpu="max", timeout=TIMEOUT,
             modules=[(guest("hello64"), "name=a -- fpuA"), (guest("hello64"), "name=b -- fpuB")])
    expect_status(r, PASS)
    for n in ("a", "b"):
        check_guest_passed(r.serial, n)
        assert "[%s] PASS: hello64.xmm0_kept_across_slices" % n in r.serial
        assert "[%s] PASS: hello64.dr1_kept_across_slices" % n in r.serial
        m = re.search(r"^vm \d+ %s: exits: total=\d+ .*intr=(\d+)" % n, r.serial, re.M)
        assert m and int(m.group(1)) >= 2, "guest %s was not preempted: no interleaving" % n

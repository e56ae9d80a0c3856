"""Boot tests of guests under SVM with nested paging (QEMU TCG, -cpu max):
each test guest alone, several at once, a malformed image next to a good
one, and the hostile guest next to hello."""
import re
import struct

import pytest

import bootlib
from bootlib import FAIL, PASS, STATUS_NAMES

TIMEOUT = 180
# Guests that must report every check passed, and end with status 0.
CLEAN_GUESTS = ["hello", "cpu", "paging", "mmio"]
VM_END_RE = re.compile(
    r"^vm (?P<id>\d+) (?P<name>\S+): ended: (?P<reason>.*); status=(?P<status>\d+) "
    r"result=(?P<result>pass|fail)$", re.M)


def guest(name):
    path = bootlib.GUESTS / ("%s.elf" % name)
    if not path.is_file():
        pytest.fail("%s is missing: run `make`" % path, pytrace=False)
    return path


def expect_status(result, want):
    assert result.status == want, "expected %s, got %s: %s" % (
        STATUS_NAMES[want], STATUS_NAMES.get(result.status, result.status), result.describe())


def ended(serial):
    return {m.group("name"): m.groupdict() for m in VM_END_RE.finditer(serial)}


def check_guest_passed(serial, name):
    lines = re.findall(r"^\[%s\] (.*)$" % re.escape(name), serial, re.M)
    assert lines, "guest %s printed nothing" % name
    fails = [l for l in lines if l.startswith("FAIL")]
    assert not fails, "guest %s reported failures: %s" % (name, fails)
    summary = [l for l in lines if re.match(r"^\d+ passed, \d+ failed$", l)]
    assert summary, "guest %s printed no 'N passed, N failed' line" % name
    npass, nfail = map(int, re.findall(r"\d+", summary[-1]))
    assert npass > 0 and nfail == 0, "guest %s: %s" % (name, summary[-1])
    vm = ended(serial).get(name)
    assert vm, "no 'vm N %s: ended' line" % name
    assert vm["result"] == "pass" and vm["status"] == "0", vm
    assert re.search(r"^vm \d+ %s: exits: total=\d+" % re.escape(name), serial, re.M), \
        "no exit statistics for %s" % name


@pytest.mark.parametrize("name", CLEAN_GUESTS)
def test_guest_alone(boot, umbra_elf, name):
    r = boot("qemu", kernel=umbra_elf, modules=[(guest(name), "name=%s" % name)], cpu="max",
             timeout=TIMEOUT)
    expect_status(r, PASS)
    assert re.search(r"^vm 0 %s: created: svm npt asid=\d+ mem=64 MiB " % name, r.serial, re.M)
    check_guest_passed(r.serial, name)


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


def elf32_outside_memory():
    """A 32-bit ELF with a Multiboot header whose one segment lies at 3 GiB."""
    mb = struct.pack("<III", 0x1BADB002, 3, (-(0x1BADB002 + 3)) & 0xFFFFFFFF)
    code = mb + b"\xf4" * 16
    ehdr = struct.pack("<4sBBBB8sHHIIIIIHHHHHH", b"\x7fELF", 1, 1, 1, 0, b"\0" * 8, 2, 3, 1,
                       0xC0000000 + 12, 52, 0, 0, 52, 32, 1, 0, 0, 0)
    phdr = struct.pack("<IIIIIIII", 1, 84, 0xC0000000, 0xC0000000, len(code), len(code), 5,
                       0x1000)
    return ehdr + phdr + code


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
    vm = ended(s).get("hostile")
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
    vm = ended(s).get("spinner")
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

"""The Bochs VMX lane: test guests under Intel VMX with EPT and VPID.

Bochs (Debian's build, cpu model corei7_skylake_x: VMX with EPT, VPID and
unrestricted guest) boots a GRUB ISO that each test makes in its tmp_path
with scripts/mkiso (about 0.4 s), holding umbra.elf and the guests it wants;
the bochsrc, bochs.log and com1.log stay in tmp_path/bochs. Covered:

  alone      each clean guest by itself: hello, cpu, paging, mmio, and
             hello64 (an ELF64 that starts in long mode)
  together   hello, cpu, paging and mmio in one run, each with its own VPID
  malformed  two bad images (not an ELF; a segment outside guest memory)
             refused next to hello, which still passes
  hostile    next to hello; it ends by triple fault and hello passes. With
             cr4-vmxe: umbra hides VMX, so the guest setting CR4.VMXE must
             get #GP (the SVM lane leaves it out: QEMU's TCG hangs on it)
  slices     a runaway guest (interrupts off, no exits) preempted and ended
             by slices=; two guests keeping XMM0 and DR1 across slices
  CPUs       Nehalem (no unrestricted guest: a Multiboot guest refused, an
             ELF64 one runs, paging with tdp=off runs) and Core 2 (VMX umbra refuses, naming why)

Time, measured on the 2-core development machine (Bochs 2.7, run-bochs's
defaults: 20 M instructions per emulated second, 256 MiB): the whole file
takes about 100 s, thirteen Bochs boots of 3 to 20 s each (the two slice
tests are the long ones) plus 0.3 to 1 s of mkiso per test. About 2 s of every boot is BIOS, GRUB and umbra's start; a guest
of 16 MiB alone takes 3 to 4 s, the four together about 7 s, hello64 with
its 64 MiB about 7 s. Each test prints its mkiso and Bochs times (pytest -s).
test_boot.py's test_iso_bochs_vmx_runs_hello boots the default ISO the same
way (about 6 s).

  make -j2 && make iso && /usr/bin/python3 -m pytest tests/boot/test_vmx.py -v
"""
import re

import pytest

import bootlib
from bootlib import FAIL, PASS, check_guest_passed, elf32_outside_memory, expect_status, guest

# Per boot: about 8 times the slowest run seen, so a stuck guest costs a minute, not more.
TIMEOUT = 60
CLEAN_GUESTS = ["hello", "cpu", "paging", "mmio"]
# Guest RAM: umbra clears it with a byte loop, about 0.1 s per MiB under
# Bochs, so 16 MiB (what paging, the hungriest of these guests, needs)
# rather than the default 64 MiB saves about 5 s per guest; four guests of
# 64 MiB would not even fit in Bochs's 256 MiB next to umbra. hello64
# checks that it got 64 MiB, so it keeps that.
MEM = "16M"
MEM_MIB = 16
VMX_CREATED_RE = re.compile(
    r"^vm (?P<id>\d+) (?P<name>\S+): created: vmx ept vpid=(?P<vpid>\d+) mem=(?P<mem>\d+) MiB "
    r"entry=0x(?P<entry>[0-9a-f]+) mode=(?P<mode>\S+)$", re.M)


def vmx_created(serial):
    """{name: fields of its 'vm N NAME: created: vmx ept vpid=N ...' line}."""
    return {m.group("name"): m.groupdict() for m in VMX_CREATED_RE.finditer(serial)}


def option(cmdline, key):
    """'name=hello mem=32M -- x' -> option(.., 'name') == 'hello' (umbra's part only)."""
    for word in cmdline.split(" -- ", 1)[0].split():
        if word.startswith(key + "="):
            return word[len(key) + 1:]
    return None


def check_booted(result, mods):
    """The harness worked: Bochs booted umbra from the ISO, and umbra lists
    each module we put there, with its size and command line."""
    banner = bootlib.banner(result.serial)
    assert banner and banner["boot"] == "multiboot2" and banner["firmware"] == "bios", \
        "no banner 'umbra ... boot=multiboot2 firmware=bios': %s" % result.describe()
    seen = {m["name"]: m for m in bootlib.modules(result.serial)}
    for path, cmdline in mods:
        name = option(cmdline, "name")
        assert name in seen, "no line \"module %s: size=...\" (modules seen: %s)" % (
            name, sorted(seen))
        assert seen[name]["size"] == path.stat().st_size, seen[name]
        assert seen[name]["cmdline"] == cmdline, seen[name]


def check_created(serial, name, vm_id, mem_mib=MEM_MIB, mode=None):
    vm = vmx_created(serial).get(name)
    assert vm, "no line 'vm %d %s: created: vmx ept vpid=N mem=... MiB ...'" % (vm_id, name)
    assert vm["id"] == str(vm_id) and vm["mem"] == str(mem_mib), vm
    if mode:
        assert vm["mode"] == mode, vm
    return vm


def check_summary(serial, passed, failed):
    assert bootlib.guests_summary(serial) == (passed, failed), \
        "no line 'umbra: guests: %d passed, %d failed'" % (passed, failed)


@pytest.mark.parametrize("name", CLEAN_GUESTS)
def test_guest_alone(boot_bochs, name):
    mods = [(guest(name), "name=%s mem=%s" % (name, MEM))]
    r = boot_bochs(mods, timeout=TIMEOUT)
    check_booted(r, mods)
    bootlib.check_vmx_enabled(r.serial)
    check_created(r.serial, name, 0, mode="prot32")
    check_guest_passed(r.serial, name)
    if name == "cpu":
        bootlib.check_registers_survive(r.serial, name)
    check_summary(r.serial, 1, 0)
    expect_status(r, PASS)


def test_elf64_guest_starts_in_long_mode(boot_bochs):
    mods = [(guest("hello64"), "name=hello64 mem=64M -- long live")]
    r = boot_bochs(mods, timeout=TIMEOUT)
    check_booted(r, mods)
    bootlib.check_vmx_enabled(r.serial)
    check_created(r.serial, "hello64", 0, mem_mib=64, mode="long64")
    assert "[hello64] hello64: long mode, command line 'long live'" in r.serial
    check_guest_passed(r.serial, "hello64")
    expect_status(r, PASS)


def test_guests_together_each_with_its_vpid(boot_bochs):
    mods = [(guest(n), "name=%s mem=%s" % (n, MEM)) for n in CLEAN_GUESTS]
    r = boot_bochs(mods, timeout=TIMEOUT)
    check_booted(r, mods)
    bootlib.check_vmx_enabled(r.serial)
    vpids = [check_created(r.serial, n, i)["vpid"] for i, n in enumerate(CLEAN_GUESTS)]
    assert len(set(vpids)) == len(vpids), "VPIDs not distinct: %s" % vpids
    assert "0" not in vpids, "VPID 0 is the hypervisor's: %s" % vpids
    for n in CLEAN_GUESTS:
        check_guest_passed(r.serial, n)
    check_summary(r.serial, 4, 0)
    expect_status(r, PASS)


def test_malformed_guests_next_to_good_one(boot_bochs, tmp_path):
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(b"this is not an ELF file\n" * 40)
    outside = tmp_path / "outside.bin"
    outside.write_bytes(elf32_outside_memory())
    mods = [(garbage, "name=garbage mem=%s" % MEM), (outside, "name=outside mem=%s" % MEM),
            (guest("hello"), "name=hello mem=%s" % MEM)]
    r = boot_bochs(mods, timeout=TIMEOUT)
    check_booted(r, mods)
    bootlib.check_vmx_enabled(r.serial)
    for vm_id, name, want in ((0, "garbage", "not an ELF"), (1, "outside", "outside the guest")):
        m = re.search(r"^error: vm %d %s: refused: bad guest image: (.*)$" % (vm_id, name),
                      r.serial, re.M)
        assert m, "no refusal line for %s" % name
        assert want in m.group(1), m.group(0)
    check_created(r.serial, "hello", 2)
    check_guest_passed(r.serial, "hello")
    check_summary(r.serial, 1, 2)
    expect_status(r, FAIL)  # not every guest passed


def test_hostile_is_contained_next_to_hello(boot_bochs):
    mods = [(guest("hostile"), "name=hostile mem=%s -- cr4-vmxe" % MEM),
            (guest("hello"), "name=hello mem=%s" % MEM)]
    r = boot_bochs(mods, timeout=TIMEOUT)
    check_booted(r, mods)
    bootlib.check_vmx_enabled(r.serial)
    s = r.serial
    check_created(s, "hostile", 0)
    check_created(s, "hello", 1)
    assert not re.search(r"^\[hostile\] FAIL", s, re.M), "hostile found a hole"
    assert re.search(r"^\[hostile\] PASS: hostile\.cr4_vmxe_gp$", s, re.M), \
        "setting CR4.VMXE did not get #GP (or was skipped)"
    assert re.search(r"^\[hostile\] hostile: triple-faulting now$", s, re.M)
    vm = bootlib.vms_ended(s).get("hostile")
    assert vm and "triple fault" in vm["reason"] and vm["result"] == "fail", vm
    check_guest_passed(s, "hello")
    check_summary(s, 1, 1)
    expect_status(r, FAIL)  # hostile ends by triple fault, which is a failed guest


def test_runaway_guest_is_preempted_and_ended_by_its_slice_budget(boot_bochs):
    """hello64 with "spin" loops with interrupts off and no exit. The slice
    timer still ends its slices (under Bochs through the VMX-preemption
    timer's poll, see docs/intel-vmx.md); hello runs meanwhile, and
    slices=8 ends the spinner. About 8 s."""
    mods = [(guest("hello64"), "name=spinner slices=8 -- spin"),
            (guest("hello"), "name=hello mem=%s" % MEM)]
    r = boot_bochs(mods, timeout=TIMEOUT)
    s = r.serial
    assert "[spinner] hello64: spinning forever without an exit" in s
    vm = bootlib.vms_ended(s).get("spinner")
    assert vm and vm["reason"] == "used up its 8 time slices (slices=)", vm
    m = re.search(r"^vm 0 spinner: exits: total=\d+ .*intr=(\d+)", s, re.M)
    assert m and int(m.group(1)) == 8, "the spinner was not preempted once per slice"
    check_guest_passed(s, "hello")
    check_summary(s, 1, 1)
    expect_status(r, FAIL)


def test_fpu_and_debug_registers_are_per_guest(boot_bochs, tmp_path):
    """Two guests keep different values in XMM0 and DR1 over interleaved
    slices; VMX switches neither, umbra must. About 20 s."""
    other = tmp_path / "hello64b.elf"  # the ISO names modules by file name
    other.write_bytes(guest("hello64").read_bytes())
    mods = [(guest("hello64"), "name=a -- fpuA"), (other, "name=b -- fpuB")]
    r = boot_bochs(mods, timeout=TIMEOUT)
    for n in ("a", "b"):
        check_guest_passed(r.serial, n)
        assert "[%s] PASS: hello64.xmm0_kept_across_slices" % n in r.serial
        assert "[%s] PASS: hello64.dr1_kept_across_slices" % n in r.serial
        m = re.search(r"^vm \d+ %s: exits: total=\d+ .*intr=(\d+)" % n, r.serial, re.M)
        assert m and int(m.group(1)) >= 2, "guest %s was not preempted: no interleaving" % n
    expect_status(r, PASS)


def test_cpu_without_unrestricted_guest(boot_bochs):
    """Bochs's Nehalem (corei5_lynnfield_750): EPT and VPID but no
    unrestricted guest. A Multiboot guest starts with paging off, which
    this CPU cannot run: refused with the reason; an ELF64 guest (long
    mode from its first instruction) runs, and so does a Multiboot guest on
    shadow paging (tdp=off: the CPU then always runs it with paging on),
    here paging, which also turns its own paging off and on. About 20 s."""
    mods = [(guest("hello"), "name=hello mem=%s" % MEM), (guest("hello64"), "name=hello64"),
            (guest("paging"), "name=paging mem=%s tdp=off" % MEM)]
    r = boot_bochs(mods, cpu="corei5_lynnfield_750", timeout=TIMEOUT)
    assert re.search(r"^vmx: enabled: ept=1 vpid=1 unrestricted=0 ", r.serial, re.M)
    assert re.search(r"^error: vm 0 hello: refused: it starts with paging off, which needs "
                     r"VMX unrestricted guest; this CPU lacks it$", r.serial, re.M)
    check_created(r.serial, "hello64", 1, mem_mib=64, mode="long64")
    check_guest_passed(r.serial, "hello64")
    assert re.search(r"^vm \d+ paging: created: vmx shadow vpid=\d+ ", r.serial, re.M), \
        "paging was not created on shadow paging"
    check_guest_passed(r.serial, "paging")
    check_summary(r.serial, 2, 1)
    expect_status(r, FAIL)


def test_cpu_lacking_required_vmx_controls_is_refused(boot_bochs):
    """Bochs's Core 2 (core2_penryn_t9600) has VMX without EPT and without
    saving/loading PAT and EFER: umbra names everything it lacks and runs
    no guest. About 3 s."""
    mods = [(guest("hello"), "name=hello mem=%s" % MEM)]
    r = boot_bochs(mods, cpu="core2_penryn_t9600", timeout=TIMEOUT)
    m = re.search(r"^error: vmx: this CPU lacks what umbra needs: (.*)$", r.serial, re.M)
    assert m, "no refusal naming the missing VMX controls"
    for need in ("save IA32_PAT on exit", "load IA32_EFER on entry"):
        assert need in m.group(1), m.group(0)
    assert re.search(r"^umbra: 1 guest\(s\) not run: no usable hardware virtualization$",
                     r.serial, re.M)
    expect_status(r, FAIL)

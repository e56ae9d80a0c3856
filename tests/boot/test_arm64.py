"""arm64 boot tests: umbra at EL2 on QEMU virt (TCG, GICv3), guests at EL1 in
their own stage-2 address spaces (docs/arm64.md).

  matrix      -cpu max, cortex-a57, cortex-a53 (PARange 48 or 52, 44, 40 bits)
              x IPA widths 32, 36, 40, 44, 48 where the CPU has them: one boot
              per cell running the five test guests (hello, mmu, mmio, psci,
              hostile) from one bundle, each with that ipa=; every stage2: line
              checked against the geometry rule of mm/stage2.h
  too wide    a guest asking for more than the CPU has is refused by name,
              the guest next to it runs
  EL1         without virtualization=on umbra says so and the run fails
  exit paths  semihosting (QEMU status) and, without it, PSCI SYSTEM_OFF
              (the serial status line)
  bundles     not a cpio archive, no manifest, a cut archive, a missing image
  psci        the psci guest's "off", "cpuoff" and "reset" endings
  make run    `make ARCH=arm64 run` boots the hello guest
  runner      scripts/run-qemu --arch arm64: the QEMU command line, QEMU errors
"""
import os
import re
import subprocess

import pytest

import bootlib
from bootlib import EMU_ERROR, FAIL, PASS, STATUS_NAMES

TIMEOUT = 90
GUESTS = bootlib.ARM64_GUEST_NAMES
GUEST_MEM_MIB = 64
WIDTHS = (32, 36, 40, 44, 48)
# What each CPU model reports (ID registers as QEMU 7.x sets them): PARange
# in bits (max: 48, or 52 where QEMU gives it FEAT_LPA), VMID bits, VHE,
# and the GICv3 system-register interface (-M virt,gic-version=3).
CPUS = {
    "max": {"parange": (48, 52), "vmid_bits": 16, "vhe": 1, "gicv3": 1},
    "cortex-a57": {"parange": (44,), "vmid_bits": 8, "vhe": 0, "gicv3": 1},
    "cortex-a53": {"parange": (40,), "vmid_bits": 8, "vhe": 0, "gicv3": 1},
}
# The widest IPA umbra gives a VM: the PA range, at most 48 bits (no FEAT_LPA2).
MAX_IPA = {"max": 48, "cortex-a57": 44, "cortex-a53": 40}
MATRIX = [(cpu, w) for cpu in CPUS for w in WIDTHS if w <= MAX_IPA[cpu]]
# Widths each CPU must refuse: above its PA range, or above 48 (52 needs LPA2).
TOO_WIDE = {"max": (52,), "cortex-a57": (48,), "cortex-a53": (44, 48)}


# ---------------------------------------------------------------- fixtures
def require(path, how):
    if not os.path.isfile(path):
        pytest.fail("%s is missing: run `%s` in %s first" % (path, how, bootlib.REPO),
                    pytrace=False)
    return path


@pytest.fixture(scope="module")
def umbra_bin():
    """build/arm64/umbra.bin, the arm64 Image."""
    return require(bootlib.ARM64_IMAGE, "make ARCH=arm64")


@pytest.fixture(scope="module")
def a64_guests():
    """{name: build/arm64/guests/<name>.elf} for the five test guests."""
    return {n: require(bootlib.arm64_guest(n), "make ARCH=arm64") for n in GUESTS}


@pytest.fixture(scope="module")
def mkbundle():
    require(bootlib.MKBUNDLE, "git pull (scripts/mkbundle makes guest bundles)")
    return bootlib.make_bundle


def bundle(mkbundle, tmp_path, guests, name="bundle.cpio"):
    """A bundle of guests, each 'IMAGE [options] [-- guest cmdline]'."""
    try:
        return mkbundle(tmp_path / name, guests)
    except RuntimeError as e:
        pytest.fail(str(e), pytrace=False)


# ---------------------------------------------------------------- checks
def expect_status(result, want):
    assert result.status == want, "expected %s, got %s: %s" % (
        STATUS_NAMES[want], STATUS_NAMES.get(result.status, result.status), result.describe())


def check_banner(serial):
    m = bootlib.ARM64_BANNER_RE.search(serial)
    assert m, "no banner 'umbra <version> arm64 boot=image el=2' on serial"
    if bootlib.VERSION:
        assert m.group("version") == bootlib.VERSION, "banner version %s, VERSION says %s" % (
            m.group("version"), bootlib.VERSION)


def check_cpu_line(serial, cpu):
    lines = bootlib.ARM64_CPU_RE.findall(serial)
    m = bootlib.ARM64_CPU_RE.search(serial)
    assert m, "no 'arm64: parange=<bits> vmid_bits=<n> vhe=<0|1> gicv3=<0|1>' line"
    assert len(lines) == 1, "the CPU line appears %d times" % len(lines)
    want = CPUS[cpu]
    got = {k: int(v) for k, v in m.groupdict().items()}
    assert got["parange"] in want["parange"], "-cpu %s: parange=%d, expected %s (%s)" % (
        cpu, got["parange"], " or ".join(map(str, want["parange"])), m.group(0))
    for key in ("vmid_bits", "vhe", "gicv3"):
        assert got[key] == want[key], "-cpu %s: %s=%d, expected %d (%s)" % (
            cpu, key, got[key], want[key], m.group(0))
    return got


def check_memory_line(serial, ram_mib=512):
    m = bootlib.ARM64_MEMORY_RE.search(serial)
    assert m, "no 'memory: usable=N MiB (N bytes) in N ranges, other=N KiB' line"
    usable = int(m.group("bytes"))
    assert int(m.group("mib")) == usable >> 20, "MiB and bytes disagree: %s" % m.group(0)
    assert 0 < usable <= ram_mib << 20, "usable memory %d bytes with -m %d: %s" % (
        usable, ram_mib, m.group(0))
    assert int(m.group("ranges")) >= 1, m.group(0)


def check_boot(result, cpu):
    """The lines every arm64 boot prints: banner, CPU, memory."""
    check_banner(result.serial)
    check_cpu_line(result.serial, cpu)
    check_memory_line(result.serial)


def check_ends_with(result, status):
    assert bootlib.status_lines(result.serial), "no 'umbra: exit status=...' line"
    want = "umbra: exit status=%s" % status
    assert bootlib.last_line(result.serial) == want, "last serial line is %r, expected %r" % (
        bootlib.last_line(result.serial), want)


def check_summary(serial, passed, failed):
    got = bootlib.guests_summary(serial)
    assert got, "no 'umbra: guests: N passed, M failed' line"
    assert got == (passed, failed), "umbra: guests: %d passed, %d failed; expected %d, %d" % (
        got + (passed, failed))


def check_vm(serial, name, ipa, mem_mib=GUEST_MEM_MIB):
    """The VM's created line and its stage2: line, whose geometry must follow
    the rule for its IPA width (bootlib.stage2_expected)."""
    vms = bootlib.arm64_vms(serial)
    vm = vms.get(name)
    assert vm, "no 'vm N %s: created: el2 stage2 vmid=N ipa=N mem=N MiB entry=0x... " \
        "mode=aarch64' line (VMs created: %s)" % (name, sorted(vms))
    assert int(vm["ipa"]) == ipa, "vm %s created with ipa=%s, asked for %d" % (
        name, vm["ipa"], ipa)
    assert int(vm["mem"]) == mem_mib, "vm %s: mem=%s MiB, asked for %d" % (
        name, vm["mem"], mem_mib)
    assert vm["mode"] == "aarch64", "vm %s: mode=%s" % (name, vm["mode"])
    s2 = vm["stage2"]
    assert s2, "no stage2: line for vm %s %s before its created line" % (vm["id"], name)
    want = bootlib.stage2_expected(ipa)
    got = {k: s2[k] for k in want}
    assert got == want, "vm %s ipa=%d: stage2 geometry %s, the rule gives %s" % (
        name, ipa, got, want)
    assert s2["vm"] == int(vm["id"]), (
        "stage2: line of vm %s %s says vm=%d; its id is %s (vmid=%s): the format is "
        "'stage2: vm=<id> ...'" % (vm["id"], name, s2["vm"], vm["id"], vm["vmid"]))
    return vm


def guest_lines(serial, name):
    return re.findall(r"^\[%s\] (.*)$" % re.escape(name), serial, re.M)


def check_guest_passed(serial, name):
    lines = guest_lines(serial, name)
    assert lines, "guest %s printed nothing" % name
    fails = [l for l in lines if l.startswith("FAIL")]
    assert not fails, "guest %s reported failures: %s" % (name, fails)
    summary = [l for l in lines if re.match(r"^\d+ passed, \d+ failed$", l)]
    assert summary, "guest %s printed no 'N passed, N failed' line" % name
    npass, nfail = map(int, re.findall(r"\d+", summary[-1]))
    assert npass > 0 and nfail == 0, "guest %s: %s" % (name, summary[-1])
    vm = bootlib.vms_ended(serial).get(name)
    assert vm, "no 'vm N %s: ended: ...' line" % name
    assert vm["result"] == "pass" and vm["status"] == "0", "vm %s ended: %s" % (name, vm)
    assert re.search(r"^vm \d+ %s: exits: total=\d+" % re.escape(name), serial, re.M), \
        "no exit statistics for %s" % name


def check_guest_sees_ipa(serial, name, ipa):
    """The guest's own report of its IPA width (x4 and the boot information
    page), as hello and mmu print it: '... IPA width <bits> bits ...'."""
    seen = re.findall(r"^\[%s\] .*\bIPA width (\d+) bits" % re.escape(name), serial, re.M)
    assert seen, "guest %s did not report its IPA width" % name
    assert all(int(b) == ipa for b in seen), "guest %s saw IPA width %s, expected %d" % (
        name, seen, ipa)


def refusal(serial, name):
    m = re.search(r"^error: vm \d+ %s: refused: (.*)$" % re.escape(name), serial, re.M)
    return m.group(1) if m else None


# ---------------------------------------------------------------- the matrix
@pytest.mark.parametrize("cpu,ipa", MATRIX, ids=["%s-ipa%d" % c for c in MATRIX])
def test_guests_at_ipa_width(umbra_bin, a64_guests, mkbundle, tmp_path, cpu, ipa):
    """The five test guests in one boot, each in a stage-2 space of ipa bits."""
    init = bundle(mkbundle, tmp_path, ["%s name=%s mem=%dM ipa=%d" % (
        a64_guests[n], n, GUEST_MEM_MIB, ipa) for n in GUESTS])
    r = bootlib.boot_arm64(kernel=umbra_bin, initrd=init, cpu=cpu, timeout=TIMEOUT)
    check_boot(r, cpu)
    vmids = []
    for n in GUESTS:
        vmids.append(check_vm(r.serial, n, ipa)["vmid"])
    assert len(set(vmids)) == len(GUESTS), "VMIDs not distinct: %s" % vmids
    for n in GUESTS:
        check_guest_passed(r.serial, n)
    for n in ("hello", "mmu"):
        check_guest_sees_ipa(r.serial, n, ipa)
    check_summary(r.serial, len(GUESTS), 0)
    check_ends_with(r, "pass")
    expect_status(r, PASS)


@pytest.mark.parametrize("cpu", list(TOO_WIDE))
def test_ipa_wider_than_cpu_is_refused(umbra_bin, a64_guests, mkbundle, tmp_path, cpu):
    """Each too-wide guest is refused with a message naming its ipa=; the one
    that fits (the widest the CPU allows) runs and passes, and so does one
    that asks for no width: it gets the default, min(PA range, 48)."""
    fit = MAX_IPA[cpu]
    specs = ["%s name=fits ipa=%d" % (a64_guests["hello"], fit),
             "%s name=default" % a64_guests["hello"]]
    specs += ["%s name=wide%d ipa=%d" % (a64_guests["hello"], w, w) for w in TOO_WIDE[cpu]]
    r = bootlib.boot_arm64(kernel=umbra_bin, initrd=bundle(mkbundle, tmp_path, specs), cpu=cpu,
                           timeout=TIMEOUT)
    parange = check_cpu_line(r.serial, cpu)["parange"]
    for w in TOO_WIDE[cpu]:
        name = "wide%d" % w
        why = refusal(r.serial, name)
        assert why, "no 'error: vm N %s: refused: ...' line for ipa=%d on -cpu %s" % (
            name, w, cpu)
        assert "ipa=%d" % w in why, "the refusal does not name ipa=%d: %s" % (w, why)
        if w > parange:
            assert "%d-bit" % parange in why or "%d bit" % parange in why, \
                "the refusal does not name the CPU's %d-bit PA range: %s" % (parange, why)
        assert name not in bootlib.arm64_vms(r.serial), "refused VM %s was created" % name
        assert not guest_lines(r.serial, name), "refused guest %s ran" % name
    for name in ("fits", "default"):
        check_vm(r.serial, name, fit)
        check_guest_passed(r.serial, name)
        check_guest_sees_ipa(r.serial, name, fit)
    check_summary(r.serial, 2, len(TOO_WIDE[cpu]))
    check_ends_with(r, "fail")
    expect_status(r, FAIL)


# ---------------------------------------------------------------- how runs start and end
def test_el1_entry_is_refused(umbra_bin, a64_guests, mkbundle, tmp_path):
    """Without virtualization=on QEMU enters at EL1: umbra says so and fails."""
    init = bundle(mkbundle, tmp_path, ["%s name=hello" % a64_guests["hello"]])
    r = bootlib.boot_arm64(kernel=umbra_bin, initrd=init, cpu="max", virtualization=False,
                           timeout=TIMEOUT)
    assert "-M virt,gic-version=3 " in r.log, "QEMU was not started without virtualization=on"
    assert bootlib.EL1_RE.search(r.serial), "no 'umbra: entered at EL1, not EL2: ...' line"
    assert not bootlib.arm64_vms(r.serial), "a VM was created at EL1"
    assert not guest_lines(r.serial, "hello"), "the guest ran at EL1"
    check_ends_with(r, "fail")
    expect_status(r, FAIL)


@pytest.mark.parametrize("outcome", ["pass", "fail"])
def test_psci_system_off_without_semihosting(umbra_bin, a64_guests, mkbundle, tmp_path, outcome):
    """Without -semihosting-config umbra powers off by PSCI SYSTEM_OFF (QEMU
    exits 0 either way) and its status line decides the run."""
    specs = ["%s name=hello" % a64_guests["hello"]]
    if outcome == "fail":
        specs.append("%s name=resetter -- reset" % a64_guests["psci"])
    r = bootlib.boot_arm64(kernel=umbra_bin, initrd=bundle(mkbundle, tmp_path, specs),
                           cpu="max", semihosting=False, timeout=TIMEOUT)
    assert "starting: " in r.log and "-semihosting-config" not in r.log
    assert "powered off" in r.log, "run-qemu did not see a PSCI power-off:\n" + r.log
    check_guest_passed(r.serial, "hello")
    check_ends_with(r, outcome)
    expect_status(r, PASS if outcome == "pass" else FAIL)


# ---------------------------------------------------------------- bundles
def test_initrd_not_a_cpio_archive(umbra_bin, tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"this is neither a cpio archive nor an ELF file\n" * 64)
    r = bootlib.boot_arm64(kernel=umbra_bin, initrd=junk, cpu="max", timeout=TIMEOUT)
    check_banner(r.serial)
    # Not a bundle, so umbra takes the initrd for a guest image, and refuses it.
    errors = re.findall(r"^error: .*\binitrd\b.*$", r.serial, re.M)
    assert any(re.search(r"not an ELF|not a (newc )?cpio|bundle", e) for e in errors), \
        "no error line saying the initrd is neither a bundle nor a guest image: %s" % errors
    assert not bootlib.arm64_vms(r.serial), "a VM was made from junk"
    check_ends_with(r, "fail")
    expect_status(r, FAIL)


def test_bundle_without_manifest(umbra_bin, a64_guests, tmp_path):
    init = bootlib.write_cpio(tmp_path / "nomanifest.cpio",
                              [("hello.elf", open(a64_guests["hello"], "rb").read())])
    r = bootlib.boot_arm64(kernel=umbra_bin, initrd=init, cpu="max", timeout=TIMEOUT)
    check_banner(r.serial)
    assert re.search(r"^error: bundle \S+: no umbra-bundle\.txt in the archive; bundle dropped$",
                     r.serial, re.M), "no error line about the missing umbra-bundle.txt"
    assert not bootlib.arm64_vms(r.serial), "a VM was made without a manifest"
    check_ends_with(r, "fail")
    expect_status(r, FAIL)


def test_bundle_cut_short(umbra_bin, a64_guests, tmp_path):
    """A cpio archive cut in the middle of the guest image."""
    hello = open(a64_guests["hello"], "rb").read()
    whole = bootlib.cpio_newc([(bootlib.BUNDLE_MANIFEST, b"hello.elf name=hello\n"),
                               ("hello.elf", hello)])
    cut = tmp_path / "cut.cpio"
    cut.write_bytes(whole[:len(whole) - len(hello) // 2])
    r = bootlib.boot_arm64(kernel=umbra_bin, initrd=cut, cpu="max", timeout=TIMEOUT)
    check_banner(r.serial)
    assert re.search(r"^error: bundle \S+: malformed archive: .+; bundle dropped$", r.serial,
                     re.M), "no 'bundle ...: malformed archive: ...' error line"
    assert not guest_lines(r.serial, "hello"), "a guest ran from a cut archive"
    check_ends_with(r, "fail")
    expect_status(r, FAIL)


def test_bundle_line_naming_a_missing_image(umbra_bin, a64_guests, tmp_path):
    """A manifest line whose image is not in the archive drops that guest only."""
    hello = open(a64_guests["hello"], "rb").read()
    init = bootlib.write_cpio(tmp_path / "missing.cpio", [
        (bootlib.BUNDLE_MANIFEST, b"nosuch.elf name=ghost\nhello.elf name=hello\n"),
        ("hello.elf", hello)])
    r = bootlib.boot_arm64(kernel=umbra_bin, initrd=init, cpu="max", timeout=TIMEOUT)
    assert re.search(r"^error: bundle \S+: umbra-bundle\.txt line 1: no file 'nosuch\.elf' in "
                     r"the archive; guest dropped$", r.serial, re.M), \
        "no error line about the missing nosuch.elf"
    assert "ghost" not in bootlib.arm64_vms(r.serial)
    check_guest_passed(r.serial, "hello")
    check_ends_with(r, "fail")
    expect_status(r, FAIL)


# ---------------------------------------------------------------- psci guest endings
def test_psci_guest_endings(umbra_bin, a64_guests, mkbundle, tmp_path):
    """psci ends by SYSTEM_OFF (default, pass), CPU_OFF ("cpuoff", pass) or
    SYSTEM_RESET ("reset": umbra does not restart guests, so it failed)."""
    p = a64_guests["psci"]
    init = bundle(mkbundle, tmp_path, ["%s name=off" % p, "%s name=cpuoff -- cpuoff" % p,
                                       "%s name=reset -- reset" % p])
    r = bootlib.boot_arm64(kernel=umbra_bin, initrd=init, cpu="max", timeout=TIMEOUT)
    ended = bootlib.vms_ended(r.serial)
    for name in ("off", "cpuoff"):
        check_guest_passed(r.serial, name)
    assert "SYSTEM_OFF" in ended["off"]["reason"], ended["off"]
    assert "CPU_OFF" in ended["cpuoff"]["reason"], ended["cpuoff"]
    reset = ended.get("reset")
    assert reset, "no 'vm N reset: ended: ...' line"
    assert reset["result"] == "fail", "the guest that asked for a reset passed: %s" % reset
    assert "SYSTEM_RESET" in reset["reason"], "reset guest ended: %s" % reset["reason"]
    assert not [l for l in guest_lines(r.serial, "reset") if l.startswith("FAIL")]
    check_summary(r.serial, 2, 1)
    check_ends_with(r, "fail")
    expect_status(r, FAIL)


# ---------------------------------------------------------------- make run, the runner
def test_make_run_boots_hello(umbra_bin, a64_guests):
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    try:
        r = subprocess.run(["make", "-s", "-C", str(bootlib.REPO), "ARCH=arm64", "run"], env=env,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=TIMEOUT, start_new_session=True)
    except subprocess.TimeoutExpired as e:
        pytest.fail("make ARCH=arm64 run did not end within %ds:\n%s" % (
            TIMEOUT, (e.output or b"").decode("utf-8", "replace")), pytrace=False)
    out = r.stdout.decode("utf-8", "replace").replace("\r", "")
    print(out)
    assert r.returncode == 0, "make ARCH=arm64 run failed (status %d)" % r.returncode
    check_banner(out)
    assert re.search(r"^\[hello\] .*greetings from the bundle", out, re.M), \
        "hello did not print its command line 'greetings from the bundle'"
    check_guest_passed(out, "hello")
    assert "make run: umbra reported pass" in out


def test_runner_arm64_command_line(umbra_bin, tmp_path):
    init = tmp_path / "b.cpio"
    init.write_bytes(bootlib.cpio_newc([]))
    r = subprocess.run([str(bootlib.RUN_QEMU), "--kernel", str(umbra_bin), "--initrd", str(init),
                        "--append", "log=info", "--cpu", "cortex-a53", "--dry-run"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
    cmd = r.stdout.decode()
    assert r.returncode == 0, cmd
    # The arm64 Image is recognised without --arch.
    for part in ("qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -accel tcg "
                 "-cpu cortex-a53 -m 512 ", "-display none -no-reboot -monitor none -serial file:",
                 "-semihosting-config enable=on,target=native",
                 "-kernel %s -initrd %s -append log=info" % (umbra_bin, init)):
        assert part in cmd, "%r not in %s" % (part, cmd)


def test_runner_reports_qemu_errors_as_emulator_errors(umbra_bin):
    r = bootlib.boot_arm64(kernel=umbra_bin, cpu="no-such-cpu", timeout=30)
    expect_status(r, EMU_ERROR)
    assert "QEMU failed: qemu-system-aarch64:" in r.log


def test_el2_exception_dumps_registers(umbra_bin):
    """selftest=pagefault: umbra reads an address its stage-1 tables leave
    unmapped; the EL2 vector prints the syndrome and every register, then the
    run ends with fail status."""
    r = bootlib.boot_arm64(kernel=umbra_bin, append="selftest=pagefault", timeout=60)
    assert r.status == FAIL, r.describe()
    s = r.serial
    assert "umbra: unexpected synchronous exception at EL2" in s
    # A data abort at the current EL (EC 0x25) at address 0.
    assert re.search(r"^  ESR_EL2=0x[0-9a-f]{16} \(EC=0x25 ISS=0x[0-9a-f]+\) "
                     r"FAR_EL2=0x0000000000000000$", s, re.M)
    assert re.search(r"^  ELR_EL2=0x[0-9a-f]{16} SPSR_EL2=0x[0-9a-f]{16} SP=0x[0-9a-f]{16}$",
                     s, re.M)
    for reg in ["x0 ", "x17", "x29", "x30"]:
        assert re.search(r"\b%s\s*=0x[0-9a-f]{16}" % reg.strip(), s), reg
    assert "PANIC: unexpected exception at EL2" in s
    assert s.rstrip().endswith("umbra: exit status=fail")


def test_runaway_guest_is_preempted_and_ended_by_its_slice_budget(umbra_bin, a64_guests,
                                                                  mkbundle, tmp_path):
    """hello with "spin" loops forever without an exit. umbra's EL2 timer
    (CNTHP, through the GICv3) ends each of its slices, so hello runs to its
    end meanwhile, and slices= ends the spinner."""
    init = bundle(mkbundle, tmp_path, [
        "%s name=spinner slices=30 -- spin" % a64_guests["hello"],
        "%s name=hello" % a64_guests["hello"]])
    r = bootlib.boot_arm64(kernel=umbra_bin, initrd=init, timeout=TIMEOUT)
    expect_status(r, FAIL)  # the spinner did not pass
    s = r.serial
    assert re.search(r"^gic: v3, slice timer INTID 26, \d+ ticks per slice$", s, re.M)
    assert "[spinner] hello: spinning forever without an exit" in s
    vm = bootlib.vms_ended(s).get("spinner")
    assert vm and vm["reason"] == "used up its 30 time slices (slices=)", vm
    assert re.search(r"^vm 0 spinner: exits: total=\d+ .*irq=30\b", s, re.M)
    assert re.search(r"^vm 1 hello: ended: the guest called HC_EXIT with status 0; status=0 "
                     r"result=pass$", s, re.M)
    assert re.search(r"^umbra: guests: 1 passed, 1 failed$", s, re.M)


def test_fp_simd_and_el1_registers_are_per_guest(umbra_bin, a64_guests, mkbundle, tmp_path):
    """Two guests keep different values in v0 and TPIDR_EL1 while they take
    turns in time slices; the CPU switches neither, umbra must."""
    init = bundle(mkbundle, tmp_path, ["%s name=a -- keepA" % a64_guests["hello"],
                                       "%s name=b -- keepB" % a64_guests["hello"]])
    r = bootlib.boot_arm64(kernel=umbra_bin, initrd=init, timeout=TIMEOUT)
    expect_status(r, PASS)
    for n in ("a", "b"):
        assert "[%s] PASS: hello.v0_kept_across_slices" % n in r.serial
        assert "[%s] PASS: hello.tpidr_el1_kept_across_slices" % n in r.serial
        m = re.search(r"^vm \d+ %s: exits: total=\d+ .*irq=(\d+)" % n, r.serial, re.M)
        assert m and int(m.group(1)) >= 2, "guest %s was not preempted: no interleaving" % n

"""bootlib: paths, the boot() runner and serial-log parsers for the boot tests.

boot() starts scripts/run-qemu or scripts/run-bochs with a hard timeout and
returns BootResult(status, serial, elapsed); status is one of PASS, FAIL,
TIMEOUT, EMU_ERROR (the scripts' exit codes). boot_arm64() does the same for
the arm64 image under qemu-system-aarch64 -M virt; make_bundle() and
write_cpio() make its initrd; stage2_expected() is the stage-2 geometry rule.
Bochs boots only ISOs: boot_bochs() makes one (make_iso) with the guests and
umbra command line a test wants, then boots it. guest() and
check_guest_passed() are the x86 test guests and their verdict.
"""
import os
import re
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARCH = "x86_64"
BUILD = Path(os.environ.get("UMBRA_BUILD", REPO / "build" / ARCH)).resolve()
UMBRA_ELF = BUILD / "umbra.elf"
UMBRA_ISO = BUILD / "umbra.iso"
GUESTS = BUILD / "guests"
HELLO_ELF = GUESTS / "hello.elf"
HELLO_CMDLINE = "name=hello mem=64M"
RUN_QEMU = REPO / "scripts" / "run-qemu"
RUN_BOCHS = REPO / "scripts" / "run-bochs"
MKISO = REPO / "scripts" / "mkiso"
VERSION = (REPO / "VERSION").read_text().strip() if (REPO / "VERSION").exists() else None

PASS, FAIL, TIMEOUT, EMU_ERROR = 0, 1, 2, 3
STATUS_NAMES = {PASS: "pass", FAIL: "fail", TIMEOUT: "timeout", EMU_ERROR: "emulator error"}

# What the image prints (one line each, on COM1).
BANNER_RE = re.compile(
    r"^umbra (?P<version>\S+) x86_64 boot=(?P<boot>multiboot1|multiboot2) "
    r"firmware=(?P<firmware>bios|uefi)\b", re.M)
MEMORY_RE = re.compile(r"^memory: .*\busable=(?P<usable>\S+)", re.M)
MODULE_RE = re.compile(
    r"^module (?P<name>[^\s:]+): size=(?P<size>\d+) cmdline='(?P<cmdline>[^']*)'", re.M)
SVM_RE = re.compile(r"^svm: .*", re.M)
VMX_RE = re.compile(r"^vmx: .*", re.M)
VMX_ENABLED_RE = re.compile(r"^vmx: enabled: ept=1 vpid=1 unrestricted=1\b.*$", re.M)
STATUS_RE = re.compile(r"^umbra: exit status=(?P<status>pass|fail)\s*$", re.M)


class BootResult(tuple):
    """(status, serial, elapsed), plus .log (the runner's own messages) and .cmd."""

    def __new__(cls, status, serial, elapsed, log="", cmd=()):
        self = tuple.__new__(cls, (status, serial, elapsed))
        self.log = log
        self.cmd = list(cmd)
        return self

    status = property(lambda self: self[0])
    serial = property(lambda self: self[1])
    elapsed = property(lambda self: self[2])

    def describe(self):
        return "%s after %.1fs (%s)" % (STATUS_NAMES.get(self.status, self.status),
                                        self.elapsed, " ".join(map(str, self.cmd)))


def _run_runner(cmd, timeout):
    """Runs a runner script (cmd) with a backstop; returns BootResult and prints it."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=str(REPO), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout + 30)
        status = proc.returncode
    except subprocess.TimeoutExpired:
        # The runner and its emulator share a process group: end both.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
        status = TIMEOUT
        err += b"\nbootlib: runner did not return within %ds; killed\n" % (timeout + 30)
    elapsed = time.monotonic() - start
    serial = out.decode("utf-8", "replace")
    log = err.decode("utf-8", "replace")
    result = BootResult(status, serial, elapsed, log, cmd[1:])
    # Shown by pytest when the test fails.
    print("==== %s" % result.describe())
    print("==== serial log ====")
    print(serial.rstrip("\n"))
    print("==== runner log ====")
    print(log.rstrip("\n"))
    return result


def boot(emulator="qemu", *, kernel=None, iso=None, uefi=False, append=None, modules=(),
         cpu=None, timeout=60, extra=(), script_args=()):
    """Boots the image and returns BootResult(status, serial, elapsed).

    emulator: "qemu" or "bochs"; kernel= boots an ELF with QEMU -kernel
    (Multiboot1), iso= boots a GRUB ISO (QEMU SeaBIOS, QEMU OVMF with
    uefi=True, or Bochs). modules: (path, cmdline) pairs for -kernel boots.
    The run is killed after timeout seconds (the runner's own limit), with a
    second backstop here in case the runner itself hangs.
    """
    if emulator == "qemu":
        cmd = [sys.executable, str(RUN_QEMU)]
        cmd += ["--kernel", str(kernel)] if kernel else ["--iso", str(iso)]
        if uefi:
            cmd.append("--uefi")
        if append is not None:
            cmd += ["--append", append]
        for path, args in modules:
            cmd += ["--initrd", ("%s %s" % (path, args)).strip()]
        if cpu:
            cmd += ["--cpu", cpu]
    elif emulator == "bochs":
        if kernel or uefi or append is not None or modules:
            raise ValueError("Bochs boots ISOs only (kernel, uefi, append, modules are QEMU "
                             "options; boot_bochs() puts modules and append in an ISO)")
        cmd = [sys.executable, str(RUN_BOCHS), "--iso", str(iso)]
        if cpu:
            cmd += ["--cpu", cpu]
    else:
        raise ValueError("emulator must be qemu or bochs, not %r" % emulator)
    cmd += ["--timeout", str(timeout)] + list(script_args)
    if extra:
        cmd += ["--"] + list(extra)
    return _run_runner(cmd, timeout)


def make_iso(out, modules=(), cmdline="", *, kernel=None, timeout=120):
    """scripts/mkiso OUT KERNEL [PATH CMDLINE]... --cmdline CMDLINE: a GRUB ISO
    that boots kernel (default umbra.elf) with cmdline and loads each (path,
    cmdline) module. Module files need distinct base names (mkiso's rule).
    Takes about 0.4 s (grub-mkrescue), so each test can make its own.
    Returns out; raises RuntimeError with mkiso's output when it fails."""
    cmd = [sys.executable, str(MKISO), str(out), str(kernel or UMBRA_ELF)]
    for path, args in modules:
        cmd += [str(path), args]
    cmd += ["--cmdline", cmdline]
    start = time.monotonic()
    r = subprocess.run(cmd, cwd=str(REPO), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=timeout)
    output = r.stdout.decode("utf-8", "replace")
    if r.returncode != 0:
        raise RuntimeError("%s failed (status %d):\n%s" % (" ".join(cmd), r.returncode, output))
    print("==== mkiso took %.2fs: %s" % (time.monotonic() - start, output.strip()))
    return Path(out)


def boot_bochs(modules=(), append="", *, workdir, kernel=None, memory=None, ips=None,
               cpu=None, timeout=120):
    """Boots umbra under Bochs with these modules ((path, cmdline) pairs) and
    umbra command line (append): makes workdir/umbra.iso with make_iso, runs
    scripts/run-bochs on it and returns BootResult(status, serial, elapsed).
    The bochsrc, bochs.log and com1.log stay in workdir/bochs. memory (MiB)
    and ips default to run-bochs's (256 and 20000000)."""
    workdir = Path(workdir)
    iso = make_iso(workdir / "umbra.iso", modules, append, kernel=kernel)
    args = ["--workdir", str(workdir / "bochs")]
    if memory is not None:
        args += ["--memory", str(memory)]
    if ips is not None:
        args += ["--ips", str(ips)]
    return boot("bochs", iso=iso, cpu=cpu, timeout=timeout, script_args=args)


def expect_status(result, want):
    assert result.status == want, "expected %s, got %s: %s" % (
        STATUS_NAMES[want], STATUS_NAMES.get(result.status, result.status), result.describe())


def status_lines(serial):
    return [m.group("status") for m in STATUS_RE.finditer(serial)]


def last_line(serial):
    lines = [l for l in serial.splitlines() if l.strip()]
    return lines[-1].strip() if lines else ""


def banner(serial):
    m = BANNER_RE.search(serial)
    return m.groupdict() if m else None


def modules(serial):
    return [dict(m.groupdict(), size=int(m.group("size"))) for m in MODULE_RE.finditer(serial)]


def fields(line):
    """'svm: npt=1 asids=16 nrips=1' -> {'npt': '1', 'asids': '16', 'nrips': '1'}."""
    return dict(w.split("=", 1) for w in line.split() if "=" in w)


# ---------------------------------------------------------------- x86 test guests
def guest(name):
    """build/x86_64/guests/<name>.elf; fails the test when it is missing."""
    path = GUESTS / ("%s.elf" % name)
    if not path.is_file():
        pytest.fail("%s is missing: run `make`" % path, pytrace=False)
    return path


def check_guest_passed(serial, name):
    """Guest name printed its checks, none failed, and umbra ended it with
    status 0, result=pass, and its exit statistics."""
    lines = re.findall(r"^\[%s\] (.*)$" % re.escape(name), serial, re.M)
    assert lines, "guest %s printed nothing" % name
    fails = [l for l in lines if l.startswith("FAIL")]
    assert not fails, "guest %s reported failures: %s" % (name, fails)
    summary = [l for l in lines if re.match(r"^\d+ passed, \d+ failed$", l)]
    assert summary, "guest %s printed no 'N passed, N failed' line" % name
    npass, nfail = map(int, re.findall(r"\d+", summary[-1]))
    assert npass > 0 and nfail == 0, "guest %s: %s" % (name, summary[-1])
    vm = vms_ended(serial).get(name)
    assert vm, "no 'vm N %s: ended' line" % name
    assert vm["result"] == "pass" and vm["status"] == "0", vm
    assert re.search(r"^vm \d+ %s: exits: total=\d+" % re.escape(name), serial, re.M), \
        "no exit statistics for %s" % name


REGS_STEPS = ("cpuid", "port", "rdmsr", "hypercall", "mmio_r12", "mmio_rbp")


def check_registers_survive(serial, name):
    """The cpu guest's register checks (tests/guests/cpu/regs64.S) ran and
    passed, every step: all general registers but the one an exit writes
    survive CPUID, IN, RDMSR and the hypercall (which umbra handles without
    storing RBP and R12-R15 on SVM) and MMIO emulation based on and into
    R12 and RBP."""
    for step in REGS_STEPS:
        line = "[%s] PASS: mode.long_regs_%s" % (name, step)
        assert line in serial, "no %r" % line


def check_vmx_enabled(serial):
    """The CPU report has EPT, VPID and unrestricted guest (Bochs's
    corei7_skylake_x does), and umbra enabled VMX with all three."""
    lines = VMX_RE.findall(serial)
    assert lines, "no 'vmx: ...' CPU report (Bochs corei7_skylake_x has VMX)"
    f = fields(lines[0])
    for feat in ("ept", "vpid", "unrestricted"):
        assert f.get(feat) == "1", "VMX report without %s=1: %s" % (feat, lines[0])
    assert VMX_ENABLED_RE.search(serial), \
        "no 'vmx: enabled: ept=1 vpid=1 unrestricted=1' line; umbra said: %s" % (
            re.findall(r"^(?:error: )?vmx: .*$", serial, re.M))


def elf32_outside_memory():
    """A 32-bit ELF with a Multiboot header whose one segment lies at 3 GiB."""
    mb = struct.pack("<III", 0x1BADB002, 3, (-(0x1BADB002 + 3)) & 0xFFFFFFFF)
    code = mb + b"\xf4" * 16
    ehdr = struct.pack("<4sBBBB8sHHIIIIIHHHHHH", b"\x7fELF", 1, 1, 1, 0, b"\0" * 8, 2, 3, 1,
                       0xC0000000 + 12, 52, 0, 0, 52, 32, 1, 0, 0, 0)
    phdr = struct.pack("<IIIIIIII", 1, 84, 0xC0000000, 0xC0000000, len(code), len(code), 5,
                       0x1000)
    return ehdr + phdr + code



# ---------------------------------------------------------------- arm64
# build/arm64 (UMBRA_BUILD_ARM64=DIR points the arm64 tests elsewhere; then
# nothing is built): umbra.bin, the arm64 Image, and the test guests.
ARM64_BUILD = Path(os.environ.get("UMBRA_BUILD_ARM64", REPO / "build" / "arm64")).resolve()
ARM64_IMAGE = ARM64_BUILD / "umbra.bin"
ARM64_GUESTS = ARM64_BUILD / "guests"
ARM64_GUEST_NAMES = ("hello", "mmu", "mmio", "psci", "hostile")
MKBUNDLE = REPO / "scripts" / "mkbundle"
BUNDLE_MANIFEST = "umbra-bundle.txt"

ARM64_BANNER_RE = re.compile(r"^umbra (?P<version>\S+) arm64 boot=image el=2$", re.M)
ARM64_CPU_RE = re.compile(
    r"^arm64: parange=(?P<parange>\d+) vmid_bits=(?P<vmid_bits>\d+) vhe=(?P<vhe>\d+) "
    r"gicv3=(?P<gicv3>\d+)$", re.M)
ARM64_MEMORY_RE = re.compile(
    r"^memory: usable=(?P<mib>\d+) MiB \((?P<bytes>\d+) bytes\) in (?P<ranges>\d+) ranges, "
    r"other=(?P<other_kib>\d+) KiB$", re.M)
STAGE2_RE = re.compile(
    r"^stage2: vm=(?P<vm>\d+) ipa=(?P<ipa>\d+) levels=(?P<levels>\d+) "
    r"start_level=(?P<start_level>-?\d+) concat=(?P<concat>\d+) t0sz=(?P<t0sz>\d+) "
    r"sl0=(?P<sl0>\d+)$", re.M)
ARM64_VM_CREATED_RE = re.compile(
    r"^vm (?P<id>\d+) (?P<name>\S+): created: el2 stage2 vmid=(?P<vmid>\d+) ipa=(?P<ipa>\d+) "
    r"mem=(?P<mem>\d+) MiB entry=0x(?P<entry>[0-9a-f]+) mode=(?P<mode>\S+)$", re.M)
VM_END_RE = re.compile(
    r"^vm (?P<id>\d+) (?P<name>\S+): ended: (?P<reason>.*); status=(?P<status>\d+) "
    r"result=(?P<result>pass|fail)$", re.M)
GUESTS_SUMMARY_RE = re.compile(r"^umbra: guests: (?P<passed>\d+) passed, (?P<failed>\d+) failed$",
                               re.M)
EL1_RE = re.compile(r"^umbra: entered at EL1, not EL2: .*$", re.M)


def arm64_guest(name):
    """build/arm64/guests/<name>.elf (may be missing: the caller checks)."""
    return ARM64_GUESTS / ("%s.elf" % name)


def boot_arm64(*, kernel=None, initrd=None, append=None, cpu="max", memory=None, timeout=60,
               virtualization=True, semihosting=True, extra=(), script_args=()):
    """Boots the arm64 image with scripts/run-qemu --arch arm64 and returns
    BootResult(status, serial, elapsed): QEMU virt with EL2 (unless
    virtualization=False: then QEMU enters at EL1) and GICv3, semihosting on
    (unless semihosting=False: umbra then powers off by PSCI and the serial
    status line decides), initrd = the guest bundle."""
    cmd = [sys.executable, str(RUN_QEMU), "--arch", "arm64",
           "--kernel", str(kernel or ARM64_IMAGE), "--cpu", cpu]
    if initrd is not None:
        cmd += ["--initrd", str(initrd)]
    if append is not None:
        cmd += ["--append", append]
    if memory is not None:
        cmd += ["--memory", str(memory)]
    if not virtualization:
        cmd.append("--no-virtualization")
    if not semihosting:
        cmd.append("--no-semihosting")
    cmd += ["--timeout", str(timeout)] + list(script_args)
    if extra:
        cmd += ["--"] + list(extra)
    return _run_runner(cmd, timeout)


def make_bundle(out, guests, timeout=60):
    """scripts/mkbundle OUT 'IMAGE [options] [-- guest cmdline]' ...; guests
    are those strings. Returns out; raises RuntimeError with mkbundle's output
    when it fails."""
    cmd = [sys.executable, str(MKBUNDLE), str(out)] + [str(g) for g in guests]
    r = subprocess.run(cmd, cwd=str(REPO), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=timeout)
    if r.returncode != 0:
        raise RuntimeError("%s failed (status %d):\n%s" % (
            " ".join(cmd), r.returncode, r.stdout.decode("utf-8", "replace")))
    return Path(out)


def cpio_newc(entries):
    """A newc cpio archive (bytes) of regular files: entries is [(name, bytes)];
    the TRAILER!!! entry is added. Independent of scripts/mkbundle, so tests
    can also build archives it would refuse to make."""
    out = bytearray()

    def member(name, data, mode, ino):
        nameb = name.encode() + b"\0"
        hdr = "070701" + "".join("%08X" % v for v in (
            ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(nameb), 0))
        out.extend(hdr.encode() + nameb)
        out.extend(b"\0" * (-len(out) % 4))
        out.extend(data)
        out.extend(b"\0" * (-len(out) % 4))

    for i, (name, data) in enumerate(entries, 1):
        member(name, bytes(data), 0o100644, i)
    member("TRAILER!!!", b"", 0, 0)
    return bytes(out)


def write_cpio(path, entries):
    Path(path).write_bytes(cpio_newc(entries))
    return Path(path)


def stage2_expected(ipa):
    """The stage-2 geometry umbra must choose for an IPA width (4 KiB granule),
    worked out here from the rule in mm/stage2.h's comment, not from its code:
    a start level s resolves widths (3 - s) * 9 + 13 up to that + 12 (one
    full table plus up to 16 concatenated ones); umbra takes the highest s
    (fewest levels) whose range holds ipa. VTCR_EL2.T0SZ = 64 - ipa; SL0
    (4 KiB granule, SL2 = 0) is 0b00 for level 2, 0b01 level 1, 0b10 level 0.
    Returns the dict of the stage2: line's fields (ints), without vm."""
    for start in (3, 2, 1, 0):
        low = (3 - start) * 9 + 13
        if low <= ipa <= low + 12:
            break
    else:
        raise ValueError("no 4 KiB stage-2 start level resolves %d bits" % ipa)
    below = 12 + 9 * (3 - start)       # bits the levels under the root resolve
    root_bits = ipa - below            # bits the root level resolves
    concat = 1 << max(0, root_bits - 9)
    sl0 = {2: 0, 1: 1, 0: 2}[start]
    return {"ipa": ipa, "levels": 4 - start, "start_level": start, "concat": concat,
            "t0sz": 64 - ipa, "sl0": sl0}


def stage2_lines(serial):
    return [{k: int(v) for k, v in m.groupdict().items()} for m in STAGE2_RE.finditer(serial)]


def arm64_vms(serial):
    """{name: created-line fields} with, under 'stage2', the stage2: line that
    came last before that VM's created line (umbra prints it while making the VM)."""
    vms = {}
    for m in ARM64_VM_CREATED_RE.finditer(serial):
        d = m.groupdict()
        before = serial[:m.start()]
        # The stage2: line belongs to this VM only if no other VM was created after it.
        s2 = list(STAGE2_RE.finditer(before))
        prev_created = list(ARM64_VM_CREATED_RE.finditer(before))
        if s2 and (not prev_created or s2[-1].start() > prev_created[-1].start()):
            d["stage2"] = {k: int(v) for k, v in s2[-1].groupdict().items()}
        else:
            d["stage2"] = None
        vms[d["name"]] = d
    return vms


def vms_ended(serial):
    return {m.group("name"): m.groupdict() for m in VM_END_RE.finditer(serial)}


def guests_summary(serial):
    m = GUESTS_SUMMARY_RE.findall(serial)
    return tuple(map(int, m[-1])) if m else None

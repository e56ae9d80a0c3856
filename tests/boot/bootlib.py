"""bootlib: paths, the boot() runner and serial-log parsers for the boot tests.

boot() starts scripts/run-qemu or scripts/run-bochs with a hard timeout and
returns BootResult(status, serial, elapsed); status is one of PASS, FAIL,
TIMEOUT, EMU_ERROR (the scripts' exit codes).
"""
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

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
            raise ValueError("Bochs boots ISOs only (kernel, uefi, append, modules are QEMU options)")
        cmd = [sys.executable, str(RUN_BOCHS), "--iso", str(iso)]
        if cpu:
            cmd += ["--cpu", cpu]
    else:
        raise ValueError("emulator must be qemu or bochs, not %r" % emulator)
    cmd += ["--timeout", str(timeout)] + list(script_args)
    if extra:
        cmd += ["--"] + list(extra)

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

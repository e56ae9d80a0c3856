"""Boot tests of what a user types and what the machine offers: the command line,
bad modules, exit modes, and a CPU without hardware virtualization."""
import re

from bootlib import EMU_ERROR, FAIL, PASS, TIMEOUT, STATUS_NAMES

QEMU_TIMEOUT = 120


def expect_status(result, want):
    assert result.status == want, "expected %s, got %s: %s" % (
        STATUS_NAMES[want], STATUS_NAMES.get(result.status, result.status), result.describe())


def test_unknown_and_bad_options_are_named(boot, umbra_elf):
    r = boot("qemu", kernel=umbra_elf, append="bogus=1 tdp=maybe frobnicate log=debug",
             cpu="max", timeout=QEMU_TIMEOUT)
    expect_status(r, PASS)
    assert "unknown option 'bogus=1'" in r.serial
    assert "unknown option 'frobnicate'" in r.serial
    assert re.search(r"bad value 'maybe' for tdp=.*on\|off", r.serial), "tdp=maybe not reported"
    # log=debug took effect although other words were bad: the memory map is listed.
    assert re.search(r"^debug: memory: \[0x0+-0x[0-9a-f]+\) ram$", r.serial, re.M)


def test_log_level_error_hides_warnings(boot, umbra_elf):
    r = boot("qemu", kernel=umbra_elf, append="log=error", cpu="max", timeout=QEMU_TIMEOUT)
    expect_status(r, PASS)
    # The self-check's deliberate refusals warn; at log=error they are not shown.
    assert "warning:" not in r.serial.split("cmdline:", 1)[1]
    assert "debug:" not in r.serial


def test_zero_length_module_is_dropped(boot, umbra_elf, hello_guest, tmp_path):
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    r = boot("qemu", kernel=umbra_elf, cpu="max", timeout=QEMU_TIMEOUT,
             modules=[(empty, "name=empty"), (hello_guest, "name=hello mem=64M")])
    expect_status(r, PASS)
    assert re.search(r"^warning: .*module.*(empty|zero-length|length 0)", r.serial, re.M | re.I), \
        "no warning about the empty module"
    assert re.search(r"^modules: 1$", r.serial, re.M)
    assert re.search(r"^module hello: size=\d+", r.serial, re.M)


def test_exit_halt_stays_up(boot, umbra_elf):
    """exit=halt ignores the emulator's exit device, as on real hardware."""
    r = boot("qemu", kernel=umbra_elf, append="exit=halt", cpu="max", timeout=8)
    expect_status(r, TIMEOUT)
    assert "umbra: exit status=pass" in r.serial
    assert r.serial.rstrip().endswith("umbra: halted")


def test_cpu_without_svm_or_vmx_is_reported(boot, umbra_elf):
    r = boot("qemu", kernel=umbra_elf, cpu="qemu64,-svm", timeout=QEMU_TIMEOUT)
    expect_status(r, PASS)
    assert "neither SVM nor VMX is present" in r.serial
    assert not re.search(r"^(svm|vmx): ", r.serial, re.M)


def test_console_none_is_silent(boot, umbra_elf):
    r = boot("qemu", kernel=umbra_elf, append="console=none", cpu="max", timeout=QEMU_TIMEOUT)
    expect_status(r, PASS)
    # The banner comes before the command line is read; nothing after it.
    assert "selftest:" not in r.serial
    assert "umbra: exit status" not in r.serial

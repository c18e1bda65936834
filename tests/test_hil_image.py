"""The HIL machine's device tree names a Raspberry Pi and leaves GPIO to the gpio-sim chip (``make hil``
itself boots it; this checks the rewrite of qemu's tree on its own)."""

from __future__ import annotations

from tools.hil.image import PI_MODEL, PI_REVISION, as_raspberry_pi

QEMU_VIRT = """/dts-v1/;

/ {
\tinterrupt-parent = <0x8002>;
\tmodel = "linux,dummy-virt";
\t#size-cells = <0x02>;
\t#address-cells = <0x02>;
\tcompatible = "linux,dummy-virt";

\tgpio-keys {
\t\tcompatible = "gpio-keys";

\t\tpoweroff {
\t\t\tgpios = <0x8005 0x03 0x00>;
\t\t\tlinux,code = <0x74>;
\t\t\tlabel = "GPIO Key Poweroff";
\t\t};
\t};

\tpl061@9030000 {
\t\tphandle = <0x8005>;
\t\tgpio-controller;
\t\tcompatible = "arm,pl061\\0arm,primecell";
\t};

\tpcie@10000000 {
\t\tcompatible = "pci-host-ecam-generic";
\t};
};
"""


def test_the_tree_names_a_raspberry_pi_with_its_board_revision():
    tree = as_raspberry_pi(QEMU_VIRT)
    assert f'\tmodel = "{PI_MODEL}";' in tree
    assert '\tcompatible = "raspberrypi,model-zero-2-w", "brcm,bcm2837";' in tree
    assert f"linux,revision = <{PI_REVISION:#x}>;" in tree
    assert "dummy-virt" not in tree


def test_qemus_own_gpio_controller_and_its_key_are_gone_and_nothing_else():
    tree = as_raspberry_pi(QEMU_VIRT)
    assert "pl061" not in tree and "gpio-keys" not in tree and "poweroff" not in tree
    assert "pcie@10000000 {" in tree and tree.rstrip().endswith("};")
    assert tree.count("{") == tree.count("}")


def test_the_image_build_removes_only_what_it_built_and_leaves_mmdebstrap_its_apt_configuration(tmp_path):
    """Removing all of the root's /tmp took mmdebstrap's apt configuration with it, and mmdebstrap's clean-up
    then ran apt-get update and clean against the host's: the host lost its package lists (#28)."""
    import subprocess

    from tools.hil.image import HERE

    root = tmp_path / "root"
    ours = [root / "tmp" / "lgpio" / "setup.py", root / "tmp" / "wheel" / "lgpio.whl",
            root / "tmp" / "headers" / "h.deb", root / "tmp" / "python3-lgpio.deb",
            root / "var" / "cache" / "apt" / "archives" / "gcc.deb"]
    theirs = [root / "tmp" / "mmdebstrap.apt.conf.Xy12", root / "tmp" / "mmdebstrap.listdir", root / "etc" / "hostname"]
    for path in ours + theirs:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    subprocess.run([str(HERE / "remove-build-files.sh"), str(root)], check=True, timeout=30)
    assert [p for p in ours if p.exists()] == []
    assert all(p.exists() for p in theirs), "only what customize.sh built goes"
    assert not (root / "tmp" / "lgpio").exists() and (root / "tmp").is_dir()


def test_customize_leaves_the_roots_tmp_to_mmdebstrap():
    from tools.hil.image import HERE

    script = (HERE / "customize.sh").read_text()
    assert '/tmp/"*' not in script and "remove-build-files.sh" in script


def test_make_hil_lists_its_steps_and_checks_without_building_or_booting_anything(tmp_path, capsys):
    from tools.hil.__main__ import CHECKS, main

    assert main(["--list", "--cache", str(tmp_path / "cache")]) == 0
    names = capsys.readouterr().out.splitlines()
    assert names[:2] == ["image (built once, then cached)", "release build (aarch64)"]
    assert names[-len(CHECKS):] == [name for name, _ in CHECKS]
    assert "display frames decoded from the SPI bus (SSD1351)" in names
    assert not (tmp_path / "cache").exists(), "nothing built, nothing booted"


def test_the_boards_buses_and_sound_cards_come_from_the_active_lines_of_config_txt(tmp_path):
    """What the Pi's firmware would apply at boot: commented-out lines do not count; each sound overlay
    becomes a loopback card named as its card is, numbered after HDMI's card 0."""
    import os
    import subprocess

    from tools.hil.image import HERE

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    (bin_dir / "modprobe").write_text(f'#!/bin/sh\necho "$@" >> {calls}\n')
    (bin_dir / "modprobe").chmod(0o755)
    config = tmp_path / "config.txt"

    def boot(text: str) -> list[str]:
        config.write_text(text)
        calls.unlink(missing_ok=True)
        subprocess.run([str(HERE / "boot-config.sh")], check=True, timeout=30,
                       env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "HIL_BOOT_CONFIG": str(config)})
        return calls.read_text().splitlines() if calls.exists() else []

    assert boot("#dtparam=i2c_arm=on\n#dtparam=spi=on\ndtparam=audio=on\n") == [], "a fresh card: nothing"
    assert boot("dtparam=spi=on  # display\ndtparam=i2c_arm=on\ndtoverlay=max98357a\n"
                "dtoverlay=adau7002-simple,foo=1\n#dtoverlay=googlevoicehat-soundcard\n") == [
        "hil-spi-loopback", "i2c-stub chip_addr=0x36", "i2c-dev",
        "snd-aloop index=1,2 id=MAX98357A,adau7002 enable=1,1 pcm_substreams=1,1"]
    assert boot("dtoverlay=googlevoicehat-soundcard\n") == [
        "snd-aloop index=1 id=sndrpigooglevoi enable=1 pcm_substreams=1"]

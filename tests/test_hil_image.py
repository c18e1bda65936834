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

// SPDX-License-Identifier: GPL-2.0
/*
 * hil-spi-loopback: the smallest SPI controller that lets spidev run, for the body cam's HIL machine.
 *
 * Debian's arm64 kernel has spidev but, on qemu's virt machine, no SPI controller. This one registers bus 0
 * with chip selects 0 and 1, each with a spidev device (/dev/spidev0.0, /dev/spidev0.1), and completes every
 * transfer at once: what is sent comes back on MISO (loopback). The parameters count what the display wrote,
 * so a test can tell that frames reached the bus: bytes, transfers, and the last transfer's clock.
 */
#include <linux/atomic.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/spi/spi.h>
#include <linux/string.h>

static atomic64_t tx_bytes = ATOMIC64_INIT(0);
static atomic64_t transfers = ATOMIC64_INIT(0);
static atomic_t last_speed_hz = ATOMIC_INIT(0);

static int get_tx_bytes(char *buffer, const struct kernel_param *kp)
{
	return sysfs_emit(buffer, "%lld\n", atomic64_read(&tx_bytes));
}

static int get_transfers(char *buffer, const struct kernel_param *kp)
{
	return sysfs_emit(buffer, "%lld\n", atomic64_read(&transfers));
}

static int get_last_speed_hz(char *buffer, const struct kernel_param *kp)
{
	return sysfs_emit(buffer, "%d\n", atomic_read(&last_speed_hz));
}

static const struct kernel_param_ops tx_bytes_ops = { .get = get_tx_bytes };
static const struct kernel_param_ops transfers_ops = { .get = get_transfers };
static const struct kernel_param_ops last_speed_hz_ops = { .get = get_last_speed_hz };
module_param_cb(tx_bytes, &tx_bytes_ops, NULL, 0444);
MODULE_PARM_DESC(tx_bytes, "bytes sent on the bus since the module loaded");
module_param_cb(transfers, &transfers_ops, NULL, 0444);
MODULE_PARM_DESC(transfers, "transfers since the module loaded");
module_param_cb(last_speed_hz, &last_speed_hz_ops, NULL, 0444);
MODULE_PARM_DESC(last_speed_hz, "clock of the last transfer");

static struct platform_device *pdev;
static struct spi_controller *controller;

static int loopback_transfer_one(struct spi_controller *ctlr, struct spi_device *spi, struct spi_transfer *t)
{
	if (t->rx_buf && t->tx_buf)
		memcpy(t->rx_buf, t->tx_buf, t->len);
	else if (t->rx_buf)
		memset(t->rx_buf, 0, t->len);
	if (t->tx_buf)
		atomic64_add(t->len, &tx_bytes);
	atomic64_inc(&transfers);
	atomic_set(&last_speed_hz, t->speed_hz);
	return 0; /* done: nothing is in flight */
}

static void loopback_set_cs(struct spi_device *spi, bool enable)
{
}

static int __init loopback_init(void)
{
	/* "dh2228fv": a name in spidev's own id table, so spidev binds without a device tree */
	struct spi_board_info info = { .modalias = "dh2228fv", .max_speed_hz = 125000000, .bus_num = 0 };
	int ret, cs;

	pdev = platform_device_register_simple("hil-spi-loopback", -1, NULL, 0);
	if (IS_ERR(pdev))
		return PTR_ERR(pdev);
	controller = spi_alloc_master(&pdev->dev, 0);
	if (!controller) {
		ret = -ENOMEM;
		goto unregister_pdev;
	}
	controller->bus_num = 0;
	controller->num_chipselect = 2;
	controller->mode_bits = SPI_CPOL | SPI_CPHA | SPI_CS_HIGH | SPI_LSB_FIRST | SPI_3WIRE | SPI_NO_CS;
	controller->bits_per_word_mask = SPI_BPW_MASK(8) | SPI_BPW_MASK(16);
	controller->min_speed_hz = 3814;
	controller->max_speed_hz = 125000000;
	controller->transfer_one = loopback_transfer_one;
	controller->set_cs = loopback_set_cs;
	ret = spi_register_controller(controller);
	if (ret) {
		spi_controller_put(controller);
		goto unregister_pdev;
	}
	for (cs = 0; cs < 2; cs++) {
		info.chip_select = cs;
		if (!spi_new_device(controller, &info)) {
			ret = -ENODEV;
			goto unregister_controller;
		}
	}
	return 0;

unregister_controller:
	spi_unregister_controller(controller);
unregister_pdev:
	platform_device_unregister(pdev);
	return ret;
}

static void __exit loopback_exit(void)
{
	spi_unregister_controller(controller);
	platform_device_unregister(pdev);
}

module_init(loopback_init);
module_exit(loopback_exit);
MODULE_DESCRIPTION("SPI loopback controller with spidev devices, for the body cam's HIL machine");
MODULE_LICENSE("GPL");

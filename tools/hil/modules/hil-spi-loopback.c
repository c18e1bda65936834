// SPDX-License-Identifier: GPL-2.0
/*
 * hil-spi-loopback: the smallest SPI controller that lets spidev run, for the body cam's HIL machine.
 *
 * Debian's arm64 kernel has spidev but, on qemu's virt machine, no SPI controller. This one registers bus 0
 * with chip selects 0 and 1, each with a spidev device (/dev/spidev0.0, /dev/spidev0.1), and completes every
 * transfer at once: what is sent comes back on MISO (loopback). The parameters count what the display wrote,
 * so a test can tell that frames reached the bus: bytes, transfers, and the last transfer's clock.
 *
 * While /sys/kernel/debug/hil-spi-loopback/capture is switched on (write "1"; "0" stops, either clears),
 * every transfer is kept there as it went out: one byte for the display's data/command line at that moment
 * ('D' high: data, 'C' low: command, '?' unknown), its length (4 bytes, little-endian), its bytes. The
 * line is read from the GPIO chip labelled dc_chip, line dc_line, as the panel would see it. A full buffer
 * drops further transfers and counts them (capture_dropped): a decoder sees the end, never a hole.
 */
#include <asm/unaligned.h>
#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/gpio/consumer.h>
#include <linux/gpio/driver.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/spi/spi.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

/* exported by gpiolib (EXPORT_SYMBOL_GPL), declared only in its private header in 6.1 */
struct gpio_desc *gpiochip_get_desc(struct gpio_chip *gc, unsigned int hwnum);

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

static char dc_chip[32] = "pinctrl-bcm2835";
static int dc_line = 24;
module_param_string(dc_chip, dc_chip, sizeof(dc_chip), 0444);
MODULE_PARM_DESC(dc_chip, "label of the GPIO chip with the display's data/command line");
module_param(dc_line, int, 0444);
MODULE_PARM_DESC(dc_line, "the data/command line's offset on that chip (BCM 24)");

#define CAPTURE_SIZE (1024 * 1024)
static u8 *capture_buf;
static size_t capture_len;
static bool capturing;
static atomic64_t capture_dropped = ATOMIC64_INIT(0);
static DEFINE_MUTEX(capture_lock);
static struct dentry *debug_dir;

static int get_capture_dropped(char *buffer, const struct kernel_param *kp)
{
	return sysfs_emit(buffer, "%lld\n", atomic64_read(&capture_dropped));
}

static const struct kernel_param_ops capture_dropped_ops = { .get = get_capture_dropped };
module_param_cb(capture_dropped, &capture_dropped_ops, NULL, 0444);
MODULE_PARM_DESC(capture_dropped, "transfers left out of the capture because it was full");

static int match_label(struct gpio_chip *gc, void *data)
{
	return gc->label && !strcmp(gc->label, data);
}

static u8 dc_state(void)
{
	struct gpio_chip *gc = gpiochip_find(dc_chip, match_label);
	struct gpio_desc *desc;
	int value;

	if (!gc)
		return '?';
	desc = gpiochip_get_desc(gc, dc_line);
	if (IS_ERR(desc))
		return '?';
	value = gpiod_get_raw_value_cansleep(desc);
	return value < 0 ? '?' : value ? 'D' : 'C';
}

static void capture_transfer(const void *tx, unsigned int len)
{
	u8 dc;

	if (!READ_ONCE(capturing))
		return;
	dc = dc_state();
	mutex_lock(&capture_lock);
	if (capturing && capture_len + 5 + len <= CAPTURE_SIZE) {
		capture_buf[capture_len] = dc;
		put_unaligned_le32(len, capture_buf + capture_len + 1);
		memcpy(capture_buf + capture_len + 5, tx, len);
		capture_len += 5 + len;
	} else if (capturing) {
		atomic64_inc(&capture_dropped);
	}
	mutex_unlock(&capture_lock);
}

static ssize_t capture_read(struct file *file, char __user *buf, size_t count, loff_t *ppos)
{
	ssize_t ret;

	mutex_lock(&capture_lock);
	ret = simple_read_from_buffer(buf, count, ppos, capture_buf, capture_len);
	mutex_unlock(&capture_lock);
	return ret;
}

static ssize_t capture_write(struct file *file, const char __user *buf, size_t count, loff_t *ppos)
{
	char c;

	if (count < 1 || get_user(c, buf))
		return -EINVAL;
	mutex_lock(&capture_lock);
	capture_len = 0;
	atomic64_set(&capture_dropped, 0);
	WRITE_ONCE(capturing, c == '1');
	mutex_unlock(&capture_lock);
	return count;
}

static const struct file_operations capture_fops = {
	.owner = THIS_MODULE,
	.read = capture_read,
	.write = capture_write,
	.llseek = default_llseek,
};

static struct platform_device *pdev;
static struct spi_controller *controller;

static int loopback_transfer_one(struct spi_controller *ctlr, struct spi_device *spi, struct spi_transfer *t)
{
	if (t->rx_buf && t->tx_buf)
		memcpy(t->rx_buf, t->tx_buf, t->len);
	else if (t->rx_buf)
		memset(t->rx_buf, 0, t->len);
	if (t->tx_buf) {
		atomic64_add(t->len, &tx_bytes);
		capture_transfer(t->tx_buf, t->len);
	}
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

	capture_buf = vmalloc(CAPTURE_SIZE);
	if (!capture_buf)
		return -ENOMEM;
	debug_dir = debugfs_create_dir("hil-spi-loopback", NULL);
	debugfs_create_file("capture", 0600, debug_dir, NULL, &capture_fops);
	pdev = platform_device_register_simple("hil-spi-loopback", -1, NULL, 0);
	if (IS_ERR(pdev)) {
		ret = PTR_ERR(pdev);
		debugfs_remove_recursive(debug_dir);
		vfree(capture_buf);
		return ret;
	}
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
	debugfs_remove_recursive(debug_dir);
	vfree(capture_buf);
	return ret;
}

static void __exit loopback_exit(void)
{
	spi_unregister_controller(controller);
	platform_device_unregister(pdev);
	debugfs_remove_recursive(debug_dir);
	vfree(capture_buf);
}

module_init(loopback_init);
module_exit(loopback_exit);
MODULE_DESCRIPTION("SPI loopback controller with spidev devices, for the body cam's HIL machine");
MODULE_LICENSE("GPL");

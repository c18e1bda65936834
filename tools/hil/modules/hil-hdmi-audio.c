// SPDX-License-Identifier: GPL-2.0
/*
 * hil-hdmi-audio: the sound card a fresh Raspberry Pi OS card has first, for the body cam's HIL machine.
 *
 * With vc4-kms-v3d, card 0 is the HDMI output ("vc4hdmi"). Without a monitor its PCM refuses to open
 * (vc4_hdmi_audio_startup returns -ENODEV), so firmware that plays on ALSA's default card is silent and
 * gets an error, as on a headless camera. This card has that id and that behaviour, and nothing else.
 */
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/string.h>
#include <sound/core.h>
#include <sound/pcm.h>

static struct platform_device *pdev;
static struct snd_card *card;

static int hdmi_open(struct snd_pcm_substream *substream)
{
	return -ENODEV; /* no display connected */
}

static int hdmi_close(struct snd_pcm_substream *substream)
{
	return 0;
}

static int hdmi_trigger(struct snd_pcm_substream *substream, int cmd)
{
	return -ENODEV;
}

static snd_pcm_uframes_t hdmi_pointer(struct snd_pcm_substream *substream)
{
	return 0;
}

static const struct snd_pcm_ops hdmi_ops = {
	.open = hdmi_open,
	.close = hdmi_close,
	.trigger = hdmi_trigger,
	.pointer = hdmi_pointer,
};

static int __init hdmi_init(void)
{
	struct snd_pcm *pcm;
	int ret;

	pdev = platform_device_register_simple("hil-hdmi-audio", -1, NULL, 0);
	if (IS_ERR(pdev))
		return PTR_ERR(pdev);
	ret = snd_card_new(&pdev->dev, 0, "vc4hdmi", THIS_MODULE, 0, &card);
	if (ret)
		goto unregister_pdev;
	strscpy(card->driver, "vc4-hdmi", sizeof(card->driver));
	strscpy(card->shortname, "vc4-hdmi", sizeof(card->shortname));
	strscpy(card->longname, "vc4-hdmi (HIL machine: no display connected)", sizeof(card->longname));
	ret = snd_pcm_new(card, "MAI PCM i2s-hifi-0", 0, 1, 0, &pcm);
	if (ret)
		goto free_card;
	snd_pcm_set_ops(pcm, SNDRV_PCM_STREAM_PLAYBACK, &hdmi_ops);
	strscpy(pcm->name, "MAI PCM i2s-hifi-0", sizeof(pcm->name));
	ret = snd_card_register(card);
	if (ret)
		goto free_card;
	return 0;

free_card:
	snd_card_free(card);
unregister_pdev:
	platform_device_unregister(pdev);
	return ret;
}

static void __exit hdmi_exit(void)
{
	snd_card_free(card);
	platform_device_unregister(pdev);
}

module_init(hdmi_init);
module_exit(hdmi_exit);
MODULE_DESCRIPTION("An HDMI-like sound card that refuses playback, for the body cam's HIL machine");
MODULE_LICENSE("GPL");

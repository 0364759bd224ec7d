/*
 * Latchkey: cryptographic random bytes on the ESP32 (challenges, keys).
 *
 * esp_fill_random() reads the hardware RNG. Its output is truly random only while the RF
 * subsystem (Wi-Fi or Bluetooth) is enabled, or the bootloader's entropy source is on
 * (ESP-IDF "Random Number Generation"); the lock starts BLE before it issues any challenge,
 * so every challenge is drawn with the radio on.
 */
#include "xsmc.h"
#include "esp_random.h"

void xs_latchkey_fill_random(xsMachine *the)
{
	void *data;
	xsUnsignedValue length;
	xsmcGetBufferWritable(xsArg(0), &data, &length);
	esp_fill_random(data, length);
}

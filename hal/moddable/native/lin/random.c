/*
 * Latchkey: random bytes for the DESKTOP SIMULATOR BUILD ONLY (mcconfig -p lin).
 *
 * HOST FALLBACK - NOT FOR DEVICES. This file is compiled only for the `lin` platform, where
 * there is no ESP32 hardware RNG; it asks the Linux kernel (getrandom(2)). The device build
 * uses native/esp32/random.c (esp_fill_random).
 */
#include "xsmc.h"
#include <sys/random.h>

void xs_latchkey_fill_random(xsMachine *the)
{
	unsigned char *data;
	xsUnsignedValue length, done = 0;
	xsmcGetBufferWritable(xsArg(0), (void **)&data, &length);
	while (done < length) {
		ssize_t n = getrandom(data + done, length - done, 0);
		if (n <= 0)
			xsUnknownError("getrandom failed");
		done += (xsUnsignedValue)n;
	}
}

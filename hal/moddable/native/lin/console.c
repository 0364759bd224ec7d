/*
 * Latchkey: a line to stdout, for the DESKTOP SIMULATOR self-test (mcconfig -p lin). A release
 * lin build discards `trace` (xsDebug.c fxVReport prints only to a connected xsbug), so the
 * self-test's report would be invisible when run headless. Not built for devices.
 */
#include "xsmc.h"
#include <stdio.h>

void xs_latchkey_print(xsMachine *the)
{
	fputs(xsmcToString(xsArg(0)), stdout);
	fputc('\n', stdout);
	fflush(stdout);
}

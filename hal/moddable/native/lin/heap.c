/*
 * Latchkey: XS heap figures for the DESKTOP SIMULATOR self-test (mcconfig -p lin). Not built for
 * devices. Reads the machine's own counters: chunk bytes and slot counts (current and peak, as
 * xsMemory.c keeps them) and, in instrumented builds (mcconfig -i), the deepest JS stack use.
 * heapFigures(reset) returns them; with reset true the peaks restart from the current values,
 * so a phase (boot, one presentation) can be measured on its own.
 */
#include "xsAll.h"
#include "xsmc.h"

void xs_latchkey_heap_figures(xsMachine *the)
{
	txMachine *m = (txMachine *)the;
	txInteger stackPeak = -1;
#ifdef mxInstrument
	if (m->stackPeak > m->stack)
		m->stackPeak = m->stack;
	stackPeak = (txInteger)(m->stackTop - m->stackPeak);
#endif
	xsmcVars(1);
	xsResult = xsmcNewObject();
	xsmcSetInteger(xsVar(0), (txInteger)m->currentChunksSize);
	xsmcSet(xsResult, xsID("chunks"), xsVar(0));
	xsmcSetInteger(xsVar(0), (txInteger)m->peakChunksSize);
	xsmcSet(xsResult, xsID("chunksPeak"), xsVar(0));
	xsmcSetInteger(xsVar(0), (txInteger)m->currentHeapCount);
	xsmcSet(xsResult, xsID("slots"), xsVar(0));
	xsmcSetInteger(xsVar(0), (txInteger)m->peakHeapCount);
	xsmcSet(xsResult, xsID("slotsPeak"), xsVar(0));
	xsmcSetInteger(xsVar(0), stackPeak);
	xsmcSet(xsResult, xsID("stackPeak"), xsVar(0));
	xsmcSetInteger(xsVar(0), (txInteger)sizeof(txSlot));
	xsmcSet(xsResult, xsID("slotBytes"), xsVar(0));
	if (xsmcToBoolean(xsArg(0))) {
		m->peakChunksSize = m->currentChunksSize;
		m->peakHeapCount = m->currentHeapCount;
#ifdef mxInstrument
		m->stackPeak = m->stack;
#endif
	}
}

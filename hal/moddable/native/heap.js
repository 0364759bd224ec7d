// XS heap figures for the simulator self-test (lin/heap.c; lin builds only). See heap.d.ts.
export function heapFigures(reset) @ "xs_latchkey_heap_figures";

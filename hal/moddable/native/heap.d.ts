// Types for heap.js: the XS machine's own memory counters (simulator builds only).
export interface HeapFigures {
  /** Chunk heap bytes in use now, and the peak since the last reset. */
  chunks: number;
  chunksPeak: number;
  /** Slots in use now (live and free-listed), and the peak since the last reset. */
  slots: number;
  slotsPeak: number;
  /** Deepest JS stack use in slots since the last reset; -1 unless built with mcconfig -i. */
  stackPeak: number;
  /** sizeof(txSlot) on this build: 32 on 64-bit lin, 16 on the ESP32. */
  slotBytes: number;
}
export function heapFigures(reset: boolean): HeapFigures;

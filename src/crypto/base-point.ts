// The Ed25519 base point B (RFC 8032 §5.1) and the width of its frozen table, shared by the
// verifier and by the tool that generates base-table.ts.

/** Encoding of B: y = 4/5, x positive. */
export const BASE_POINT_BYTES: readonly number[] = Object.freeze([
  0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
  0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
]);

/**
 * wNAF width for [S]B: digits ±1, ±3, …, ±(2^(w−1) − 1), one table entry per odd magnitude. S is
 * split into 128-bit halves, S = S0 + 2^128·S1, over two tables (B and 2^128·B), which halves the
 * doublings when the other scalar is split too (prepared keys).
 */
export const BASE_WINDOW = 6;
export const BASE_TABLE_COUNT = 1 << (BASE_WINDOW - 2);

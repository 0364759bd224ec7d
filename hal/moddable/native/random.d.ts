// Types for random.js (an XS host function; see random.js).
export function fillRandom(buffer: ArrayBuffer | Uint8Array): void;

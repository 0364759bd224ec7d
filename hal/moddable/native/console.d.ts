// Types for console.js: print one line to the simulator's stdout (lin builds only), because a
// release lin build discards `trace` unless xsbug is connected.
export function print(line: string): void;

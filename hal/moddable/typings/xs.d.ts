// From the SDK's xs/includes/xs.d.ts: the global `trace` (serial console / xsbug / stdout on lin).
interface Trace {
  (...log: (string | number | boolean)[]): void;
}
declare const trace: Trace;

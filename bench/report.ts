// Messages from a bench bundle to bench/run.js. issueCommand is xsnap's channel to the host (an
// evaluation returns only its compute units, not values); bench/run.js defines the same global
// when a bundle runs in Node, so cases report the same way on both engines.

declare function issueCommand(message: ArrayBuffer): void;

function send(message: unknown): void {
  // ASCII only, with non-ASCII escaped by hand: XS on the device may have no TextEncoder.
  const text = JSON.stringify(message);
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes.push(c);
    else for (const ch of '\\u' + c.toString(16).padStart(4, '0')) bytes.push(ch.charCodeAt(0));
  }
  issueCommand(Uint8Array.from(bytes).buffer);
}

/** Extra figures of a case (e.g. BLE write counts), merged by the host into that case's results. */
export function report(caseName: string, metrics: Record<string, number | string | boolean>): void {
  send({ type: 'metrics', case: caseName, metrics });
}

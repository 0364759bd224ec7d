// The one result type of the core's parsers (strict CBOR, tickets, BLE messages): a value, or a
// failure that says why. Parsers of untrusted bytes return these instead of throwing, so a caller
// cannot forget a failure path. Also the one way the core turns a caught error into text.

/** ok with a value, or not ok with a failure (by default a one-line `error`). */
export type Result<T, Failure extends object = { error: string }> = { ok: true; value: T } | ({ ok: false } & Failure);

export const failure = (error: string): { ok: false; error: string } => ({ ok: false, error });

/** A caught error as one string, whatever was thrown (XS and Node errors alike). */
export const errorMessage = (error: unknown): string => String((error as Error)?.message ?? error);

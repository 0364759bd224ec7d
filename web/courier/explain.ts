// What each verdict means for the courier standing at the door, in one sentence. The reason names
// and codes are the lock's (src/reasons.ts, docs/ble-protocol.md); an unknown code is shown as a
// generic refusal with its number.

import type { CourierFailure } from '../../courier/session.js';

export const REFUSAL_HELP: Readonly<Record<string, string>> = Object.freeze({
  malformed: 'The ticket is damaged or not a Latchkey ticket.',
  'too-large': 'The ticket is larger than a lock accepts.',
  'unknown-issuer': 'This lock does not trust the issuer that signed the ticket.',
  'bad-signature': 'The issuer signature does not verify: the ticket was altered or signed with another key.',
  'invalid-claims': 'The ticket is signed but its contents are incomplete or inconsistent.',
  'wrong-lock': 'The ticket is for another lock.',
  'window-too-long': 'The ticket is valid for longer than this lock allows.',
  'issued-in-future': "The ticket was issued after the lock's current time: the lock's clock is behind.",
  'not-yet-valid': 'The ticket is not valid yet.',
  expired: 'The ticket has expired.',
  replayed: 'This ticket was already used at this lock; tickets open a lock once.',
  'clock-untrusted': 'The lock does not trust its own clock right now (after a power loss); the owner must set it.',
  backoff: 'Too many failed attempts: wait before trying again.',
  'bad-proof': 'The holder proof does not match: this ticket was issued for another key than the one in this browser.',
  'missing-proof': 'No holder proof was sent.',
  'actuator-fault': 'The bolt did not move (jammed); the ticket is used up.',
  'not-provisioned': 'The lock has no owner yet.',
  'outside-scope': "Outside the days or hours this issuer's tickets are valid at this lock.",
  'do-not-disturb': "The owner's do-not-disturb is on.",
  revoked: 'The owner revoked this ticket, this courier or this issuer.',
  'bad-cnonce': 'The ticket is bound to another connection (cnonce).',
});

export const FAILURE_HELP: Readonly<Record<CourierFailure, string>> = Object.freeze({
  'bad-notification': 'The lock sent something this page could not read (a broken frame).',
  'bad-challenge': "The lock's challenge could not be read, or it speaks another protocol version.",
  'wrong-lock': 'This is not the lock the ticket is for: nothing was sent to it.',
  'bad-result': "The lock's answer could not be read.",
  'bad-error': "The lock's error message could not be read.",
  'unexpected-message': 'The lock sent a message out of turn.',
  'too-many-notifications': 'The lock sent far more than a presentation needs.',
  'proof-failed': 'The holder key could not sign.',
});

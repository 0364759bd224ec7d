// The hardware RNG, as one XS host function (random.c for the ESP32, lin/random.c on the
// simulator). Not Moddable's `rng` module: that is RC4 seeded once, not a CSPRNG.
// fillRandom(buffer) fills an ArrayBuffer or typed array in place.
export function fillRandom(buffer) @ "xs_latchkey_fill_random";

// One line to stdout on the desktop simulator (lin/console.c; lin builds only). See console.d.ts.
export function print(line) @ "xs_latchkey_print";

// Loads code into XS the way a Moddable preload leaves it on the device: every module runs, then
// its module-level objects are frozen (preloaded modules live in flash), then the checks run.
// On the device the XS linker (xsl) puts every object a preloaded module created in ROM: a typed
// array there is read-only (writes are lost: @noble/hashes' working arrays gave wrong digests),
// and xsl 8.2.3 cannot even link a BigInt held in an array (xslSlot.c fxPrepareHeap does not
// count such BigInts: the linker's buffer overflows and it crashes). So, after loading:
// - every object reachable from a module-level binding of the device code (src/, hal/, sim/ and
//   the packages they bundle; not the test harness) is deep-frozen: a write throws;
// - every typed array reachable that way is swapped for a read-only stand-in (a Proxy that drops
//   writes, as flash does, and records them: the run then fails), where the binding or property
//   holding it allows; the others, and ArrayBuffers, are fingerprinted and must not change;
// - a BigInt inside an array is a failure at once.
// Module-level `let` bindings reassigned at run time are not caught (XS keeps those in RAM).
//
// esbuild hoists every bundled module's top-level declarations into the bundle's top level and
// marks each module with a "// path" comment; TypeScript's parser lists those declarations.
import ts from 'typescript';
import { build } from 'esbuild';
import { xsBuildOptions } from '../../tools/device-build.js';

/** Module paths (as esbuild marks them) whose module-level objects would be preloaded on a device. */
const DEVICE_CODE = /^(src|hal|sim)\/|node_modules\//;

/** Top-level bindings of an ESM bundle, each with the module it came from. */
export function topLevelBindings(code) {
  const file = ts.createSourceFile('bundle.js', code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const markers = [];
  for (const m of code.matchAll(/^\/\/ (\S+)$/gm)) markers.push({ at: m.index, path: m[1] });
  const moduleAt = (pos) => {
    let path = '';
    for (const m of markers) if (m.at <= pos) path = m.path;
    return path;
  };
  const names = [];
  const addBinding = (name, pos, assignable) => {
    if (ts.isIdentifier(name)) names.push({ name: name.text, module: moduleAt(pos), assignable });
    else for (const element of name.elements ?? []) if (!ts.isOmittedExpression(element)) addBinding(element.name, pos, assignable);
  };
  for (const statement of file.statements) {
    const pos = statement.getStart(file);
    if (ts.isVariableStatement(statement)) {
      const assignable = (statement.declarationList.flags & ts.NodeFlags.Const) === 0;
      for (const d of statement.declarationList.declarations) addBinding(d.name, pos, assignable);
    } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name) addBinding(statement.name, pos, false);
  }
  return names;
}

/**
 * Bundles an entry (TypeScript source text) for the preload run: ESM, so module scopes stay at
 * the bundle's top level; then turns it into a script whose last statement, `runAll(…);`, is
 * preceded by the preload step over the device code's bindings.
 */
export async function bundlePreloaded(contents, resolveDir) {
  const result = await build({
    ...xsBuildOptions,
    stdin: { contents, resolveDir, loader: 'ts', sourcefile: 'xs-preload-entry.ts' },
    format: 'esm',
  });
  const code = result.outputFiles[0].text;
  const bindings = topLevelBindings(code).filter((b) => DEVICE_CODE.test(b.module.replace(/^(\.\.\/)+main\//, '')));
  const at = code.lastIndexOf('runAll(');
  if (at < 0) throw new Error('preload bundle: the entry must end with runAll(…);');
  // Each root: its label, a getter and (for var/let) a setter, so a typed array can be swapped
  // for a read-only stand-in, as flash would make it.
  const roots = bindings
    .map((b) => `[${JSON.stringify(`${b.module}: ${b.name}`)}, () => ${b.name}${b.assignable ? `, (v) => { ${b.name} = v; }` : ''}]`)
    .join(',\n  ');
  return `${code.slice(0, at)}globalThis.latchkeyPreload([\n  ${roots}\n]);\n${code.slice(at)}`.replace(/^export \{[^}]*\};?$/m, '');
}

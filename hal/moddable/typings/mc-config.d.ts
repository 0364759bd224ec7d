// From the SDK's typings/mc/config.d.ts: the manifest's "config" object (plus name=value
// arguments of mcconfig, which arrive as strings).
declare module 'mc/config' {
  var Config: Record<string, unknown>;
  export { Config as default };
}

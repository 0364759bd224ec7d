// From the SDK's typings/instrumentation.d.ts (module "instrumentation").
declare module 'instrumentation' {
  type InstrumentationKeys = 'XS Slot Heap Used' | 'XS Chunk Heap Used' | 'XS Stack Used' | 'XS Garbage Collection Count' | 'System Free Memory';
  var Instrumentation: {
    get: (what: number | undefined) => number | undefined;
    map: (name: InstrumentationKeys) => number | undefined;
  };
  export { Instrumentation as default };
}

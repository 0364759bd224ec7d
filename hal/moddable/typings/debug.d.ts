// From the SDK's typings/debug.d.ts (module "debug", $(MODULES)/base/debug): gc() collects now.
declare module 'debug' {
  var Debug: {
    gc: (enable?: boolean) => void;
  };
  export { Debug as default };
}

// From the SDK's typings/time.d.ts (module "time").
declare module 'time' {
  var Time: {
    set: (seconds: number) => void;
    timezone: number;
    dst: number;
    ticks: number;
    delta(start: number, end?: number): number;
  };
  export { Time as default };
}

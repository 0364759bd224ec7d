// From the SDK's typings/embedded_io/digital.d.ts (ECMA-419 "embedded:io/digital").
declare module 'embedded:io/digital' {
  type Edge = number;
  class Digital {
    static readonly Input: number;
    static readonly InputPullUp: number;
    static readonly InputPullDown: number;
    static readonly Output: number;
    static readonly Rising: Edge;
    static readonly Falling: Edge;
    constructor(
      options: {
        pin: number | string;
        mode: number;
        initialValue?: 0 | 1;
      } & ({ onReadable: (this: Digital) => void; edge: Edge } | { edge?: Edge }),
    );
    write(value: 0 | 1): void;
    read(): 0 | 1;
    close(): void;
  }
  export default Digital;
}

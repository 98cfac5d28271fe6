/**
 * test/helpers/environment.js: test files run in a context of their own whose global object is
 * not contextified (global names read at full speed), with jest's and Node's globals in place.
 */
import * as vm from "vm";

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the environment is plain JavaScript
const Environment = require("./environment") as typeof import("jest-environment-node").TestEnvironment;
const { createContext } = vm;

describe("the test environment", () => {
  it("creates a vanilla context of its own for each file", () => {
    const config = {
      globalConfig: {},
      projectConfig: { testEnvironmentOptions: {}, globals: {}, fakeTimers: {} },
    };
    const make = () =>
      new Environment(config as never, { console, docblockPragmas: {}, testPath: __filename });
    const [a, b] = [make(), make()];
    const context = a.getVmContext()!;
    // A contextified global is not the object scripts see as `globalThis`; a vanilla one is.
    expect(vm.runInContext("globalThis", context)).toBe(context);
    expect(vm.runInContext("globalThis", vm.createContext())).not.toBe(context);
    // Each its own realm, with Node's globals (read lazily from this process).
    expect(vm.runInContext("Array", context)).not.toBe(vm.runInContext("Array", b.getVmContext()!));
    expect(vm.runInContext("typeof process.cpuUsage", context)).toBe("function");
    // The environment restored vm.createContext.
    expect(vm.createContext).toBe(createContext);
  });

  it("has Node's and jest's globals", () => {
    expect(typeof process.cpuUsage).toBe("function");
    expect(typeof Buffer.from).toBe("function");
    expect(typeof setImmediate).toBe("function");
    expect(typeof jest.fn).toBe("function");
    expect(typeof structuredClone).toBe("function");
    expect(new TextEncoder().encode("a")).toBeInstanceOf(Uint8Array);
  });

  it("reads global names at full speed", () => {
    const xs: unknown[] = [{}, [], "a", 1, null];
    let arrays = 0;
    const start = process.cpuUsage();
    for (let i = 0; i < 2_000_000; i++) if (Array.isArray(xs[i % 5])) arrays++;
    const { user, system } = process.cpuUsage(start);
    expect(arrays).toBe(400_000);
    // A contextified global: ~0.7 s of CPU on the 2-core VM; vanilla: ~0.015 s.
    expect((user + system) / 1000).toBeLessThan(300);
  });
});

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
    // Node before 22.8 has no DONT_CONTEXTIFY: jest's usual contextified global, slower, same tests.
    const vanilla = vm.constants?.DONT_CONTEXTIFY !== undefined;
    expect(vm.runInContext("globalThis", context) === context).toBe(vanilla);
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
});

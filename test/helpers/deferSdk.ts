/**
 * Jest's side of policy/sdkDefer.js (jest `setupFiles`): the `@pulumi/pulumi` modules a run under
 * mocks never uses (the Automation API, the closure serializer and the TypeScript compiler it
 * loads, gRPC, OpenTelemetry, semver), and zod's locales, load on first use in each test file, as
 * they do for the launcher and the pack. Jest gives every test file its own module registry, which `require.cache`
 * stand-ins cannot reach: the same stand-ins are registered as jest module factories instead.
 * Same list (DEFERRED, checked against the installed SDK by test/build.test.ts), same shape: a
 * function per name the importer reads while loading, or a namespace that loads on first read.
 */
import * as path from "path";
import { DEFERRED, DEFERRED_OUTSIDE_SDK, deferredFile } from "../../policy/sdkDefer";

const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const root = path.join(__dirname, "..", "..");

for (const [file, names] of [
  ...Object.entries(DEFERRED).map(([rel, names]) => [deferredFile(sdk, rel), names] as const),
  ...DEFERRED_OUTSIDE_SDK.map((rel) => [deferredFile(root, rel), null] as const),
]) {
  if (!file) continue;
  jest.mock(file, () => {
    let real: Record<string, unknown> | undefined;
    const load = (): Record<string, unknown> => (real ??= jest.requireActual<Record<string, unknown>>(file));
    if (names) {
      const stub: Record<string, unknown> = {};
      for (const name of names) {
        stub[name] = function (this: unknown, ...args: unknown[]) {
          return (load()[name] as (...a: unknown[]) => unknown).apply(this, args);
        };
      }
      return stub;
    }
    return new Proxy(
      { __esModule: true },
      {
        get: (_t, p) => (p === "__esModule" ? true : load()[p as string]),
        has: (_t, p) => p in load(),
        ownKeys: () => Reflect.ownKeys(load()),
        getOwnPropertyDescriptor: (_t, p) => {
          const d = Reflect.getOwnPropertyDescriptor(load(), p);
          return d && { ...d, configurable: true };
        },
      },
    );
  });
}

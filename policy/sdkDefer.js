// @ts-check
/**
 * `@pulumi/pulumi`'s index loads `automation` (execa, js-yaml, the Automation API) and
 * `runtime/closure` (the TypeScript compiler, normalize-package-data) eagerly; neither the offline
 * plan, the analyzer nor the policy pack use them (closure serializes functions for dynamic
 * providers, which load it on demand themselves). It also loads gRPC (`@grpc/grpc-js`, 66 modules,
 * and the generated clients in `proto/*_grpc_pb.js`, which build their classes with it while
 * loading) for talking to the engine, and `@opentelemetry/api` (44 modules) to trace those calls,
 * which a run under mocks never makes; the pack's runner has loaded them before the pack, so there
 * they are the real ones. The SDK's `runtime/rpc.js` loads `semver` (47 modules) for the versions of
 * resource packages, which it compares only when a package registers twice or a resource reference
 * is deserialized (neither happens under mocks). Outside the SDK, zod's index loads its 63 locale
 * catalogues for `z.locales`, which nothing here reads (English, zod's default, is loaded by its
 * schemas on their own). `deferSdkModules` puts lazy stand-ins for those
 * modules in `require.cache` (Node documents that "adding or replacing entries is also possible");
 * the real module loads on first use. Nothing under node_modules is changed. Used by the
 * launcher (scripts/launch.js) and the pack's entry (pack.js), hence here: the pack ships alone.
 */
"use strict";
const Module = require("module");
const path = require("path");

/**
 * The SDK modules deferred, and the names their importers read while loading (functions are
 * wrapped; `null` means the importer only keeps the namespace object). test/build.test.ts checks
 * these against the installed SDK, so an upgrade that changes them fails a test, not a plan.
 * A name starting with a package name is that package's main module, as the SDK resolves it.
 * @type {Record<string, string[] | null>}
 */
const DEFERRED = {
  "automation/index.js": null,
  "runtime/closure/serializeClosure.js": ["serializeFunction", "serializeFunctionAsync"],
  "runtime/closure/codePaths.js": ["computeCodePaths", "findWorkspaceRoot", "packageArchivePath"],
  "proto/callback_grpc_pb.js": null,
  "proto/engine_grpc_pb.js": null,
  "proto/provider_grpc_pb.js": null,
  "proto/resource_grpc_pb.js": null,
  "@grpc/grpc-js": null,
  "@opentelemetry/api": null,
  semver: null,
};

/**
 * Modules of other packages deferred the same way, resolved from the directory given (where their
 * importers are): zod's locale catalogues (`zod/v4/classic/external.cjs` and `zod/v4/core/index.cjs`
 * keep the namespace object only).
 */
const DEFERRED_OUTSIDE_SDK = ["zod/v4/locales"];

/**
 * The file of a DEFERRED entry for the SDK in `sdk`, or of a package (a name without `.js`) as
 * resolved from `sdk` (undefined: a package that cannot be resolved from there).
 */
function deferredFile(/** @type {string} */ sdk, /** @type {string} */ rel) {
  if (rel.endsWith(".js")) return path.join(sdk, rel);
  try {
    return require.resolve(rel, { paths: [sdk] });
  } catch {
    return undefined;
  }
}

/** Installs the lazy stand-ins (before anything loads `@pulumi/pulumi`). */
function deferSdkModules(/** @type {string} */ fromDir) {
  let sdk;
  try {
    sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [fromDir] }));
  } catch {
    return;
  }
  const entries = [
    ...Object.entries(DEFERRED).map(([rel, names]) => ({ file: deferredFile(sdk, rel), names })),
    ...DEFERRED_OUTSIDE_SDK.map((rel) => ({ file: deferredFile(fromDir, rel), names: null })),
  ];
  for (const { file, names } of entries) {
    if (!file || require.cache[file]) continue;
    /** @type {Record<string, unknown> | undefined} */
    let real;
    const load = () => {
      if (!real) {
        delete require.cache[file];
        real = /** @type {Record<string, unknown>} */ (require(file));
      }
      return real;
    };
    const stub = new Module(file);
    stub.filename = file;
    stub.loaded = true;
    if (names) {
      for (const name of names) {
        stub.exports[name] = function (/** @type {unknown[]} */ ...args) {
          return /** @type {(...a: unknown[]) => unknown} */ (load()[name]).apply(this, args);
        };
      }
    } else {
      stub.exports = new Proxy(
        { __esModule: true },
        {
          get: (_t, p) => (p === "__esModule" ? true : load()[/** @type {string} */ (p)]),
          has: (_t, p) => p in load(),
          ownKeys: () => Reflect.ownKeys(load()),
          getOwnPropertyDescriptor: (_t, p) => {
            const d = Reflect.getOwnPropertyDescriptor(load(), p);
            return d && { ...d, configurable: true };
          },
        },
      );
    }
    require.cache[file] = stub;
  }
}

module.exports = { DEFERRED, DEFERRED_OUTSIDE_SDK, deferSdkModules, deferredFile };

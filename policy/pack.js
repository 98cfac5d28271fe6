// @ts-check
/**
 * The pack's entry point (package.json `main`), what `pulumi preview --policy-pack policy` loads:
 * the compiled pack in bin/ (built by `npm ci`, see ../scripts/build.js), not the TypeScript
 * sources, so the CLI neither transpiles nor type-checks 30-odd files on every preview (issue 17).
 *
 * In the repository the sources sit next to it: any source that changed since bin/ was built is
 * compiled first, so the loaded pack is never older than its sources. The published pack
 * (`pulumi policy publish` packs this directory: see `files`) holds only the compiled files.
 */
"use strict";
const fs = require("fs");
const path = require("path");

/** @type {{ enableCompileCache?: () => unknown, flushCompileCache?: () => void }} */
const nodeModule = require("module");
// Node's module compile cache (Node >= 22.1) and the SDK modules a pack never uses left unloaded.
nodeModule.enableCompileCache?.();
require("./sdkDefer.js").deferSdkModules(__dirname);

const builder = path.join(__dirname, "..", "scripts", "build.js");
if (fs.existsSync(path.join(__dirname, "index.ts")) && fs.existsSync(builder)) {
  /** @type {{ ensurePack(): void }} */ (require(builder)).ensurePack();
}
require(path.join(__dirname, "bin", "policy", "index.js"));
// Node writes its compile cache at exit, and the CLI ends the pack's process with a kill (the
// language host's exec.CommandContext), so without this nothing would ever be kept. Also keeps
// the runner's own modules (TypeScript, ts-node, the SDK) when the user or CI sets
// NODE_COMPILE_CACHE, which the CLI passes on. Nothing is written when nothing is new.
nodeModule.flushCompileCache?.();

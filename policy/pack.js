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

// Node's module compile cache (Node >= 22.1) and the SDK modules a pack never uses left unloaded.
/** @type {{ enableCompileCache?: () => unknown }} */ (require("module")).enableCompileCache?.();
require("./sdkDefer.js").deferSdkModules(__dirname);

const builder = path.join(__dirname, "..", "scripts", "build.js");
if (fs.existsSync(path.join(__dirname, "index.ts")) && fs.existsSync(builder)) {
  /** @type {{ ensurePack(): void }} */ (require(builder)).ensurePack();
}
require(path.join(__dirname, "bin", "policy", "index.js"));

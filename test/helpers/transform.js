// @ts-check
/**
 * Jest's transform for .ts files: the compiled build's JavaScript (scripts/build.js), the same
 * the launcher runs. `npm ci` (prepare) has already transpiled every source into bin/, each file
 * headed by the hash of the source it came from: jest reads it instead of transpiling it again
 * (issue 17), and a file whose source changed (or a test, which the build skips) is compiled on
 * first use and kept. Same compiler, same options (tsconfig.json, `isolatedModules`, per file,
 * no type check: that is `npm run check`'s job), an inline source map for stack traces.
 */
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const { buildKey, compiledSource, sourceHeader, transpile } = require("../../scripts/build.js");

/** The code that makes the output besides the compiler: this file and the build. */
const OWN_CODE = [__filename, require.resolve("../../scripts/build.js")]
  .map((f) => fs.readFileSync(f, "utf8"))
  .join("\n");

/** @type {import("@jest/transform").SyncTransformer} */
module.exports = {
  process(sourceText, sourcePath) {
    const js = compiledSource(sourcePath);
    // compiledSource trusts a source whose size and mtime are the recorded ones; a copy that kept
    // both (cp -p, tar) would hand jest the old JavaScript, cached under the new text's key. The
    // compiled file names the text it came from: use it only for the text jest read.
    return { code: js.startsWith(sourceHeader(sourceText)) ? js : transpile(sourceText, sourcePath) };
  },
  // What the output depends on: the source and where it is (the compiled file's source map names
  // it), the compiler and its options (buildKey), and the code of this transform and the build.
  getCacheKey(sourceText, sourcePath) {
    return crypto
      .createHash("sha1")
      .update(`${buildKey()}\n${OWN_CODE}\n${sourcePath}\n${sourceText}`)
      .digest("hex");
  },
};

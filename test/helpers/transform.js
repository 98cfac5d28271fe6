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
const { buildKey, compiledSource } = require("../../scripts/build.js");

/** @type {import("@jest/transform").SyncTransformer} */
module.exports = {
  process(_sourceText, sourcePath) {
    return { code: compiledSource(sourcePath) };
  },
  // What the output depends on: the source and where it is (the compiled file's source map names
  // it), the compiler and its options (buildKey).
  getCacheKey(sourceText, sourcePath) {
    return crypto.createHash("sha1").update(`${buildKey()}\n${sourcePath}\n${sourceText}`).digest("hex");
  },
};

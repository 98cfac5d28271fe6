/**
 * Jest's node environment, its context created without contextifying the global object
 * (`vm.constants.DONT_CONTEXTIFY`, Node >= 22.8; nodejs/node#54394).
 *
 * A contextified global answers every global name a test file's code reads (`Array`, `Object`,
 * `Promise`, `Map`, `JSON` ...) through Node's interceptors, and V8 cannot cache those lookups
 * (nodejs/node#31658): on Node 24 `Array.isArray(x)` costs about 50 times what it costs in a
 * plain process (5 million calls: 1.7 s against 0.03 s of CPU). Under jest the analyzer spent a
 * tenth of its time in one-line helpers such as policy/lib/props.ts `isRecord`, and an
 * evaluation of the dev or prod export cost 20 ms of CPU against 12.8 ms in a plain process.
 * A vanilla context's global is an ordinary object: the same globals, read at full speed.
 *
 * Everything else is jest-environment-node's: it creates the context with `vm.createContext()`
 * (no argument) in its constructor, which here gets `DONT_CONTEXTIFY` for that one call. The test
 * files still run in a context of their own (their own `Object`, `Array`, ...), as before.
 * test/helpers/environment.test.ts checks the context is vanilla and isolated (speed: BENCHMARKS.md,
 * "session 13: mut13"; never a timed test).
 */
"use strict";
const vm = require("vm");
const { TestEnvironment } = require("jest-environment-node");

class VanillaContextEnvironment extends TestEnvironment {
  constructor(config, context) {
    const dontContextify = vm.constants?.DONT_CONTEXTIFY;
    const createContext = vm.createContext;
    if (dontContextify !== undefined)
      vm.createContext = (...args) =>
        args.length === 0 ? createContext(dontContextify) : createContext(...args);
    try {
      super(config, context);
    } finally {
      vm.createContext = createContext;
    }
  }
}

module.exports = VanillaContextEnvironment;

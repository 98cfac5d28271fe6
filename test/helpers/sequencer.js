/**
 * Jest's order with a better guess for files it has no timing for (a fresh clone, CI, a new
 * file): jest runs the longest files first so that no worker idles at the end, and without a
 * recorded duration it takes the file's size. Our longest files are short ones that start
 * processes (the CLIs, the documented commands) or plan and evaluate the stacks, so those
 * count as much bigger. Files with a recorded duration keep jest's own order.
 */
"use strict";
const fs = require("fs");
const Sequencer = require("@jest/test-sequencer").default;

/** A process start costs seconds: such a file weighs 20 times its size. */
const STARTS_PROCESSES = /\b(runScript|spawnSync|spawn|execFileSync|execSync)\(/;
/** A plan or a whole-export evaluation costs a good part of a second. */
const PLANS = /\b(planStack|sharedPlan|sharedExport|evaluateStackExport)\(/;

class SlowFirstSequencer extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const weight = new Map();
    const weightOf = (test) => {
      if (!weight.has(test.path)) {
        const text = fs.readFileSync(test.path, "utf8");
        const factor = 1 + (STARTS_PROCESSES.test(text) ? 20 : 0) + (PLANS.test(text) ? 5 : 0);
        weight.set(test.path, text.length * factor);
      }
      return weight.get(test.path);
    };
    // Jest put the files without a duration first, by size; reorder only those, by weight.
    const untimed = sorted.filter((t) => t.duration == null && !this.hasFailed(t));
    const rest = sorted.filter((t) => !untimed.includes(t));
    const failed = rest.filter((t) => this.hasFailed(t));
    const timed = rest.filter((t) => !this.hasFailed(t));
    return [...failed, ...untimed.sort((a, b) => weightOf(b) - weightOf(a)), ...timed];
  }
}

module.exports = SlowFirstSequencer;

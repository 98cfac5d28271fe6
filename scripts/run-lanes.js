#!/usr/bin/env node
/**
 * Runs npm scripts in concurrent lanes: `node scripts/run-lanes.js a,b c` runs `a` then `b` (stopping
 * at the first failure, as `&&` does) while `c` runs alongside. `npm test` uses it so the static
 * checks (one process each, single-threaded) use the core jest's workers leave idle, instead of
 * running first while the second core waits.
 *
 * Each script runs as `npm run` runs it (its package.json command through the shell, with
 * node_modules/.bin first on PATH). The last lane's output streams as it comes; the others' is
 * held and printed whole when each script ends, so no two interleave mid-line. Exit status: 0 if
 * every script passed, else the first failure's. Plain JavaScript: it starts in milliseconds.
 */
"use strict";
const { spawn } = require("child_process");
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
/** @type {Record<string, string>} */
const scripts = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).scripts;
const lanes = process.argv.slice(2).map((arg) => arg.split(",").filter(Boolean));
const unknown = lanes.flat().filter((name) => scripts[name] === undefined);
if (lanes.length === 0 || unknown.length > 0) {
  process.stderr.write(
    lanes.length === 0
      ? "usage: node scripts/run-lanes.js SCRIPT[,SCRIPT...] [SCRIPT[,SCRIPT...] ...]\n"
      : `run-lanes: no npm script ${unknown.map((n) => JSON.stringify(n)).join(", ")} in package.json\n`,
  );
  process.exit(2);
}

const env = {
  ...process.env,
  PATH: [path.join(root, "node_modules", ".bin"), process.env.PATH].filter(Boolean).join(path.delimiter),
};

/** @type {{ name: string, status: number, seconds: number }[]} */
const results = [];

/**
 * @param {string} name
 * @param {boolean} live
 * @returns {Promise<number>}
 */
function run(name, live) {
  const started = Date.now();
  const header = `\n> ${name}: ${scripts[name]}\n`;
  if (live) process.stdout.write(header);
  return new Promise((resolve) => {
    const child = spawn("sh", ["-c", scripts[name]], {
      cwd: root,
      env,
      stdio: ["ignore", live ? "inherit" : "pipe", live ? "inherit" : "pipe"],
    });
    /** @type {Buffer[]} */
    const held = [];
    child.stdout?.on("data", (chunk) => held.push(chunk));
    child.stderr?.on("data", (chunk) => held.push(chunk));
    child.on("close", (code, signal) => {
      const status = code ?? (signal ? 1 : 0);
      const seconds = (Date.now() - started) / 1000;
      results.push({ name, status, seconds });
      if (!live) process.stdout.write(Buffer.concat([Buffer.from(header), ...held]));
      process.stdout.write(
        `< ${name}: ${status === 0 ? "ok" : `FAILED (exit ${status})`} in ${seconds.toFixed(1)} s\n`,
      );
      resolve(status);
    });
  });
}

/**
 * @param {string[]} lane
 * @param {boolean} live
 */
async function runLane(lane, live) {
  for (const name of lane) if ((await run(name, live)) !== 0) return;
}

const started = Date.now();
void Promise.all(lanes.map((lane, i) => runLane(lane, i === lanes.length - 1))).then(() => {
  const failed = results.filter((r) => r.status !== 0);
  const skipped = lanes.flat().filter((name) => !results.some((r) => r.name === name));
  const summary = results.map(
    (r) => `${r.name} ${r.status === 0 ? "ok" : "FAILED"} ${r.seconds.toFixed(1)} s`,
  );
  process.stdout.write(
    `\nrun-lanes: ${summary.join(", ")}${skipped.length ? `; not run: ${skipped.join(", ")}` : ""}; ` +
      `${((Date.now() - started) / 1000).toFixed(1)} s in all\n`,
  );
  process.exitCode = failed.length > 0 ? failed[0].status : 0;
});

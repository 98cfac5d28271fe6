/** @type {import('jest').Config} */
module.exports = {
  // Node's environment in a vanilla (not contextified) context: global names read at full speed.
  testEnvironment: "<rootDir>/test/helpers/environment.js",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    // The compiled build's JavaScript (scripts/build.js, which `npm ci` runs): each source is
    // transpiled once, per file, for the launcher and jest alike. Type checking is `npm run check`'s.
    "^.+\\.ts$": "<rootDir>/test/helpers/transform.js",
  },
  moduleFileExtensions: ["ts", "js", "json"],
  // Pulumi mock programs hold the event loop briefly; each file gets a fresh registry anyway.
  testTimeout: 120000,
  // The SDK modules a run under mocks never uses load on first use, as under the launcher
  // (policy/sdkDefer.js): each test file's registry otherwise loads them again (TypeScript among them).
  setupFiles: ["<rootDir>/test/helpers/deferSdk.ts"],
  // `SAP_TEST_CPU=FILE`: each test file appends its wall and CPU time to FILE (test/helpers/cpuReport.ts).
  setupFilesAfterEnv: ["<rootDir>/test/helpers/cpuReport.ts"],
  maxWorkers: 2,
  // One directory per run for the dev and prod plans every file shares (test/helpers/plans.ts).
  globalSetup: "<rootDir>/test/helpers/globalSetup.ts",
  globalTeardown: "<rootDir>/test/helpers/globalTeardown.ts",
  // Longest first also on a fresh clone (CI), where jest has no recorded durations.
  testSequencer: "<rootDir>/test/helpers/sequencer.js",
};

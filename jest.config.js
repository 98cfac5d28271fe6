/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    // Type checking is `npm run typecheck`'s job; transpiling per file keeps jest fast (ts-jest
    // transpiles without type information because tsconfig.json sets isolatedModules).
    "^.+\\.ts$": ["ts-jest", { diagnostics: false }],
  },
  moduleFileExtensions: ["ts", "js", "json"],
  // Pulumi mock programs hold the event loop briefly; each file gets a fresh registry anyway.
  testTimeout: 120000,
  maxWorkers: 2,
  // One directory per run for the dev and prod plans every file shares (test/helpers/plans.ts).
  globalSetup: "<rootDir>/test/helpers/globalSetup.ts",
  globalTeardown: "<rootDir>/test/helpers/globalTeardown.ts",
  // Longest first also on a fresh clone (CI), where jest has no recorded durations.
  testSequencer: "<rootDir>/test/helpers/sequencer.js",
};

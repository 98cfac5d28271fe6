/**
 * One directory per jest run for the shared plan fixtures (test/helpers/plans.ts): workers
 * inherit its path through the environment, globalTeardown removes it. A new directory per
 * run means a fixture can never outlive the code that planned it.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** Environment variable naming the run's fixture directory (read by plans.ts). */
export const SHARED_PLANS_ENV = "SAP_TEST_SHARED_PLANS";

export default function globalSetup(): void {
  process.env[SHARED_PLANS_ENV] = fs.mkdtempSync(path.join(os.tmpdir(), "sap-test-plans-"));
}

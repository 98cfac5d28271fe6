/** Removes the run's shared plan fixtures (see globalSetup.ts). */
import * as fs from "fs";
import { SHARED_PLANS_ENV } from "./globalSetup";

export default function globalTeardown(): void {
  const dir = process.env[SHARED_PLANS_ENV];
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

/** What an environment makes mandatory: one module, read by every component (ENV-1). */
import * as fs from "fs";
import * as path from "path";
import {
  customerManagedKeyRequired,
  deletionLockRequired,
  hsmKeysRequired,
  isProduction,
  zoneRedundancyRequired,
} from "../../../components/common/mandatory";
import { ROOT } from "../../helpers/cli";
import { sourceFiles } from "../../helpers/imports";

describe("components/common/mandatory", () => {
  it("makes every rule mandatory in prod, whatever the context's switches say", () => {
    const prod = { environment: "prod", zoneRedundant: false, deletionLocks: false };
    expect(isProduction(prod)).toBe(true);
    expect(zoneRedundancyRequired(prod)).toBe(true);
    expect(deletionLockRequired(prod)).toBe(true);
    expect(customerManagedKeyRequired(prod)).toBe(true);
    expect(hsmKeysRequired(prod)).toBe(true);
  });

  it("leaves dev to the platform's switches", () => {
    const dev = { environment: "dev", zoneRedundant: false, deletionLocks: false };
    expect([isProduction(dev), customerManagedKeyRequired(dev), hsmKeysRequired(dev)]).toEqual([
      false,
      false,
      false,
    ]);
    expect(zoneRedundancyRequired(dev)).toBe(false);
    expect(deletionLockRequired(dev)).toBe(false);
    expect(zoneRedundancyRequired({ ...dev, zoneRedundant: true })).toBe(true);
    expect(deletionLockRequired({ ...dev, deletionLocks: true })).toBe(true);
  });

  it("is the only component source that decides what prod requires", () => {
    const own = path.join(ROOT, "components", "common", "mandatory.ts");
    const deciding = sourceFiles(path.join(ROOT, "components"), [".ts"])
      .filter((file) => file !== own && !file.endsWith(".d.ts"))
      .filter((file) =>
        /environment\s*===\s*["'`]prod["'`]|["'`]prod["'`]\s*===\s*\S*environment/.test(
          fs.readFileSync(file, "utf8"),
        ),
      )
      .map((file) => path.relative(ROOT, file));
    expect(deciding).toEqual([]);
  });
});

/**
 * Limits are declared once (controls/limits.ts). The prose that repeats a number for
 * readers (Pulumi.yaml descriptions and defaults, the README's configuration table) is pinned
 * to that module here, so a changed limit cannot leave a stale copy behind.
 */
import * as fs from "fs";
import * as path from "path";
import { projectDeclarations } from "../config";
import { POSTGRES_TIERS, POSTGRES_VERSIONS } from "../components/postgres.schema";
import { BACKUP_RETENTION_DAYS, LOG_RETENTION_DAYS, type Range } from "../controls/limits";
import { ROOT } from "./helpers/cli";

const declarations = projectDeclarations();
const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

describe.each<[string, Range]>([
  ["backupRetentionDays", BACKUP_RETENTION_DAYS],
  ["logRetentionDays", LOG_RETENTION_DAYS],
])("%s", (key, range) => {
  it("is described in Pulumi.yaml with the range of limits.ts and defaults inside it", () => {
    expect(declarations[key].description).toContain(`${range.min}..${range.max}`);
    expect(declarations[key].default).toBeGreaterThanOrEqual(range.min);
    expect(declarations[key].default).toBeLessThanOrEqual(range.max);
  });

  it("has the same range and default in the README's configuration table", () => {
    const row = readme.split("\n").find((l) => l.startsWith(`| \`secure-azure-platform:${key}\``));
    expect(row).toBe(
      `| \`secure-azure-platform:${key}\` | ${String(declarations[key].default)} | ${range.min}..${range.max} (${/\((\w+-\d)\)/.exec(String(declarations[key].description))?.[1]}) |`,
    );
  });
});

it("Pulumi.yaml lists the PostgreSQL versions and tiers the schema allows", () => {
  const versions = POSTGRES_VERSIONS.slice(0, -1).join(", ") + ` or ${POSTGRES_VERSIONS.at(-1)}`;
  expect(declarations.postgresVersion.description).toContain(`(${versions})`);
  expect(declarations.postgresSkuTier.description).toContain(`(${POSTGRES_TIERS.join(", ")})`);
});

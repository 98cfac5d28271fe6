/**
 * Regenerates the "Every policy" section of docs/policy.md from the policies' own metadata,
 * so the table cannot drift from the pack (test/policy/docs.test.ts compares them).
 *
 *   npm run docs:policies          rewrite the section
 */
import * as fs from "fs";
import * as path from "path";
import { cell } from "../lib/evidence/report";
import { platformPolicies, policiesByService } from "../policy/policies";
import { evaluatedTypes } from "../policy/lib/coverage";
import { PLATFORM_UNEVALUATED_TYPES } from "../policy/policies/general";
import type { PlatformPolicy } from "../policy/lib/types";
import { acceptNoArguments } from "../lib/cli/args";

export const POLICY_DOC = path.resolve(__dirname, "..", "docs", "policy.md");
const HEADING = "## Every policy";

const TITLES: Record<keyof typeof policiesByService, string> = {
  storage: "Storage (accounts, blob service, containers)",
  postgres: "PostgreSQL flexible server",
  redis: "Redis (Managed Redis and legacy Azure Cache for Redis)",
  keyVault: "Key Vault (vaults, keys, secrets)",
  containerApps: "Container Apps (apps, jobs, environments)",
  monitoring: "Monitoring (diagnostic settings, Log Analytics)",
  alerting: "Alerting (metric alerts, action groups)",
  defender: "Defender for Cloud (plans, threat protection)",
  authorization: "Authorization (role assignments, PIM eligibility, custom roles, principals)",
  managedIdentity: "Managed identities (federated credentials)",
  resources: "Resource Manager escape hatches (deployments, template specs, scripts, generic resources)",
  customerManagedKeys: "Customer-managed keys as the data stores use them (strength, rotation)",
  dataStores: "Every data store (private connectivity, locks and protect)",
  network: "Network (security rules, subnets, public IPs, peerings, private DNS, private endpoints)",
  general: "Every Azure resource (location, tags, type gate)",
  environment: "Environment separation",
  edge: "Edge (Front Door, WAF, Private Link origins)",
  sentinel: "Microsoft Sentinel (SIEM)",
  stackOutputs: "Stack outputs",
};

function configCell(policy: PlatformPolicy): string {
  const props = Object.entries(policy.configSchema?.properties ?? {});
  if (props.length === 0) return "—";
  return props.map(([key, schema]) => `\`${key}\` (${cell(JSON.stringify(schema.default))})`).join(", ");
}

/** The "Every policy" section: one table per service, one row per policy. */
export function renderPolicySection(): string {
  const out = [HEADING, ""];
  for (const [service, policies] of Object.entries(policiesByService) as [
    keyof typeof policiesByService,
    readonly PlatformPolicy[],
  ][]) {
    out.push(`### ${TITLES[service]}`, "");
    out.push("| Policy | Controls | Severity | Checks | Config (default) |", "|---|---|---|---|---|");
    for (const p of policies) {
      out.push(
        `| \`${p.name}\` | ${p.controls.join(", ")} | ${p.severity} | ${cell(p.description)} | ${configCell(p)} |`,
      );
    }
    out.push("");
  }
  out.push(
    "### Azure types a service policy evaluates",
    "",
    "Any token form of these (aliases, API versions, parameterized packages) is evaluated; every other Azure type gets location, tags and `azure-resource-type-allowed` only.",
    "",
    [...evaluatedTypes(platformPolicies)]
      .sort()
      .map((t) => `\`${t}\``)
      .join(", "),
    "",
    "Allowed in both presets although no service policy evaluates them (`allowedUnevaluatedTypes`):",
    "",
    PLATFORM_UNEVALUATED_TYPES.map((t) => `\`${t}\``).join(", "),
    "",
  );
  return out.join("\n");
}

/** docs/policy.md with its "Every policy" section (always the last one) replaced. */
export function renderPolicyDoc(current: string): string {
  const at = current.indexOf(`\n${HEADING}\n`);
  if (at < 0) throw new Error(`docs/policy.md has no "${HEADING}" section to regenerate`);
  return `${current.slice(0, at + 1)}${renderPolicySection()}`;
}

if (require.main === module) {
  acceptNoArguments(
    "docs:policies",
    'usage: npm run docs:policies\n  rewrites the "Every policy" section of docs/policy.md from the policies\' metadata',
    process.argv.slice(2),
  );
  const next = renderPolicyDoc(fs.readFileSync(POLICY_DOC, "utf8"));
  fs.writeFileSync(POLICY_DOC, next);
  console.log(`Wrote ${path.relative(process.cwd(), POLICY_DOC)}.`);
}

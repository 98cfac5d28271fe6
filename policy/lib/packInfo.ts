/**
 * The pack's own metadata for Pulumi Cloud (displayName, provider, tags, readme), from the
 * policies themselves so it cannot drift from them. policy/index.ts passes it to the PolicyPack.
 */
import type { PolicyPackArgs } from "@pulumi/policy";
import { FRAMEWORKS } from "./frameworks";
import { CONTROL_IDS, type PlatformPolicy } from "./types";

export const PACK_NAME = "secure-azure-platform";

export function packInfo(
  policies: readonly PlatformPolicy[],
): Required<Pick<PolicyPackArgs, "displayName" | "provider" | "tags" | "readme">> {
  const rows = policies.map(
    (p) => `| \`${p.name}\` | ${p.controls.join(", ")} | ${p.severity} | ${p.framework?.reference ?? ""} |`,
  );
  const frameworks = Object.entries(FRAMEWORKS).map(([name, f]) => `${name} (${f.version})`);
  return {
    displayName: "Secure Azure Platform",
    provider: "azure",
    tags: ["azure", "azure-native", "security", "compliance", "soc2", "gdpr"],
    readme: [
      "# Secure Azure Platform policy pack",
      "",
      `Blocks azure-native resources that break the platform's security controls (${CONTROL_IDS.join(", ")}),`,
      `mapped to ${frameworks.join(" and ")}. Every policy defaults to mandatory; run it with a`,
      "stack preset (`--policy-pack-config policy/config/<stack>.json`): dev relaxes exactly what",
      "the dev stack does not have, prod keeps every control mandatory.",
      "",
      "| Policy | Controls | Severity | Framework criteria |",
      "|---|---|---|---|",
      ...rows,
      "",
    ].join("\n"),
  };
}

/**
 * A stack configuration with `n` container apps made from the stack's own: how the plan's cost
 * is measured as the estate grows (`npm run bench`'s plan:apps:200, scripts/compare-plans.ts).
 * The first app keeps its ingress, the rest are internal; each gets its own name and secret names.
 */
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { PROJECT } from "../../config/schema";

const APPS_KEY = `${PROJECT}:apps`;

/** `n` apps made from `apps` (the last one repeated once they run out). */
export function appsConfig(apps: Record<string, unknown>[], n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => {
    const base = apps[Math.min(i, apps.length - 1)];
    const secrets = Object.fromEntries(
      Object.keys((base.secrets as Record<string, string> | undefined) ?? {}).map((k) => [
        k,
        `app${i}-${k.toLowerCase().replace(/_/g, "-")}`,
      ]),
    );
    return {
      ...base,
      name: `app${String(i).padStart(3, "0")}`,
      ingress: i === 0 ? base.ingress : "internal",
      secrets,
    };
  });
}

/** The text of a stack file (`Pulumi.<stack>.yaml`) with its apps replaced by `n` of them. */
export function scaledStackFile(stackFileText: string, n: number): string {
  const doc = parseYaml(stackFileText) as { config: Record<string, unknown> };
  doc.config[APPS_KEY] = appsConfig(doc.config[APPS_KEY] as Record<string, unknown>[], n);
  return stringifyYaml(doc, { aliasDuplicateObjects: false });
}

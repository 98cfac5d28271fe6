/** Sentinel rule IDs are GUIDs: derive one per stack and rule so re-deployments update, not duplicate. */
import { createHash } from "crypto";
import type { PlatformContext } from "../common/interfaces";

export function stableRuleId(
  platform: Pick<PlatformContext, "namePrefix" | "environment">,
  ruleId: string,
): string {
  const h = createHash("sha256")
    .update(`${platform.namePrefix}/${platform.environment}/${ruleId}`)
    .digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

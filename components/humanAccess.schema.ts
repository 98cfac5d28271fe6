/**
 * Who gets human access (IAM-2): the `HumanAccess` component parses its `environment` and
 * `groups` with `humanAccessSettingsSchema`, and the stack config's `developerGroupIds`,
 * `qaGroupIds`, `devopsGroupIds` and `cloudAdminGroupIds` keys are the same field and rule.
 */
import { z } from "zod";
import { strictArgs } from "./common/schema";

export type HumanRole = "developer" | "qa" | "devops" | "cloudAdmin";
export const HUMAN_ROLES: readonly HumanRole[] = ["developer", "qa", "devops", "cloudAdmin"];

const groupId = z
  .string({ message: "must be an Entra group object ID (a GUID)" })
  .regex(
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
    "must be an Entra group object ID (a GUID); access goes to groups, never single users (IAM-2)",
  );

/** The fields, each usable on its own (the stack config maps the groups to its keys). */
export const humanAccessFields = {
  environment: z
    .enum(["dev", "prod"], { message: "must be dev or prod (ENV-1)" })
    .describe("Selects the role table (HUMAN_ACCESS): prod grants no standing data-plane access."),
  groupIds: z
    .array(groupId)
    .superRefine(
      (ids, ctx) => {
        if (!Array.isArray(ids)) return;
        const seen = new Set<string>();
        ids.forEach((id, i) => {
          if (typeof id !== "string") return;
          if (seen.has(id.toLowerCase()))
            ctx.addIssue({ code: "custom", path: [i], message: "is listed twice" });
          seen.add(id.toLowerCase());
        });
      },
      { when: () => true },
    )
    .meta({ allowed: "Entra group object IDs (GUIDs), each once" })
    .describe("IAM-2: Entra groups holding the role; groups, never single users."),
};

/** `groups`: Entra group IDs per human role. */
export const humanAccessGroupsSchema = strictArgs(
  Object.fromEntries(HUMAN_ROLES.map((role) => [role, humanAccessFields.groupIds.optional()])) as Record<
    HumanRole,
    z.ZodOptional<typeof humanAccessFields.groupIds>
  >,
  "a human role",
);

/** The component's schema for everything but the resource group it grants on. */
export const humanAccessSettingsSchema = z.object({
  environment: humanAccessFields.environment,
  groups: humanAccessGroupsSchema.describe(
    "IAM-2: Entra group IDs per human role (developer, qa, devops, cloudAdmin); the roles each gets are fixed.",
  ),
});

/**
 * Human access (IAM-2): each human role maps to Entra groups from config and to the least
 * privilege it needs per environment, at resource-group scope. Groups, never single users.
 */
import * as pulumi from "@pulumi/pulumi";
import { startArgChecks, type Environment } from "./common/interfaces";
import { assignRole } from "./common/roleAssignment";
import type { BuiltInRoleName } from "../controls/roles";
import { componentType, withLegacyAlias } from "./common/componentType";
import { parseArgs } from "./common/schema";
import { humanAccessSettingsSchema, type HumanRole } from "./humanAccess.schema";

export { HUMAN_ROLES, type HumanRole } from "./humanAccess.schema";

/**
 * The one table of human access (IAM-2), at resource-group scope. Nobody holds a role that
 * changes resources or access (Owner, Contributor, User Access Administrator, RBAC
 * Administrator): changes reach Azure only through the reviewed pipeline (ENV-1), whose
 * identity is managed outside this stack, and emergency elevation is a time-bound Entra PIM
 * activation, not standing access.
 *
 * - dev holds no customer data: developers may read app secrets and test blobs to debug,
 *   DevOps may seed secrets, Cloud Admins administer the vault.
 * - prod: read-only control plane for everyone, logs and metrics for the people on call,
 *   and no standing data-plane access to secrets, keys or customer data (Cloud Admins see
 *   vault metadata only).
 */
export const HUMAN_ACCESS: Readonly<
  Record<Environment, Readonly<Record<HumanRole, readonly BuiltInRoleName[]>>>
> = {
  dev: {
    developer: ["Reader", "Log Analytics Reader", "Key Vault Secrets User", "Storage Blob Data Reader"],
    qa: ["Reader", "Log Analytics Reader"],
    devops: ["Reader", "Monitoring Reader", "Log Analytics Reader", "Key Vault Secrets Officer"],
    cloudAdmin: ["Reader", "Monitoring Reader", "Log Analytics Reader", "Key Vault Administrator"],
  },
  prod: {
    developer: ["Reader"],
    qa: ["Reader"],
    devops: ["Reader", "Monitoring Reader", "Log Analytics Reader"],
    cloudAdmin: ["Reader", "Monitoring Reader", "Log Analytics Reader", "Key Vault Reader"],
  },
};

/** Entra group object IDs per human role (IAM-2); a role without groups grants nothing. */
export interface HumanAccessGroups {
  /** Groups of developers. */
  developer?: string[];
  /** Groups of QA engineers. */
  qa?: string[];
  /** Groups of DevOps engineers (on call). */
  devops?: string[];
  /** Groups of cloud administrators. */
  cloudAdmin?: string[];
}

export interface HumanAccessArgs {
  /** Environment: decides each role's grants (`HUMAN_ACCESS`). */
  environment: Environment;
  /** Resource group the roles apply to. */
  resourceGroupId: pulumi.Input<string>;
  /** Entra group object IDs per role. */
  groups: HumanAccessGroups;
}

/** The `groups` argument from the stack config's `<role>GroupIds` keys. */
export function humanAccessGroups(config: {
  developerGroupIds: readonly string[];
  qaGroupIds: readonly string[];
  devopsGroupIds: readonly string[];
  cloudAdminGroupIds: readonly string[];
}): Required<HumanAccessGroups> {
  return {
    developer: [...config.developerGroupIds],
    qa: [...config.qaGroupIds],
    devops: [...config.devopsGroupIds],
    cloudAdmin: [...config.cloudAdminGroupIds],
  };
}

/** Human access (IAM-2): each role's Entra groups get that role's grants on the resource group. */
export class HumanAccess extends pulumi.ComponentResource {
  /** How many assignments were made (role x group). */
  readonly assignmentCount: number;

  constructor(name: string, args: HumanAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    const owner = `HumanAccess "${name}"`;
    // Every problem at once, before anything registers.
    const { problems } = startArgChecks(
      owner,
      args,
      ["environment", "resourceGroupId", "groups"],
      "the role table is fixed (IAM-2)",
    );
    if (args.resourceGroupId === undefined || args.resourceGroupId === null || args.resourceGroupId === "") {
      problems.add(
        ["resourceGroupId"],
        args.resourceGroupId,
        "is required: the resource ID of the resource group the groups get access to",
      );
    }
    problems.check(() =>
      parseArgs(owner, humanAccessSettingsSchema, { environment: args.environment, groups: args.groups }),
    );
    problems.throwIfAny();
    super(componentType("HumanAccess"), name, {}, withLegacyAlias("HumanAccess", opts));
    let count = 0;
    for (const role of Object.keys(HUMAN_ACCESS[args.environment]) as HumanRole[]) {
      for (const groupId of args.groups[role] ?? []) {
        for (const roleName of HUMAN_ACCESS[args.environment][role]) {
          const slug = roleName.toLowerCase().replace(/[^a-z0-9]+/g, "-");
          assignRole(
            `${name}-${role}-${groupId.toLowerCase()}-${slug}`,
            args.resourceGroupId,
            {
              role: roleName,
              principalId: groupId,
              principalType: "Group",
              description: `${role} group: ${roleName} (IAM-2)`,
            },
            { parent: this },
          );
          count++;
        }
      }
    }
    this.assignmentCount = count;
    this.registerOutputs({ assignmentCount: count });
  }
}

/**
 * A user-assigned managed identity for one workload (IAM-1). User-assigned, not
 * system-assigned: it exists before the workload, so its role assignments are in place when
 * the first revision starts.
 */
import * as pulumi from "@pulumi/pulumi";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import { startArgChecks, type PlacementContext } from "./common/interfaces";
import { resourceName } from "./common/naming";
import { componentTags } from "./common/tags";
import { componentType, withLegacyAlias } from "./common/componentType";
import { parseArgs, PLACEMENT_KEYS } from "./common/schema";
import { workloadIdentitySettingsSchema } from "./workloadIdentity.schema";

export interface WorkloadIdentityArgs {
  /** Placement and tags of the platform. */
  platform: PlacementContext;
  /** What the identity is for, e.g. the app name or `cmk-storage`. Part of its Azure name. */
  purpose: string;
  /** Region of the identity. Default: the platform's (a geo-backup key's identity lives in the pair). */
  location?: string;
  /** Extra tags; cannot override the CLS-1 tags. */
  tags?: Record<string, string>;
}

/** A user-assigned managed identity for one workload (IAM-1): no secrets, no keys. */
export class WorkloadIdentity extends pulumi.ComponentResource {
  /** Resource ID of the identity. */
  readonly id: pulumi.Output<string>;
  /** Name of the identity. */
  readonly name: pulumi.Output<string>;
  /** Client (application) ID, e.g. for `AZURE_CLIENT_ID`. */
  readonly clientId: pulumi.Output<string>;
  /** Object (principal) ID that role assignments name. */
  readonly principalId: pulumi.Output<string>;

  constructor(name: string, args: WorkloadIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    const owner = `WorkloadIdentity "${name}"`;
    // Every problem at once, before anything registers.
    const { problems, platformOk } = startArgChecks(
      owner,
      args,
      ["platform", "purpose", "location", "tags"],
      "IAM-1",
      PLACEMENT_KEYS,
    );
    const settings = problems.check(() =>
      parseArgs(owner, workloadIdentitySettingsSchema, {
        purpose: args.purpose,
        location: args.location,
        tags: args.tags,
      }),
    );
    // The rules below read the platform and a valid purpose: without them, the problems so far are the report.
    if (!platformOk || !settings) problems.throwIfAny();
    const identityName = problems.check(
      () => resourceName(args.platform, "userAssignedIdentity", args.purpose),
      { path: ["purpose"], value: args.purpose },
    )!;
    const tags = problems.check(() => componentTags(args.platform, "internal", args.tags, owner))!;
    problems.throwIfAny();
    super(componentType("WorkloadIdentity"), name, {}, withLegacyAlias("WorkloadIdentity", opts));
    const identity = new managedidentity.UserAssignedIdentity(
      `${name}-identity`,
      {
        resourceGroupName: args.platform.resourceGroupName,
        location: args.location ?? args.platform.location,
        resourceName: identityName,
        tags,
      },
      { parent: this },
    );
    this.id = identity.id;
    this.name = identity.name;
    this.clientId = identity.clientId;
    this.principalId = identity.principalId;
    this.registerOutputs({
      id: this.id,
      name: this.name,
      clientId: this.clientId,
      principalId: this.principalId,
    });
  }
}

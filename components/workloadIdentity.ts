/**
 * A user-assigned managed identity for one workload (IAM-1). User-assigned, not
 * system-assigned: it exists before the workload, so its role assignments are in place when
 * the first revision starts.
 */
import * as pulumi from "@pulumi/pulumi";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import { rejectUnknownArgs, type PlatformContext } from "./common/interfaces";
import { resourceName } from "./common/naming";
import { componentTags } from "./common/tags";
import { parseArgs } from "./common/schema";
import { workloadIdentitySettingsSchema } from "./workloadIdentity.schema";

export interface WorkloadIdentityArgs {
  platform: Pick<PlatformContext, "environment" | "location" | "resourceGroupName" | "namePrefix" | "tags">;
  /** What the identity is for, e.g. the app name or `cmk-storage`. Part of its Azure name. */
  purpose: string;
  /** Region of the identity. Default: the platform's (a geo-backup key's identity lives in the pair). */
  location?: string;
  /** Extra tags; cannot override the CLS-1 tags. */
  tags?: Record<string, string>;
}

export class WorkloadIdentity extends pulumi.ComponentResource {
  readonly id: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;
  readonly clientId: pulumi.Output<string>;
  readonly principalId: pulumi.Output<string>;

  constructor(name: string, args: WorkloadIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    const owner = `WorkloadIdentity "${name}"`;
    rejectUnknownArgs(owner, args, ["platform", "purpose", "location", "tags"], "IAM-1");
    parseArgs(owner, workloadIdentitySettingsSchema, {
      purpose: args.purpose,
      location: args.location,
      tags: args.tags,
    });
    let identityName: string;
    let tags: Record<string, string>;
    try {
      identityName = resourceName(args.platform, "userAssignedIdentity", args.purpose);
      tags = componentTags(args.platform, "internal", args.tags);
    } catch (err) {
      throw new Error(`${owner}: ${(err as Error).message}`);
    }
    super("secure-azure-platform:foundation:WorkloadIdentity", name, {}, opts);
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

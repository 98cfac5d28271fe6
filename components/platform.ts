/**
 * The platform as another team's program sees it: the `PlatformContext` every component takes,
 * plus the shared pieces an app or a data store attaches to (the Container Apps environment,
 * the apps subnet, the platform Key Vault). The platform stack exports it as the stack output
 * `platform`; a team reads it with a `pulumi.StackReference` and passes it to the components
 * (see examples/team-app). Names, IDs and settings only: nothing in it is a secret.
 */
import type * as pulumi from "@pulumi/pulumi";
import { RunError } from "@pulumi/pulumi/errors";
import type { PlatformContext } from "./common/interfaces";
import type { ContainerAppsEnvironmentReference } from "./containerAppsEnvironment";
import type { KeyVaultService } from "./containerApp/spec";

export type {
  DataClassification,
  Environment,
  PlatformContext,
  PrivateDnsZoneKey,
} from "./common/interfaces";

/** The platform's Container Apps environment: what `ContainerApp` takes as `environment`, and where it answers. */
export interface SharedContainerAppsEnvironment extends ContainerAppsEnvironmentReference {
  /** Azure name of the environment. */
  name: pulumi.Input<string>;
  /** `<unique>.<region>.azurecontainerapps.io`: apps answer at `<app>[.internal].<defaultDomain>`. */
  defaultDomain: pulumi.Input<string>;
}

/** The platform's Key Vault (apps read secrets from it by reference, SEC-1). */
export interface SharedKeyVault extends KeyVaultService {
  /** Azure name of the vault. */
  vaultName: pulumi.Input<string>;
}

/**
 * The stack output `platform`: the `PlatformContext` (resource group, region and paired region,
 * environment, name prefix, tags, Log Analytics workspace, action group, private-endpoint subnet,
 * private DNS zone IDs per service, locks and zone redundancy) plus what apps attach to.
 */
export interface SharedPlatformContext extends PlatformContext {
  /** Subnet delegated to the Container Apps environment (NET-1). */
  readonly appsSubnetId: pulumi.Input<string>;
  /** Virtual network of both subnets. */
  readonly vnetId: pulumi.Input<string>;
  readonly containerAppsEnvironment: SharedContainerAppsEnvironment;
  readonly keyVault: SharedKeyVault;
}

/** The keys of `SharedPlatformContext`: a consumer checks a stack output against them. */
export const SHARED_PLATFORM_KEYS = [
  "environment",
  "location",
  "pairedLocation",
  "resourceGroupName",
  "resourceGroupId",
  "tenantId",
  "namePrefix",
  "tags",
  "workspaceId",
  "actionGroupId",
  "privateEndpointSubnetId",
  "privateDnsZoneIds",
  "deletionLocks",
  "zoneRedundant",
  "appsSubnetId",
  "vnetId",
  "containerAppsEnvironment",
  "keyVault",
] as const satisfies readonly (keyof SharedPlatformContext)[];

/**
 * Checks a value read from the platform stack (`StackReference` output `platform`) before a
 * component uses it: a missing key names the key and the stack, instead of an `undefined`
 * deep inside a component. A `RunError`: `pulumi up` prints the message, not a stack trace.
 */
export function sharedPlatformContext(value: unknown, stack: string): SharedPlatformContext {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new RunError(
      `stack ${stack}: output "platform" is missing or not an object (is it a platform stack?)`,
    );
  }
  const missing = SHARED_PLATFORM_KEYS.filter((key) => (value as Record<string, unknown>)[key] === undefined);
  if (missing.length > 0) {
    throw new RunError(
      `stack ${stack}: output "platform" lacks ${missing.join(", ")} (a platform stack older than these components?)`,
    );
  }
  return value as SharedPlatformContext;
}

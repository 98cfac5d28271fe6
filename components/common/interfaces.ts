/**
 * The one interface every data component shares, after Azure Verified Modules: the same
 * optional `diagnostics`, `lock`, `privateEndpoint`, `customerManagedKey`, `roleAssignments`
 * and `tags` inputs, shaped the same way. Each defaults to the secure choice taken from the
 * `PlatformContext`; none of them has an "off" switch that would weaken a control.
 */
import * as pulumi from "@pulumi/pulumi";
import type { BuiltInRoleName } from "../../controls/roles";

export type Environment = "dev" | "prod";

/** CLS-1 data classes. */
export type DataClassification = "public" | "internal" | "confidential" | "customer-confidential";

/** Private DNS zones the network component creates, one per private-endpoint service (NET-1). */
/** One zone per private-link service the stack reaches through a private endpoint (NET-1). */
export type PrivateDnsZoneKey = "vault" | "blob" | "postgres" | "redis";

/**
 * What the foundation (network, logging, naming) gives every component. Built once in
 * `index.ts`; components read their secure defaults from it.
 */
export interface PlatformContext {
  readonly environment: Environment;
  /** Azure region of the stack (RES-1). */
  readonly location: string;
  /** Region receiving geo-redundant copies (the Azure pair), already checked against the allowed list. */
  readonly pairedLocation: string;
  readonly resourceGroupName: pulumi.Input<string>;
  readonly resourceGroupId: pulumi.Input<string>;
  readonly tenantId: pulumi.Input<string>;
  /** Short lowercase prefix of every name; see `naming.ts`. */
  readonly namePrefix: string;
  /** Base tags (environment, owner, costCenter) applied to everything (CLS-1). */
  readonly tags: Readonly<Record<string, string>>;
  /** Log Analytics workspace that receives every diagnostic setting (LOG-1). */
  readonly workspaceId: pulumi.Input<string>;
  /** Action group that receives every alert (MON-1). */
  readonly actionGroupId: pulumi.Input<string>;
  /** Subnet for private endpoints (NET-1). */
  readonly privateEndpointSubnetId: pulumi.Input<string>;
  /** Private DNS zone resource IDs by service (NET-1). */
  readonly privateDnsZoneIds: Readonly<Record<PrivateDnsZoneKey, pulumi.Input<string>>>;
  /** CanNotDelete locks and `protect` on stateful resources (BAK-2). */
  readonly deletionLocks: boolean;
  /** Zone redundancy (AVL-1). */
  readonly zoneRedundant: boolean;
}

/** LOG-1: where and what a resource logs. Diagnostics cannot be switched off, only extended. */
export interface DiagnosticsArgs {
  /** Workspace resource ID. Default: the platform workspace. */
  workspaceId?: pulumi.Input<string>;
  /** Extra log categories on top of the per-type defaults (`allLogs`/`audit` groups or named categories). */
  additionalLogCategories?: string[];
}

/** BAK-2: a `CanNotDelete` management lock plus Pulumi `protect`. */
export interface LockArgs {
  /**
   * Lock the stateful resource. Default: the platform's `deletionLocks` (on in prod).
   * Turning it off in prod is an error.
   */
  enabled?: boolean;
  /** Lock notes shown in the portal. */
  notes?: string;
}

/** NET-1: the private endpoint that replaces public access. It cannot be omitted. */
export interface PrivateEndpointArgs {
  /** Subnet for the endpoint. Default: the platform's private-endpoint subnet. */
  subnetId?: pulumi.Input<string>;
  /** Private DNS zone for the service's records. Default: the platform's zone for that service. */
  privateDnsZoneId?: pulumi.Input<string>;
}

/**
 * ENC-2: a customer-managed key in Key Vault and the user-assigned identity that may use it.
 * Produced by `CustomerManagedKey` (components/customerManagedKey.ts).
 */
export interface CustomerManagedKeyArgs {
  /** Vault holding the key. */
  keyVaultId: pulumi.Input<string>;
  /** `https://<vault>.vault.azure.net/`. */
  keyVaultUri: pulumi.Input<string>;
  keyName: pulumi.Input<string>;
  /** Versionless key URI, so rotation needs no redeploy. */
  keyUri: pulumi.Input<string>;
  /** User-assigned identity holding `Key Vault Crypto Service Encryption User` on the key. */
  identityId: pulumi.Input<string>;
  identityClientId: pulumi.Input<string>;
  identityPrincipalId: pulumi.Input<string>;
}

/** IAM-2: a role on the component's main resource, by built-in role name. */
export interface RoleAssignmentArgs {
  role: BuiltInRoleName;
  principalId: pulumi.Input<string>;
  /** `ServicePrincipal` for managed identities (avoids the PrincipalNotFound race), `Group` for people. */
  principalType: "ServicePrincipal" | "Group";
  description?: string;
}

/** The shared optional inputs of every data component. */
export interface CommonComponentArgs {
  /** The foundation this component stands on. */
  platform: PlatformContext;
  diagnostics?: DiagnosticsArgs;
  lock?: LockArgs;
  privateEndpoint?: PrivateEndpointArgs;
  /**
   * ENC-2 key. Required when the stack runs with customer-managed keys (always in prod);
   * omitted means platform-managed keys, which prod refuses.
   */
  customerManagedKey?: CustomerManagedKeyArgs;
  roleAssignments?: RoleAssignmentArgs[];
  /** Extra tags; cannot override `environment`, `owner` or `dataClassification`. */
  tags?: Record<string, string>;
}

/**
 * Refuses keys a component does not declare, before `super()`. TypeScript already rejects them
 * in object literals; this catches JavaScript callers and spread objects, so an attempted
 * insecure override (`publicNetworkAccess: "Enabled"`) is an error rather than silently ignored.
 */
export function rejectUnknownArgs(
  owner: string,
  args: object,
  allowed: readonly string[],
  why: string,
): void {
  for (const key of Object.keys(args)) {
    if (!allowed.includes(key)) {
      throw new Error(`${owner}: unknown argument "${key}"; allowed: ${allowed.join(", ")} (${why})`);
    }
  }
}

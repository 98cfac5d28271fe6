/**
 * The one interface every data component shares, after Azure Verified Modules: the same
 * optional `diagnostics`, `lock`, `privateEndpoint`, `customerManagedKey`, `roleAssignments`
 * and `tags` inputs, shaped the same way. Each defaults to the secure choice taken from the
 * `PlatformContext`; none of them has an "off" switch that would weaken a control.
 */
import * as pulumi from "@pulumi/pulumi";
import type { BuiltInRoleName } from "../../controls/roles";
import type { KeyVaultSku } from "../keyVault.schema";
import type { SameType } from "./enums";
import { ArgProblems, checkPlatform, didYouMean, requireArgs } from "./schema";

/**
 * Stack environment (ENV-1). Every literal union in component arguments is an `as const`
 * object plus a type of the same name: the SDK's component schema analysis turns that pattern
 * (and TypeScript enums) into schema enums, and refuses plain literal unions.
 */
export const Environment = {
  /** Development: cheaper SKUs, no deletion locks required. */
  Dev: "dev",
  /** Production: every control at its strictest. */
  Prod: "prod",
} as const;
export type Environment = (typeof Environment)[keyof typeof Environment];

/** CLS-1 data classes. */
export type DataClassification = "public" | "internal" | "confidential" | "customer-confidential";

/** One zone per private-link service the stack reaches through a private endpoint (NET-1). */
export type PrivateDnsZoneKey = "vault" | "blob" | "postgres" | "redis";

/**
 * Private DNS zone resource IDs, one per private-link service (NET-1). A named interface
 * rather than `Record<PrivateDnsZoneKey, ...>`: the component schema needs named object types.
 */
export interface PrivateDnsZoneIds {
  /** Zone `privatelink.vaultcore.azure.net` (Key Vault). */
  readonly vault: pulumi.Input<string>;
  /** Zone `privatelink.blob.core.windows.net` (Blob Storage). */
  readonly blob: pulumi.Input<string>;
  /** Zone `privatelink.postgres.database.azure.com` (PostgreSQL flexible server). */
  readonly postgres: pulumi.Input<string>;
  /** Zone `privatelink.redis.azure.net` (Azure Managed Redis). */
  readonly redis: pulumi.Input<string>;
}

/**
 * What every component needs to name, place and tag its resources: the part of the
 * `PlatformContext` that exists before the network and the workspace do. Named interfaces
 * (not `Pick<PlatformContext, ...>`): the component schema analysis accepts only interfaces.
 */
export interface PlacementContext {
  /** Stack environment: decides which controls are mandatory (ENV-1). */
  readonly environment: Environment;
  /** Azure region of the stack (RES-1). */
  readonly location: string;
  /** Resource group every resource of the component goes into. */
  readonly resourceGroupName: pulumi.Input<string>;
  /** Short lowercase prefix of every name; see `naming.ts`. */
  readonly namePrefix: string;
  /** Base tags (environment, owner, costCenter) applied to everything (CLS-1). */
  readonly tags: Readonly<Record<string, string>>;
}

/** What the logging component needs: placement plus the deletion-lock switch. */
export interface LoggingPlatform extends PlacementContext {
  /** CanNotDelete locks and `protect` on stateful resources (BAK-2). */
  readonly deletionLocks: boolean;
}

/** What the network needs (it is built before the rest of the context exists). */
export interface NetworkPlatform extends PlacementContext {
  /** Log Analytics workspace that receives every diagnostic setting (LOG-1). */
  readonly workspaceId: pulumi.Input<string>;
}

/**
 * What the foundation (network, logging, naming) gives every component. Built once in
 * `index.ts`; components read their secure defaults from it.
 */
export interface PlatformContext extends LoggingPlatform, NetworkPlatform {
  /** Region receiving geo-redundant copies (the Azure pair), already checked against the allowed list. */
  readonly pairedLocation: string;
  /** Resource ID of the resource group (role assignment scopes). */
  readonly resourceGroupId: pulumi.Input<string>;
  /** Entra tenant ID (Key Vault, Entra authentication). */
  readonly tenantId: pulumi.Input<string>;
  /** Action group that receives every alert (MON-1). */
  readonly actionGroupId: pulumi.Input<string>;
  /** Subnet for private endpoints (NET-1). */
  readonly privateEndpointSubnetId: pulumi.Input<string>;
  /** Private DNS zone resource IDs by service (NET-1). */
  readonly privateDnsZoneIds: PrivateDnsZoneIds;
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
  /** Name of the key in the vault. */
  keyName: pulumi.Input<string>;
  /** Versionless key URI, so rotation needs no redeploy. */
  keyUri: pulumi.Input<string>;
  /** User-assigned identity holding `Key Vault Crypto Service Encryption User` on the key. */
  identityId: pulumi.Input<string>;
  /** Client ID of that identity. */
  identityClientId: pulumi.Input<string>;
  /** Object (principal) ID of that identity. */
  identityPrincipalId: pulumi.Input<string>;
}

/**
 * Built-in Azure role names (IAM-2) as a schema enum: the role table (`roles.ts`) is keyed by
 * the display names, which have spaces, and enum members need identifier keys. The check
 * below keeps the two in step.
 */
export const BuiltInRole = {
  Owner: "Owner",
  Contributor: "Contributor",
  Reader: "Reader",
  UserAccessAdministrator: "User Access Administrator",
  RoleBasedAccessControlAdministrator: "Role Based Access Control Administrator",
  KeyVaultAdministrator: "Key Vault Administrator",
  KeyVaultContributor: "Key Vault Contributor",
  KeyVaultDataAccessAdministrator: "Key Vault Data Access Administrator",
  KeyVaultReader: "Key Vault Reader",
  KeyVaultSecretsUser: "Key Vault Secrets User",
  KeyVaultSecretsOfficer: "Key Vault Secrets Officer",
  KeyVaultCryptoOfficer: "Key Vault Crypto Officer",
  KeyVaultCryptoUser: "Key Vault Crypto User",
  KeyVaultCryptoServiceEncryptionUser: "Key Vault Crypto Service Encryption User",
  StorageAccountContributor: "Storage Account Contributor",
  StorageAccountKeyOperatorServiceRole: "Storage Account Key Operator Service Role",
  StorageBlobDataOwner: "Storage Blob Data Owner",
  StorageBlobDataContributor: "Storage Blob Data Contributor",
  StorageBlobDataReader: "Storage Blob Data Reader",
  ManagedIdentityContributor: "Managed Identity Contributor",
  ManagedIdentityOperator: "Managed Identity Operator",
  VirtualMachineContributor: "Virtual Machine Contributor",
  AcrPull: "AcrPull",
  MonitoringReader: "Monitoring Reader",
  LogAnalyticsReader: "Log Analytics Reader",
  MonitoringMetricsPublisher: "Monitoring Metrics Publisher",
} as const;
export type BuiltInRole = (typeof BuiltInRole)[keyof typeof BuiltInRole];
// Compile-time: the enum has exactly the roles of the table. (No `satisfies` on the object: the
// schema analysis reads enum members only from a plain `{...} as const` initializer.)
const enumMatchesRoleTable: SameType<BuiltInRole, BuiltInRoleName> = true;
void enumMatchesRoleTable;

/** Kind of principal a role is assigned to. */
export const PrincipalType = {
  /** A managed identity or app registration (avoids the PrincipalNotFound race on new identities). */
  ServicePrincipal: "ServicePrincipal",
  /** An Entra group of people. */
  Group: "Group",
} as const;
export type PrincipalType = (typeof PrincipalType)[keyof typeof PrincipalType];

/** A Key Vault a key goes into: what `CustomerManagedKey` takes as `vault` (`KeyVault.reference`). */
export interface KeyVaultReference {
  /** Resource ID of the vault. */
  id: pulumi.Input<string>;
  /**
   * Name of the vault. From `KeyVault.reference` it resolves only once the deployer's Key Vault
   * data roles on the vault have propagated, so a key created in it waits for them.
   */
  name: pulumi.Input<string>;
  /** `https://<name>.vault.azure.net/` */
  uri: pulumi.Input<string>;
  /** SKU of the vault: `premium` vaults get HSM-backed keys (ENC-2). */
  sku: KeyVaultSku;
}

/** IAM-2: a role on the component's main resource, by built-in role name. */
export interface RoleAssignmentArgs {
  /** Built-in role to assign; privileged roles are refused (IAM-2). */
  role: BuiltInRole;
  /** Object ID of the principal receiving the role. */
  principalId: pulumi.Input<string>;
  /** `ServicePrincipal` for managed identities (avoids the PrincipalNotFound race), `Group` for people. */
  principalType: PrincipalType;
  /** Why the assignment exists (shown on the role assignment). */
  description?: string;
}

/** The shared optional inputs of every data component, but the key (Key Vault takes none). */
export interface SecureResourceArgs {
  /** The foundation this component stands on. */
  platform: PlatformContext;
  /** Where the diagnostic logs go and which extra categories (LOG-1). */
  diagnostics?: DiagnosticsArgs;
  /** The deletion lock (BAK-2). */
  lock?: LockArgs;
  /** Where the private endpoint goes (NET-1). */
  privateEndpoint?: PrivateEndpointArgs;
  /** Roles on the component's main resource (IAM-2). */
  roleAssignments?: RoleAssignmentArgs[];
  /** Extra tags; cannot override `environment`, `owner` or `dataClassification`. */
  tags?: Record<string, string>;
}

/** The shared optional inputs of every data component. */
export interface CommonComponentArgs extends SecureResourceArgs {
  /**
   * ENC-2 key. Required when the stack runs with customer-managed keys (always in prod);
   * omitted means platform-managed keys, which prod refuses.
   */
  customerManagedKey?: CustomerManagedKeyArgs;
}

/** The keys every `CustomerManagedKeyArgs` has (what `CustomerManagedKey.args` gives). */
export const CUSTOMER_MANAGED_KEY_KEYS = [
  "keyVaultId",
  "keyVaultUri",
  "keyName",
  "keyUri",
  "identityId",
  "identityClientId",
  "identityPrincipalId",
] as const satisfies readonly (keyof CustomerManagedKeyArgs)[];

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
  requireArgs(owner, args);
  const problems = new ArgProblems(owner);
  for (const key of Object.keys(args)) {
    if (!allowed.includes(key)) {
      const hint = didYouMean(key, allowed);
      problems.add(
        [key],
        (args as Record<string, unknown>)[key],
        `unknown argument "${key}"${hint ? ` (did you mean ${hint}?)` : ""}; allowed: ${allowed.join(", ")} (${why})`,
      );
    }
  }
  problems.throwIfAny();
}

/**
 * The checks every component starts with, one rule in one place: `args` is a mapping (thrown
 * alone: nothing else can be read), no unknown argument, and with `platformKeys` a usable
 * platform context. Returns the problems so far, for the component's own checks to join, and
 * whether the rules that read the platform can run.
 */
export function startArgChecks(
  owner: string,
  args: object,
  allowed: readonly string[],
  why: string,
  platformKeys?: readonly string[],
): { problems: ArgProblems; platformOk: boolean } {
  requireArgs(owner, args);
  const problems = new ArgProblems(owner);
  problems.check(() => rejectUnknownArgs(owner, args, allowed, why));
  const platformOk =
    platformKeys === undefined ||
    problems.check(() => {
      checkPlatform(owner, (args as { platform?: unknown }).platform, platformKeys);
      return true;
    }) === true;
  return { problems, platformOk };
}

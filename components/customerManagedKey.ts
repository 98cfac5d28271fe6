/**
 * Customer-managed key (ENC-2, KEY-1): an RSA key of 3072 bits or more (RSA-HSM on a premium
 * vault) that rotates at least yearly and expires, plus the user-assigned identity a service
 * uses to reach it, holding `Key Vault Crypto Service Encryption User` on that key only.
 * Consumers get a versionless key URI, so rotation needs no redeploy.
 */
import * as pulumi from "@pulumi/pulumi";
import * as keyvault from "@pulumi/azure-native/keyvault";
import {
  startArgChecks,
  type CustomerManagedKeyArgs,
  type KeyVaultReference,
  type PlacementContext,
} from "./common/interfaces";
import { resourceName } from "./common/naming";
import { afterRoleGrants } from "./common/propagation";
import { assignRole } from "./common/roleAssignment";
import { componentTags } from "./common/tags";
import { WorkloadIdentity } from "./workloadIdentity";
import { PrivateState } from "./common/privateState";
import { KEY_EXPIRY_DAYS, KEY_ROTATION_DAYS } from "../controls/limits";
import { componentType, withLegacyAlias } from "./common/componentType";
import { parseArgs, PLACEMENT_KEYS } from "./common/schema";
import { customerManagedKeySettingsSchema } from "./customerManagedKey.schema";

export const MIN_KEY_SIZE = 3072;
export const MAX_ROTATION_DAYS = KEY_ROTATION_DAYS.max;
export const DEFAULT_ROTATION_DAYS = KEY_ROTATION_DAYS.default;
export const DEFAULT_EXPIRY_DAYS = KEY_EXPIRY_DAYS.default;
export const NOTIFY_BEFORE_EXPIRY_DAYS = KEY_EXPIRY_DAYS.notifyBefore;
const SECONDS_PER_DAY = 86400;

/**
 * Expiry of a key's first version: `expiryDays` after today (UTC midnight), the same lifetime the
 * rotation policy gives every later version. A rotation policy's `expiryTime` applies only to
 * versions created by rotation, so without this version 1 would never expire (KEY-1).
 */
export function firstVersionExpiry(expiryDays: number, now = new Date()): number {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) / 1000;
  return today + expiryDays * SECONDS_PER_DAY;
}

const CMK_ARG_KEYS = [
  "platform",
  "vault",
  "purpose",
  "location",
  "keySize",
  "rotateAfterDays",
  "expiryDays",
] as const satisfies readonly (keyof CustomerManagedKeyComponentArgs)[];

export interface CustomerManagedKeyComponentArgs {
  /** Placement and tags of the platform. */
  platform: PlacementContext;
  /** The vault that holds the key (the platform's, or one in the paired region for geo backups). */
  vault: KeyVaultReference;
  /** The service the key encrypts, e.g. `storage`, `postgres`, `postgres-geo`, `redis`. */
  purpose: string;
  /** Region of the identity. Default: the platform's. */
  location?: string;
  /** RSA key size; 3072 (default) or 4096 (ENC-2). */
  keySize?: KeySize;
  /** Days after creation (of each version) the key rotates; 7..365 (Key Vault's minimum, KEY-1). Default 180. */
  rotateAfterDays?: number;
  /** Lifetime of each key version in days; must exceed rotateAfterDays + 30. Default 730. */
  expiryDays?: number;
}

/** RSA key size in bits (ENC-2: at least 3072). */
export const KeySize = {
  /** RSA 3072 (the default). */
  Rsa3072: 3072,
  /** RSA 4096. */
  Rsa4096: 4096,
} as const;
export type KeySize = (typeof KeySize)[keyof typeof KeySize];

const identities = new PrivateState<CustomerManagedKey, WorkloadIdentity>();

/**
 * A customer-managed key (ENC-2, KEY-1): an RSA key with a rotation policy in Key Vault, and a
 * user-assigned identity granted `Key Vault Crypto Service Encryption User` on that key only.
 */
export class CustomerManagedKey extends pulumi.ComponentResource {
  /** Resource ID of the key. */
  readonly keyId: pulumi.Output<string>;
  /** Name of the key. */
  readonly keyName: pulumi.Output<string>;
  /** Versionless key URI (what Storage and PostgreSQL take, so rotation needs no redeploy). */
  readonly keyUri: pulumi.Output<string>;
  /** URI of the current version (for services that only accept versioned URIs). */
  readonly keyUriWithVersion: pulumi.Output<string>;
  /** What data components take as `customerManagedKey`. */
  readonly args: CustomerManagedKeyArgs;

  /** The user-assigned identity that may use the key. */
  get identity(): WorkloadIdentity {
    return identities.get(this);
  }

  constructor(name: string, args: CustomerManagedKeyComponentArgs, opts?: pulumi.ComponentResourceOptions) {
    const owner = `CustomerManagedKey "${name}"`;
    // Every problem at once, before anything registers.
    const { problems, platformOk } = startArgChecks(
      owner,
      args,
      CMK_ARG_KEYS,
      "key type, operations and the key-scoped grant are fixed by ENC-2/KEY-1",
      PLACEMENT_KEYS,
    );
    const settings = problems.check(() =>
      parseArgs(owner, customerManagedKeySettingsSchema, {
        purpose: args.purpose,
        location: args.location,
        keySize: args.keySize,
        rotateAfterDays: args.rotateAfterDays,
        expiryDays: args.expiryDays,
        vault: { sku: (args.vault as { sku?: unknown } | undefined)?.sku },
      }),
    );
    // The rules below read the platform and a valid purpose: without them, the problems so far are the report.
    if (!platformOk || !settings) problems.throwIfAny();
    const keySize = args.keySize ?? MIN_KEY_SIZE;
    const rotate = args.rotateAfterDays ?? DEFAULT_ROTATION_DAYS;
    const expiry = args.expiryDays ?? DEFAULT_EXPIRY_DAYS;
    const location = args.location ?? args.platform.location;
    let keyName: string;
    let tags: Record<string, string>;
    try {
      keyName = resourceName(args.platform, "keyVaultKey", args.purpose);
      // Validated here so the identity cannot fail half-way through (it names itself the same way).
      resourceName(args.platform, "userAssignedIdentity", `cmk-${args.purpose}`);
      tags = componentTags(args.platform, "confidential", {}, owner);
    } catch (err) {
      throw problems.fail(err, { path: ["purpose"], value: args.purpose });
    }
    problems.throwIfAny();
    super(componentType("CustomerManagedKey"), name, {}, withLegacyAlias("CustomerManagedKey", opts));

    const key = new keyvault.Key(
      `${name}-key`,
      {
        resourceGroupName: pulumi.output(args.vault.id).apply((id) => id.split("/")[4]),
        vaultName: args.vault.name,
        keyName,
        properties: {
          kty: args.vault.sku === "premium" ? "RSA-HSM" : "RSA",
          keySize,
          // Envelope encryption only: services wrap their data keys with it, nothing else.
          keyOps: ["wrapKey", "unwrapKey"],
          attributes: { enabled: true, expires: firstVersionExpiry(expiry) },
          rotationPolicy: {
            // Lifetime of each version; a new version is created well before it ends.
            attributes: { expiryTime: `P${expiry}D` },
            lifetimeActions: [
              { action: { type: "rotate" }, trigger: { timeAfterCreate: `P${rotate}D` } },
              {
                action: { type: "notify" },
                trigger: { timeBeforeExpiry: `P${NOTIFY_BEFORE_EXPIRY_DAYS}D` },
              },
            ],
          },
        },
        tags,
      },
      {
        parent: this,
        // The computed date must not rewrite the key on a later run. Tags are the key's first
        // version's: ARM key create "does not update existing keys" (Keys_CreateIfNotExist), so a
        // new owner or cost centre would be an update Azure ignores, on every later run.
        ignoreChanges: ["properties.attributes.expires", "tags"],
        // Never deleted by the stack: ARM has no DELETE for keys, so azure-native deletes through
        // the vault's data plane, which a vault with public network access disabled refuses from
        // outside its network (a CI runner: ForbiddenByConnection), failing the destroy or a move to
        // another vault; and a key deleted while a backup still needs it makes that unreadable.
        // The key goes with its vault (soft-deleted, purge protection).
        retainOnDelete: true,
      },
    );
    const identity = new WorkloadIdentity(
      `${name}-identity`,
      {
        platform: args.platform,
        location,
        purpose: `cmk-${args.purpose}`,
      },
      { parent: this },
    );
    identities.set(this, identity);
    // Scoped to the key, not the vault: the identity can use this key and nothing else (IAM-2).
    const grant = assignRole(
      `${name}-crypto-user`,
      key.id,
      {
        role: "Key Vault Crypto Service Encryption User",
        principalId: identity.principalId,
        principalType: "ServicePrincipal",
        description: `Encryption with ${keyName} (ENC-2)`,
      },
      { parent: this },
    );

    this.keyId = key.id;
    this.keyName = key.name;
    this.keyUri = key.keyUri;
    // Consumers depend on the grant, propagated, through these outputs: the service never
    // starts without key access.
    const propagated = afterRoleGrants(`${name}-crypto-user`, [grant], { parent: this });
    const ready = <T>(o: pulumi.Output<T>) => pulumi.all([o, propagated.id]).apply(([v]) => v);
    this.args = {
      keyVaultId: args.vault.id,
      keyVaultUri: args.vault.uri,
      keyName: this.keyName,
      keyUri: ready(this.keyUri),
      identityId: ready(identity.id),
      identityClientId: identity.clientId,
      identityPrincipalId: identity.principalId,
    };
    this.keyUriWithVersion = ready(key.keyUriWithVersion);
    this.registerOutputs({
      keyId: this.keyId,
      keyName: this.keyName,
      keyUri: this.keyUri,
      keyUriWithVersion: this.keyUriWithVersion,
      identityId: identity.id,
      identityPrincipalId: identity.principalId,
    });
  }
}

/**
 * Key Vault (KEY-1, SEC-1): the one place secrets and keys live. RBAC authorization only,
 * 90-day soft delete with purge protection, no public network access (private endpoint), and
 * network ACLs that deny everything except trusted Azure services (needed for CMK: Storage,
 * PostgreSQL and Managed Redis reach their keys as trusted services). None of these is an
 * argument: a caller cannot weaken them.
 */
import * as pulumi from "@pulumi/pulumi";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as random from "@pulumi/random";
import { addMetricAlerts } from "./common/alerts";
import { addDiagnostics, checkDiagnostics } from "./common/diagnostics";
import { startArgChecks, type KeyVaultReference, type SecureResourceArgs } from "./common/interfaces";
import { addLock, resolveLock } from "./common/lock";
import { globalNameStem, globalResourceName } from "./common/naming";
import { grantDeployer, type DeployerGrantsArgs } from "./common/deployerGrants";
import { addPrivateEndpoint } from "./common/privateEndpoint";
import { assignRole, checkRoleAssignments } from "./common/roleAssignment";
import { componentTags } from "./common/tags";
import { ArgProblems, parseArgs, PLATFORM_CONTEXT_KEYS, requireArgs } from "./common/schema";
import { PrivateState } from "./common/privateState";
import { checkPrivateEndpoint } from "./common/dataComponent";
import { keyVaultSettingsSchema, KeyVaultSku } from "./keyVault.schema";
import { KEY_VAULT_SOFT_DELETE_DAYS, MAX_SECRET_LIFETIME_DAYS } from "../controls/limits";
import { componentType, withLegacyAlias } from "./common/componentType";

export { KeyVaultSku };

export interface KeyVaultArgs extends SecureResourceArgs {
  /** `premium` gives HSM-backed keys (ENC-2); required in prod. */
  sku: KeyVaultSku;
  /**
   * Region of the vault: the platform's (default) or its pair (RES-1). A PostgreSQL geo-backup
   * key lives in a vault in the paired region; its private endpoint stays in the platform VNet.
   */
  location?: string;
  /** Distinguishes several vaults of one stack (e.g. `geo`); at most 5 characters. Default `main`. */
  purpose?: string;
  /**
   * The date (`YYYY-MM-DD`, UTC) from which `addSecret`'s `expiresInDays` counts. Pin it (e.g.
   * the date of the change that adds the secret) to keep the plan identical run to run; the
   * default is today, and the expiry is never rewritten after creation either way.
   */
  secretsIssuedOn?: string;
  /**
   * Key Vault data roles the identity running the deployment needs on this vault (from
   * deploy/identities.yaml): creating a key or secret through Resource Manager is authorized
   * against them on an RBAC vault. Keys and secrets of this vault wait for them (`ready`).
   */
  deployer?: DeployerGrantsArgs;
}

/** Text of a placeholder secret until an operator sets the real value (docs/container-apps.md). */
export const PLACEHOLDER_SECRET_VALUE =
  "placeholder: set the real value (docs/container-apps.md, App secrets)";
export const PLACEHOLDER_CONTENT_TYPE = "text/plain; placeholder";

export interface PlaceholderSecretArgs {
  /** As in `SecretArgs`: the placeholder version's expiry. */
  expiresInDays: number;
}

export interface SecretArgs {
  /** The value. Always stored as a Pulumi secret, whatever the caller passes. */
  value: pulumi.Input<string>;
  /** MIME type or a short description of the format, e.g. `text/plain`. */
  contentType: string;
  /** Days from the vault's `secretsIssuedOn` until the secret expires (SEC-1 rotation), 1..730. */
  expiresInDays: number;
}

export interface GeneratedSecretArgs {
  /** Length of the generated value; at least 16 (default 32). */
  length?: number;
  /** As in `SecretArgs`. */
  expiresInDays: number;
  /** Default `text/plain; generated`. */
  contentType?: string;
}

const KEY_VAULT_ARG_KEYS = [
  "platform",
  "sku",
  "location",
  "purpose",
  "secretsIssuedOn",
  "deployer",
  "diagnostics",
  "lock",
  "privateEndpoint",
  "roleAssignments",
  "tags",
] as const satisfies readonly (keyof KeyVaultArgs)[];

const SECONDS_PER_DAY = 86400;
export { MAX_SECRET_LIFETIME_DAYS };
const SECRET_NAME = /^[0-9A-Za-z-]{1,127}$/;

/** Midnight UTC of `YYYY-MM-DD` in epoch seconds, or undefined if it is not such a date. */
function utcDaySeconds(date: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined;
  const ms = Date.parse(`${date}T00:00:00Z`);
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date ? undefined : ms / 1000;
}

/** What the secret methods need; kept off the class, which publishes only outputs. */
interface KeyVaultState {
  componentName: string;
  resourceGroupName: pulumi.Input<string>;
  secretTags: Record<string, string>;
  issuedOn: number;
  ready?: pulumi.Resource;
}
const state = new PrivateState<KeyVault, KeyVaultState>();

/** Key Vault for the platform's secrets and customer-managed keys (KEY-1, SEC-1). */
export class KeyVault extends pulumi.ComponentResource {
  /** Resource ID of the vault. */
  readonly vaultId: pulumi.Output<string>;
  /** Name of the vault (with its random suffix). */
  readonly vaultName: pulumi.Output<string>;
  /** `https://<name>.vault.azure.net/` */
  readonly vaultUri: pulumi.Output<string>;
  /** SKU of the vault. */
  readonly sku: KeyVaultSku;
  /** Region of the vault. */
  readonly location: string;
  /** What `CustomerManagedKey` takes as `vault`. */
  readonly reference: KeyVaultReference;

  /** The deployer's data roles on this vault, propagated; keys and secrets wait for it. */
  get ready(): pulumi.Resource | undefined {
    return state.get(this).ready;
  }

  constructor(name: string, args: KeyVaultArgs, opts?: pulumi.ComponentResourceOptions) {
    const owner = `KeyVault "${name}"`;
    // Every problem at once, before anything registers.
    const { problems, platformOk } = startArgChecks(
      owner,
      args,
      KEY_VAULT_ARG_KEYS,
      "RBAC, soft delete, purge protection and private access cannot be weakened (KEY-1)",
      PLATFORM_CONTEXT_KEYS,
    );
    problems.beforePlatformReads(platformOk);
    const { platform } = args;
    problems.check(() => parseArgs(owner, keyVaultSettingsSchema(platform), { sku: args.sku }));
    const location = args.location ?? platform.location;
    if (location !== platform.location && location !== platform.pairedLocation) {
      problems.add(
        ["location"],
        location,
        `must be the platform's region ${platform.location} or its pair ${platform.pairedLocation} (RES-1)`,
      );
    }
    const issuedOnText = args.secretsIssuedOn ?? new Date().toISOString().slice(0, 10);
    const issuedOn = typeof issuedOnText === "string" ? utcDaySeconds(issuedOnText) : undefined;
    if (issuedOn === undefined) {
      problems.add(["secretsIssuedOn"], issuedOnText, "must be a date such as 2026-01-31");
    }
    problems.check(() => checkRoleAssignments(owner, args.roleAssignments));
    problems.check(() => checkDiagnostics(owner, args.diagnostics));
    checkPrivateEndpoint(problems, args.privateEndpoint);
    const locked = problems.check(() => resolveLock(platform, args.lock, owner));
    const purpose = args.purpose ?? "main";
    problems.check(() => globalNameStem(platform, "keyVault", purpose), {
      path: ["purpose"],
      value: purpose,
    });
    const tags = problems.check(() => componentTags(platform, "confidential", args.tags, owner));
    problems.throwIfAny();
    super(componentType("KeyVault"), name, {}, withLegacyAlias("KeyVault", opts));
    this.sku = args.sku;
    this.location = location;

    const vault = new keyvault.Vault(
      `${name}-vault`,
      {
        resourceGroupName: platform.resourceGroupName,
        location,
        vaultName: globalResourceName(platform, "keyVault", purpose, this, `${name}-vault-name-suffix`),
        properties: {
          tenantId: platform.tenantId,
          sku: { family: "A", name: args.sku },
          // KEY-1: Azure RBAC only, no access policies.
          enableRbacAuthorization: true,
          accessPolicies: [],
          enableSoftDelete: true,
          softDeleteRetentionInDays: KEY_VAULT_SOFT_DELETE_DAYS.max,
          enablePurgeProtection: true,
          // NET-1: private endpoint only; trusted Azure services (CMK consumers) may pass.
          publicNetworkAccess: "Disabled",
          networkAcls: {
            defaultAction: "Deny",
            bypass: "AzureServices",
            ipRules: [],
            virtualNetworkRules: [],
          },
          enabledForDeployment: false,
          enabledForTemplateDeployment: false,
          enabledForDiskEncryption: false,
        },
        tags,
      },
      { parent: this, protect: locked },
    );
    if (locked) addLock(`${name}-vault`, vault, args.lock, { parent: this });
    const endpoint = addPrivateEndpoint(name, vault.id, "vault", platform, args.privateEndpoint, {
      parent: this,
    });
    addDiagnostics(`${name}-vault`, vault.id, "keyVault", platform, args.diagnostics, { parent: this });
    addMetricAlerts(
      name,
      vault.id,
      [
        {
          name: "availability",
          description: "Key Vault availability dropped below 99.9%",
          metricNamespace: "Microsoft.KeyVault/vaults",
          metricName: "Availability",
          operator: "LessThan",
          threshold: 99.9,
          aggregation: "Average",
          severity: 1,
        },
        {
          name: "saturation",
          description: "Key Vault capacity used above 75% (requests are about to be throttled)",
          metricNamespace: "Microsoft.KeyVault/vaults",
          metricName: "SaturationShoebox",
          operator: "GreaterThan",
          threshold: 75,
          aggregation: "Average",
          severity: 2,
        },
      ],
      platform,
      { parent: this },
    );
    (args.roleAssignments ?? []).forEach((a, i) =>
      assignRole(`${name}-role-${i}`, vault.id, a, { parent: this }),
    );
    const ready = grantDeployer(name, vault.id, args.deployer, { parent: this }).ready;
    state.set(this, {
      componentName: name,
      resourceGroupName: platform.resourceGroupName,
      secretTags: tags!,
      issuedOn: issuedOn!,
      ...(ready ? { ready } : {}),
    });

    this.vaultId = vault.id;
    this.vaultName = vault.name;
    // Apps (and their Key Vault references) get the URI once its private address is in DNS (NET-1).
    this.vaultUri = endpoint.reachable(vault.properties.apply((p) => p.vaultUri ?? ""));
    this.reference = {
      id: this.vaultId,
      // A data dependency rather than `dependsOn`: component arguments are plain data.
      name: ready ? pulumi.all([this.vaultName, ready.urn]).apply(([n]) => n) : this.vaultName,
      uri: this.vaultUri,
      sku: this.sku,
    };
    this.registerOutputs({ vaultId: this.vaultId, vaultName: this.vaultName, vaultUri: this.vaultUri });
  }

  /**
   * Stores a secret (SEC-1): the value is always a Pulumi secret, with a content type and an
   * expiry `expiresInDays` after the vault's `secretsIssuedOn`. The expiry is fixed at creation;
   * rotating is a new value, not a redeploy. Never deleted by the stack (`retainOnDelete`): ARM
   * has no DELETE for secrets, azure-native deletes them through the vault's data plane, and the
   * vault (public network access disabled) refuses that from outside its network; a secret
   * dropped from the program stays until its expiry or its vault goes.
   */
  addSecret(secretName: string, args: SecretArgs): keyvault.Secret {
    return this.secret(secretName, args, {
      ignoreChanges: ["properties.attributes.expires"],
      retainOnDelete: true,
    });
  }

  /**
   * A secret whose value a person sets later (SEC-1: never in code, config or state): the
   * stack creates it through Resource Manager with a placeholder value so that an app
   * referencing it can be created, and never writes the value again (`ignoreChanges`). The real
   * value is set with an ARM call by a holder of Platform Secret Writer
   * (docs/container-apps.md, App secrets).
   */
  addPlaceholderSecret(secretName: string, args: PlaceholderSecretArgs): keyvault.Secret {
    requireArgs(`${state.get(this).componentName}.addPlaceholderSecret("${secretName}")`, args);
    return this.secret(
      secretName,
      {
        value: PLACEHOLDER_SECRET_VALUE,
        contentType: PLACEHOLDER_CONTENT_TYPE,
        expiresInDays: args.expiresInDays,
      },
      // Never updated: an update is a PUT of the whole secret, which would write the placeholder
      // over the real value. Never deleted with the stack either: the value is someone's credential.
      { ignoreChanges: ["properties", "tags"], retainOnDelete: true },
    );
  }

  private secret(
    secretName: string,
    args: SecretArgs,
    extra: Pick<pulumi.CustomResourceOptions, "ignoreChanges" | "retainOnDelete">,
  ): keyvault.Secret {
    const { componentName, resourceGroupName, secretTags, issuedOn, ready } = state.get(this);
    const owner = `${componentName}.addSecret("${secretName}")`;
    requireArgs(owner, args);
    // Every problem at once: a RunError naming the call, the argument and what is allowed.
    const problems = new ArgProblems(owner);
    checkSecretArgs(problems, secretName, args);
    problems.throwIfAny();
    const expires = issuedOn + args.expiresInDays * SECONDS_PER_DAY;
    return new keyvault.Secret(
      `${componentName}-secret-${secretName}`,
      {
        resourceGroupName,
        vaultName: this.vaultName,
        secretName,
        properties: {
          value: pulumi.secret(args.value),
          contentType: args.contentType,
          attributes: { enabled: true, expires },
        },
        tags: secretTags,
      },
      // Recomputing the default issue date on a later day must not rewrite the secret; an ARM
      // write needs the deployer's data role on the vault (`ready`).
      { parent: this, ...extra, ...(ready ? { dependsOn: [ready] } : {}) },
    );
  }

  /** Stores a generated random value (`@pulumi/random` RandomPassword, a Pulumi secret). */
  addGeneratedSecret(secretName: string, args: GeneratedSecretArgs): keyvault.Secret {
    const { componentName } = state.get(this);
    const owner = `${componentName}.addGeneratedSecret("${secretName}")`;
    requireArgs(owner, args);
    const length = args.length ?? 32;
    const contentType = args.contentType ?? "text/plain; generated";
    // Every problem at once, and before the password registers (addSecret would check too late).
    const problems = new ArgProblems(owner);
    if (!Number.isInteger(length) || length < 16) {
      problems.add(["length"], length, "must be a whole number of at least 16");
    }
    checkSecretArgs(problems, secretName, { expiresInDays: args.expiresInDays, contentType });
    problems.throwIfAny();
    const generated = new random.RandomPassword(
      `${componentName}-secret-${secretName}-value`,
      { length, special: true, minLower: 1, minUpper: 1, minNumeric: 1, minSpecial: 1 },
      { parent: this },
    );
    return this.addSecret(secretName, {
      value: generated.result,
      contentType,
      expiresInDays: args.expiresInDays,
    });
  }
}

/** A secret's name, lifetime (SEC-1 rotation) and content type: every problem into `problems`. */
function checkSecretArgs(
  problems: ArgProblems,
  secretName: unknown,
  args: { expiresInDays: unknown; contentType: unknown },
): void {
  if (typeof secretName !== "string" || !SECRET_NAME.test(secretName)) {
    problems.add(["name"], secretName, "must be 1-127 letters, digits or '-'");
  }
  const days = args.expiresInDays;
  if (typeof days !== "number" || !Number.isInteger(days) || days < 1 || days > MAX_SECRET_LIFETIME_DAYS) {
    problems.add(
      ["expiresInDays"],
      days,
      `must be a whole number from 1 to ${MAX_SECRET_LIFETIME_DAYS} (SEC-1)`,
    );
  }
  if (typeof args.contentType !== "string" || args.contentType.trim() === "") {
    problems.add(
      ["contentType"],
      args.contentType,
      "is required: the secret's media type, e.g. text/plain (SEC-1)",
    );
  }
}

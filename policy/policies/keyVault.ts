/**
 * Key Vaults, keys and secrets (KEY-1, ENC-2, NET-1, IAM-2, SEC-1, BAK-1). Key Vault's
 * defaults allow access policies, public network access and short soft-delete windows
 * without purge protection, so each setting must be explicit.
 */
import { resourcePolicy, type StackView } from "../lib/define";
import { durationDays } from "../lib/duration";
import { arr, bool, eqi, get, has, num, peek, show, str } from "../lib/props";
import { KEY_ROTATION_DAYS, KEY_VAULT_SOFT_DELETE_DAYS } from "../../controls/limits";

const VAULT = ["azure-native:keyvault:Vault"] as const;
const KEY = ["azure-native:keyvault:Key"] as const;

/**
 * Host names (`<vault>.vault.azure.net`, or the host of the vault's URI) of the stack's vaults:
 * what a Key Vault reference or a customer-managed key URI must name. A vault name alone is not
 * enough: a Managed HSM (`<name>.managedhsm.azure.net`) or another cloud can carry the same name.
 */
export function vaultHosts(stack: StackView): Set<string> {
  const hosts = new Set<string>();
  for (const vault of stack.ofType("azure-native:keyvault:Vault")) {
    const uri = peek(vault.props, "properties", "vaultUri");
    const host = typeof uri === "string" ? uri.match(/^https:\/\/([^/]+)/i)?.[1] : undefined;
    if (host) hosts.add(host.toLowerCase());
    // Peeked: a name not known yet (preview) must not make every policy using the hosts skip.
    for (const key of ["vaultName", "name"]) {
      const name = peek(vault.props, key);
      if (typeof name === "string" && name) {
        hosts.add(`${name.toLowerCase()}.vault.azure.net`);
        break;
      }
    }
  }
  return hosts;
}

export const keyVaultRbacAuthorization = resourcePolicy({
  name: "key-vault-rbac-authorization",
  description:
    "Key Vaults use Azure RBAC for data-plane access; access policies are not used (KEY-1, IAM-2).",
  controls: ["KEY-1", "IAM-2"],
  severity: "high",
  remediation:
    "Set properties.enableRbacAuthorization: true, remove properties.accessPolicies and grant Key Vault data roles per identity.",
  types: VAULT,
  config: {},
  check: ({ props }, _cfg, report) => {
    if (bool(props, "properties", "enableRbacAuthorization") !== true)
      report(
        `properties.enableRbacAuthorization is ${show(get(props, "properties", "enableRbacAuthorization"))}; it must be true`,
      );
    if (arr(props, "properties", "accessPolicies").length > 0)
      report("properties.accessPolicies is not empty; access is granted by RBAC only");
  },
});

export const keyVaultDeletionProtection = resourcePolicy({
  name: "key-vault-deletion-protection",
  description:
    "Key Vaults keep soft delete with the configured retention (90 days) and purge protection, so keys protecting data cannot be destroyed (KEY-1, BAK-1).",
  controls: ["KEY-1", "BAK-1"],
  severity: "critical",
  remediation:
    "Set properties.enablePurgeProtection: true, properties.softDeleteRetentionInDays: 90 and do not disable enableSoftDelete.",
  types: VAULT,
  config: {
    minSoftDeleteRetentionDays: {
      description: "Minimum soft-delete retention of a vault in days (Azure allows 7-90).",
      default: KEY_VAULT_SOFT_DELETE_DAYS.max,
      schema: { minimum: KEY_VAULT_SOFT_DELETE_DAYS.azureMin, maximum: KEY_VAULT_SOFT_DELETE_DAYS.max },
    },
  },
  check: ({ props }, cfg, report) => {
    if (bool(props, "properties", "enableSoftDelete") === false)
      report("properties.enableSoftDelete is false; it must stay on");
    if (bool(props, "properties", "enablePurgeProtection") !== true)
      report(
        `properties.enablePurgeProtection is ${show(get(props, "properties", "enablePurgeProtection"))}; it must be true`,
      );
    // Azure's default retention is 90 days, so an unset value is compliant.
    const days = num(props, "properties", "softDeleteRetentionInDays") ?? 90;
    if (days < cfg.minSoftDeleteRetentionDays)
      report(
        `properties.softDeleteRetentionInDays is ${days}; it must be at least ${cfg.minSoftDeleteRetentionDays}`,
      );
  },
});

export const keyVaultPrivateAccess = resourcePolicy({
  name: "key-vault-private-access",
  description:
    "Key Vaults have public network access disabled and a deny-by-default firewall that only lets trusted Azure services through (NET-1, KEY-1).",
  controls: ["NET-1", "KEY-1"],
  severity: "critical",
  remediation:
    "Set properties.publicNetworkAccess: Disabled and properties.networkAcls { defaultAction: Deny, bypass: AzureServices }; add a private endpoint (group vault).",
  types: VAULT,
  config: {},
  check: ({ props }, _cfg, report) => {
    if (!eqi(get(props, "properties", "publicNetworkAccess"), "Disabled"))
      report(
        `properties.publicNetworkAccess is ${show(get(props, "properties", "publicNetworkAccess"))}; it must be Disabled`,
      );
    if (!eqi(get(props, "properties", "networkAcls", "defaultAction"), "Deny"))
      report(
        `properties.networkAcls.defaultAction is ${show(get(props, "properties", "networkAcls", "defaultAction"))}; it must be Deny`,
      );
    if (!eqi(get(props, "properties", "networkAcls", "bypass"), "AzureServices"))
      report(
        `properties.networkAcls.bypass is ${show(get(props, "properties", "networkAcls", "bypass"))}; it must be AzureServices`,
      );
  },
});

export const keyVaultNoPlatformAccess = resourcePolicy({
  name: "key-vault-no-platform-access",
  description:
    "Key Vaults do not let VMs, ARM template deployments or Azure Disk Encryption read secrets outside RBAC (KEY-1).",
  controls: ["KEY-1"],
  severity: "medium",
  remediation:
    "Set enabledForDeployment, enabledForTemplateDeployment and enabledForDiskEncryption to false (or leave them unset).",
  types: VAULT,
  config: {},
  check: ({ props }, _cfg, report) => {
    for (const key of ["enabledForDeployment", "enabledForTemplateDeployment", "enabledForDiskEncryption"]) {
      if (bool(props, "properties", key) === true) report(`properties.${key} is true; it must be false`);
    }
  },
});

export const keyVaultPremiumSku = resourcePolicy({
  name: "key-vault-premium-sku",
  description: "When HSM-backed keys are required, Key Vaults use the premium SKU (ENC-2).",
  controls: ["ENC-2"],
  severity: "medium",
  remediation: "Set properties.sku { family: A, name: premium }.",
  types: VAULT,
  config: {
    requirePremium: {
      description: "Require the premium SKU (HSM-backed keys). On in production.",
      default: true,
    },
  },
  check: ({ props }, cfg, report) => {
    if (cfg.requirePremium && !eqi(get(props, "properties", "sku", "name"), "premium"))
      report(`properties.sku.name is ${show(get(props, "properties", "sku", "name"))}; it must be premium`);
  },
});

/** Key operations that make a key an encryption key (what a customer-managed key does). */
const ENCRYPTION_OPS = ["encrypt", "decrypt", "wrapKey", "unwrapKey"];

/**
 * Whether a key is meant to encrypt: its keyOps name an encryption operation (whatever its
 * type: an EC key asking for wrapKey is judged, not excused), or they are unset on an RSA key
 * (every operation allowed). EC keys only sign and verify in Key Vault, and a key limited to
 * sign/verify cannot wrap a data key: neither can serve as a customer-managed key.
 */
export function isEncryptionKey(props: unknown): boolean {
  const ops = get(props, "properties", "keyOps");
  if (Array.isArray(ops))
    return arr(props, "properties", "keyOps").some((op) => ENCRYPTION_OPS.some((e) => eqi(op, e)));
  return !/^EC/i.test(str(props, "properties", "kty") ?? "");
}

/** Shared limits of the customer-managed key strength rules (ENC-2): one declaration each. */
export const keyStrengthConfig = {
  minKeySize: {
    description: "Minimum RSA key size in bits.",
    default: 3072,
    schema: { enum: [2048, 3072, 4096] },
  },
  requireHsm: { description: "Require HSM-backed keys (RSA-HSM). On in production.", default: true },
};

/** What makes a key too weak to protect data (ENC-2): [] when it is strong enough. */
export function keyStrengthProblems(
  props: unknown,
  cfg: { minKeySize: number; requireHsm: boolean },
): string[] {
  const problems: string[] = [];
  const kty = str(props, "properties", "kty");
  const allowed = cfg.requireHsm ? ["RSA-HSM"] : ["RSA", "RSA-HSM"];
  if (!kty || !allowed.some((a) => eqi(kty, a)))
    problems.push(
      `properties.kty is ${show(get(props, "properties", "kty"))}; allowed: ${allowed.join(", ")}`,
    );
  const size = num(props, "properties", "keySize");
  if (size === undefined || size < cfg.minKeySize)
    problems.push(
      `properties.keySize is ${show(get(props, "properties", "keySize"))}; it must be at least ${cfg.minKeySize} (Azure's default is 2048)`,
    );
  return problems;
}

export const keyVaultKeyStrength = resourcePolicy({
  name: "key-vault-key-strength",
  description:
    "Key Vault encryption keys are RSA keys of at least 3072 bits, HSM-backed (RSA-HSM) when required (ENC-2). Signing keys (EC, or keyOps without encrypt/decrypt/wrapKey/unwrapKey) are not judged here; a key used as a customer-managed key is judged by customer-managed-key-strength whatever its keyOps.",
  controls: ["ENC-2"],
  severity: "high",
  remediation: "Set properties.kty: RSA-HSM (premium vault) or RSA, and properties.keySize: 3072 or 4096.",
  types: KEY,
  config: keyStrengthConfig,
  check: (resource, cfg, report) => {
    if (!isEncryptionKey(resource.props)) return resource.notApplicable("not an encryption key");
    for (const problem of keyStrengthProblems(resource.props, cfg)) report(problem);
  },
});

export const keyVaultKeyNotExportable = resourcePolicy({
  name: "key-vault-key-not-exportable",
  description:
    "Key Vault keys are not exportable and carry no release policy: a releasable key can leave the HSM (to an attested environment the policy names), so the data it protects no longer depends on the vault (ENC-2, KEY-1).",
  controls: ["ENC-2", "KEY-1"],
  severity: "critical",
  remediation:
    "Set properties.attributes.exportable: false (or leave it unset) and remove properties.releasePolicy.",
  types: KEY,
  config: {},
  check: ({ props }, _cfg, report) => {
    if (bool(props, "properties", "attributes", "exportable") === true)
      report("properties.attributes.exportable is true; keys must not leave the vault");
    if (has(props, "properties", "releasePolicy"))
      report("properties.releasePolicy is set; keys must not be releasable");
  },
});

/** Days between rotations a rotation policy promises, or undefined when it has no rotate action. */
export function rotationIntervalDays(rotationPolicy: unknown): number | undefined {
  const expiry = durationDays(get(rotationPolicy, "attributes", "expiryTime"));
  let best: number | undefined;
  for (const action of arr(rotationPolicy, "lifetimeActions")) {
    if (!eqi(get(action, "action", "type"), "rotate")) continue;
    const after = durationDays(get(action, "trigger", "timeAfterCreate"));
    const before = durationDays(get(action, "trigger", "timeBeforeExpiry"));
    const interval = after ?? (before !== undefined && expiry !== undefined ? expiry - before : undefined);
    if (interval !== undefined && (best === undefined || interval < best)) best = interval;
  }
  return best;
}

export const keyVaultKeyRotation = resourcePolicy({
  name: "key-vault-key-rotation",
  description: `Key Vault keys carry a rotation policy with a rotate action at most every ${KEY_ROTATION_DAYS.max} days (KEY-1).`,
  controls: ["KEY-1"],
  severity: "high",
  remediation:
    "Set properties.rotationPolicy { attributes: { expiryTime: P2Y }, lifetimeActions: [{ action: { type: rotate }, trigger: { timeAfterCreate: P365D } }, { action: { type: notify }, trigger: { timeBeforeExpiry: P30D } }] }.",
  types: KEY,
  config: {
    maxRotationDays: {
      description: "Longest allowed interval between automatic rotations, in days.",
      default: KEY_ROTATION_DAYS.max,
      schema: { minimum: 1 },
    },
  },
  check: ({ props }, cfg, report) => {
    const policy = get(props, "properties", "rotationPolicy");
    if (policy === undefined || policy === null) {
      report("properties.rotationPolicy is not set; keys must rotate automatically");
      return;
    }
    const interval = rotationIntervalDays(policy);
    if (interval === undefined)
      report(
        "properties.rotationPolicy has no rotate action with a timeAfterCreate or timeBeforeExpiry trigger",
      );
    else if (interval > cfg.maxRotationDays)
      report(
        `properties.rotationPolicy rotates every ${Math.round(interval)} days; at most ${cfg.maxRotationDays} are allowed`,
      );
  },
});

export const keyVaultKeyExpiry = resourcePolicy({
  name: "key-vault-key-expiry",
  description:
    "Key Vault keys expire: the current version through properties.attributes.expires, rotated versions through the rotation policy's expiryTime, which does not apply to the current version (KEY-1).",
  controls: ["KEY-1"],
  severity: "medium",
  remediation:
    "Set properties.attributes.expires (Unix seconds, e.g. creation + the rotation policy's expiryTime) and, with a rotation policy, properties.rotationPolicy.attributes.expiryTime (e.g. P730D).",
  types: KEY,
  config: {},
  check: ({ props }, _cfg, report) => {
    if (!has(props, "properties", "attributes", "expires"))
      report(
        "the key's current version has no expiry (properties.attributes.expires); a rotation policy's expiryTime applies only to versions created by rotation",
      );
    if (
      has(props, "properties", "rotationPolicy") &&
      durationDays(get(props, "properties", "rotationPolicy", "attributes", "expiryTime")) === undefined
    )
      report("the rotation policy has no expiryTime: versions created by rotation would never expire");
  },
});

export const keyVaultSecretHygiene = resourcePolicy({
  name: "key-vault-secret-hygiene",
  description:
    "Key Vault secrets have an expiry and a content type, so stale credentials surface and are rotated (SEC-1, KEY-1).",
  controls: ["SEC-1", "KEY-1"],
  severity: "low",
  remediation: "Set properties.attributes.expires (Unix seconds) and properties.contentType on the secret.",
  types: ["azure-native:keyvault:Secret"],
  config: {
    requireExpiry: { description: "Require properties.attributes.expires.", default: true },
    requireContentType: { description: "Require properties.contentType.", default: true },
  },
  check: ({ props }, cfg, report) => {
    if (cfg.requireExpiry && !has(props, "properties", "attributes", "expires"))
      report("properties.attributes.expires is not set; secrets must expire");
    if (cfg.requireContentType && !str(props, "properties", "contentType"))
      report("properties.contentType is not set");
  },
});

export const keyVaultPolicies = [
  keyVaultRbacAuthorization,
  keyVaultDeletionProtection,
  keyVaultPrivateAccess,
  keyVaultNoPlatformAccess,
  keyVaultPremiumSku,
  keyVaultKeyStrength,
  keyVaultKeyNotExportable,
  keyVaultKeyRotation,
  keyVaultKeyExpiry,
  keyVaultSecretHygiene,
] as const;

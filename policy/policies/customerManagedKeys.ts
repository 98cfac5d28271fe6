/**
 * Customer-managed keys as the data stores use them (KEY-1, ENC-2): a key of this stack that
 * rotates, referenced so that rotation reaches the data. `key-vault-key-strength` skips
 * signing keys (EC, or keyOps without an encryption operation), so a key must be judged again
 * where a storage account, PostgreSQL server or Managed Redis references it as its
 * customer-managed key: there it must be a strong RSA key whatever its keyOps say. Both policies
 * read the key references with `keyReferences`.
 */
import { propertyDependenciesOf, stackPolicy, type StackResource } from "../lib/define";
import { eqi, get, known, NOT_KNOWN, peek, show } from "../lib/props";
import { judgedOnInputsInPreview, label, peekSet } from "../lib/relations";
import { keyStrengthConfig, keyStrengthProblems, rotationIntervalDays, vaultHosts } from "./keyVault";
import { KEY_ROTATION_DAYS } from "../../controls/limits";

export const customerManagedKeyStrength = stackPolicy({
  name: "customer-managed-key-strength",
  description:
    "Every Key Vault key of the stack that a storage account, PostgreSQL server or Managed Redis uses as its customer-managed key is an RSA key of at least 3072 bits, HSM-backed when required — whatever its keyOps (ENC-2).",
  controls: ["ENC-2"],
  severity: "high",
  remediation:
    "Encrypt with a key from the CustomerManagedKey component (RSA-HSM 3072, keyOps wrapKey/unwrapKey); never point a data store at a signing key.",
  types: [
    "azure-native:keyvault:Key",
    "azure-native:storage:StorageAccount",
    "azure-native:dbforpostgresql:Server",
    "azure-native:redisenterprise:RedisEnterprise",
  ],
  config: keyStrengthConfig,
  check: (stack, cfg, report) => {
    const keys = stack.ofType("azure-native:keyvault:Key");
    // Keys by vault and name, read once (the matching rule of keyMatches: the key's URI when it
    // has one, else its name and vault, a key of unknown vault matching any): a large estate has
    // hundreds of keys and stores, so this stays linear instead of pairwise.
    const index = new Map<string, StackResource[]>();
    // A value not known yet (preview) reads as absent here: those keys are matched through
    // dependencies below.
    for (const key of keys) {
      const parsed = parseKeyUri(textOf(key, "keyUri") ?? textOf(key, "keyUriWithVersion") ?? "");
      const name = (parsed?.name ?? textOf(key, "keyName") ?? textOf(key, "name"))?.toLowerCase();
      const vault = parsed?.vault ?? textOf(key, "vaultName")?.toLowerCase() ?? "";
      if (name === undefined) continue;
      const slot = `${vault}/${name}`;
      const list = index.get(slot);
      if (list) list.push(key);
      else index.set(slot, [key]);
    }
    // A key's problems, read once however many stores use it (synthetic and multi-copy estates
    // repeat vault and key names, so one key can match hundreds of stores).
    const problemsOf = new Map<StackResource, string[]>();
    const problems = (key: StackResource): string[] => {
      let found = problemsOf.get(key);
      // A key whose properties are not known yet (preview) cannot be judged: reported, never
      // read (which would make the policy skip every store of the stack).
      if (!found) {
        const read = known(() => keyStrengthProblems(keyArgs(key.props), cfg));
        found =
          read !== NOT_KNOWN
            ? read
            : leftToUp(key)
              ? []
              : ["its properties are not known yet: its type and size cannot be verified"];
        problemsOf.set(key, found);
      }
      return found;
    };
    const keyOrder = new Map(keys.map((k, i) => [k.urn, i]));
    const consumers = stack.ofType(
      "azure-native:storage:StorageAccount",
      "azure-native:dbforpostgresql:Server",
      "azure-native:redisenterprise:RedisEnterprise",
    );
    const judged = new Set<string>();
    for (const consumer of consumers) {
      for (const { uri } of keyReferences(consumer)) {
        let used: StackResource[];
        if (uri === NOT_KNOWN) {
          // Preview: the URI comes from a key being created; judge the keys the store depends on.
          // (The keys among its dependencies, in stack order: `keys.filter(dependsOn)` without a scan.)
          const at = new Set<number>();
          for (const d of propertyDependenciesOf(consumer, keyInputOf(consumer))) {
            const i = keyOrder.get(d.urn);
            if (i !== undefined) at.add(i);
          }
          used = [...at].sort((a, b) => a - b).map((i) => keys[i]);
        } else {
          const ref = parseKeyUri(uri);
          used = ref
            ? [...(index.get(`${ref.vault}/${ref.name}`) ?? []), ...(index.get(`/${ref.name}`) ?? [])]
            : [];
        }
        // A key the stack does not manage is reported by customer-managed-keys-rotate.
        for (const key of used) {
          // Only a key with problems reports, so only those need the once-per-pair bookkeeping.
          const found = problems(key);
          if (found.length === 0 || judged.has(`${key.urn}|${consumer.urn}`)) continue;
          judged.add(`${key.urn}|${consumer.urn}`);
          for (const problem of found)
            report(
              `key ${show(textOf(key, "keyName") ?? key.name)} is the customer-managed key of ${label(consumer)}: ${problem}`,
              key.urn,
            );
        }
      }
    }
  },
});

/**
 * A key's type and size in the shape of its inputs (`properties.kty`, `properties.keySize`: what
 * `keyStrengthProblems` reads). Stack policies see outputs, where azure-native flattens a key's
 * properties to the top level (`kty`, `keySize`: @pulumi/azure-native keyvault/key.js lists them as
 * outputs, and no `properties`; the recorded state in pulumi/pulumi-azure-native
 * provider/pkg/provider/testdata/recorded/TestProviderUpgrade/upgrade-keyvault/2.76.0/stack.json),
 * as customer-managed-keys-rotate reads `rotationPolicy`. Each field from `properties` when set
 * there (the inputs of a preview), else from the top level; with neither it is not set and the
 * key fails (deny by default). A value not known yet throws, as before (`known`).
 */
function keyArgs(props: StackResource["props"]): unknown {
  const field = (name: string) => get(props, "properties", name) ?? get(props, name);
  return { properties: { kty: field("kty"), keySize: field("keySize") } };
}

/**
 * Whether a key's type, size and rotation policy, not known yet, are left to `up`: a key being
 * created in a preview shows none of them (azure-native's PreviewOutputs answers the response's
 * flattened `kty`, `keySize`, `rotationPolicy`, which no input of that name fills: unknown), and
 * key-vault-key-rotation and key-vault-key-strength judged them on its literal `properties` input
 * (`judgedOnInputsInPreview`). key-vault-key-strength skips only keys that cannot wrap a data key
 * (EC, or keyOps without an encryption operation: `isEncryptionKey`), which no data store can use.
 */
const leftToUp = (key: StackResource): boolean => judgedOnInputsInPreview(key, ["properties"]);

interface KeyRef {
  host: string;
  vault: string;
  name: string;
  /** The pinned key version, if the URI names one. */
  version: string | undefined;
}

/** `https://<vault>.vault.azure.net/keys/<name>[/<version>]` -> parts. */
export function parseKeyUri(uri: string): KeyRef | undefined {
  const m = uri.trim().match(/^https:\/\/(([^./]+)\.[^/]+)\/keys\/([^/]+)(?:\/([^/]*))?\/?$/i);
  return m
    ? {
        host: m[1].toLowerCase(),
        vault: m[2].toLowerCase(),
        name: m[3].toLowerCase(),
        version: m[4] ? m[4].toLowerCase() : undefined,
      }
    : undefined;
}

/**
 * The input of a data store that holds its key reference: what a URI not known yet (preview) was
 * computed from is read from its propertyDependencies (any dependency of the store would let a
 * `dependsOn` on our key vouch for a key made elsewhere).
 */
function keyInputOf(r: StackResource): string {
  if (r.canonical === "azure-native:dbforpostgresql:Server") return "dataEncryption";
  if (r.canonical === "azure-native:storage:EncryptionScope") return "keyVaultProperties";
  return "encryption";
}

/** A key's string property, or undefined when absent or not known yet (preview: peeked, never read). */
function textOf(key: StackResource, name: string): string | undefined {
  const v = peek(key.props, name);
  return typeof v === "string" && v !== "" ? v : undefined;
}

/**
 * A key a data store encrypts with: its URI (`NOT_KNOWN` in a preview) and how it may name a
 * version. Storage accounts, encryption scopes and PostgreSQL follow a versionless URI to the
 * key's newest version, so a pinned version never sees a rotation; Managed Redis accepts only
 * versioned URLs, so it must name the key's current version.
 */
interface KeyUse {
  uri: string | typeof NOT_KNOWN;
  versions: "versionless" | "current";
}

export function keyReferences(r: StackResource): KeyUse[] {
  const refs: { uri: unknown; versions: KeyUse["versions"] }[] = [];
  // A part the program never set (unknown in a preview all the same: a Managed Redis cluster's
  // `encryption` without a customer-managed key) is none (`peekSet`).
  const vaultKey = (base: [string, ...string[]], uriKey: string, nameKey: string, versionKey: string) => {
    const vaultUri = peekSet(r, ...base, uriKey);
    const keyName = peekSet(r, ...base, nameKey);
    const version = peekSet(r, ...base, versionKey);
    if (vaultUri === NOT_KNOWN || keyName === NOT_KNOWN)
      refs.push({ uri: NOT_KNOWN, versions: "versionless" });
    else if (typeof vaultUri === "string" && vaultUri && typeof keyName === "string" && keyName)
      refs.push({
        uri: `${vaultUri.replace(/\/+$/, "")}/keys/${keyName}${typeof version === "string" && version.trim() ? `/${version.trim()}` : ""}`,
        versions: "versionless",
      });
  };
  // A key source not known yet (preview) may be Key Vault: one key not known, judged through
  // what the store depends on; read with get(), it made both key policies skip the stack.
  const storageSource =
    r.canonical === "azure-native:storage:StorageAccount" ? peekSet(r, "encryption", "keySource") : undefined;
  const scopeSource =
    r.canonical === "azure-native:storage:EncryptionScope" ? peekSet(r, "source") : undefined;
  if (storageSource === NOT_KNOWN || scopeSource === NOT_KNOWN) {
    refs.push({ uri: NOT_KNOWN, versions: "versionless" });
  } else if (
    r.canonical === "azure-native:storage:StorageAccount" &&
    eqi(storageSource, "Microsoft.Keyvault")
  ) {
    vaultKey(["encryption", "keyVaultProperties"], "keyVaultUri", "keyName", "keyVersion");
  } else if (r.canonical === "azure-native:dbforpostgresql:Server") {
    for (const key of ["primaryKeyURI", "geoBackupKeyURI"])
      refs.push({ uri: peekSet(r, "dataEncryption", key), versions: "versionless" });
  } else if (r.canonical === "azure-native:redisenterprise:RedisEnterprise") {
    refs.push({
      uri: peekSet(r, "encryption", "customerManagedKeyEncryption", "keyEncryptionKeyUrl"),
      versions: "current",
    });
  } else if (
    r.canonical === "azure-native:storage:EncryptionScope" &&
    eqi(scopeSource, "Microsoft.KeyVault")
  ) {
    refs.push({ uri: peekSet(r, "keyVaultProperties", "keyUri"), versions: "versionless" });
  }
  return refs.filter((v): v is KeyUse => v.uri === NOT_KNOWN || (typeof v.uri === "string" && v.uri !== ""));
}

/**
 * Whether `ref` names `key`: same host, vault and key name. The host counts, not only the vault
 * name in it: `https://<our vault>.managedhsm.azure.net/keys/<our key>` is someone's Managed HSM
 * that shares our vault's name (another namespace), and Azure encrypts with it just the same.
 * A key whose URI is not known yet (preview) lives in one of the stack's vaults (`hosts`).
 */
function keyMatches(key: StackResource, ref: KeyRef, uri: string, hosts: ReadonlySet<string>): boolean {
  const keyUri = textOf(key, "keyUri") ?? textOf(key, "keyUriWithVersion");
  if (keyUri) {
    const parsed = parseKeyUri(keyUri);
    if (parsed) return parsed.host === ref.host && parsed.vault === ref.vault && parsed.name === ref.name;
  }
  const name = (textOf(key, "keyName") ?? textOf(key, "name"))?.toLowerCase();
  const vault = textOf(key, "vaultName")?.toLowerCase();
  return (
    name === ref.name && (vault === undefined || vault === ref.vault) && hosts.has(ref.host) && uri !== ""
  );
}

export const customerManagedKeysRotate = stackPolicy({
  name: "customer-managed-keys-rotate",
  description:
    "Every customer-managed key used by a storage account, encryption scope, PostgreSQL server or Managed Redis is a Key Vault key of this stack with a rotation policy rotating at most every configured days, referenced so that rotation reaches the data: versionless (Managed Redis: the key's current version) (KEY-1, ENC-2).",
  controls: ["KEY-1", "ENC-2"],
  severity: "high",
  remediation:
    "Create the key in this stack with the CustomerManagedKey component (rotation policy: rotate after <= 365 days) and reference it by its versionless URI (no keyVersion); Managed Redis: the key's keyUriWithVersion output.",
  types: [
    "azure-native:keyvault:Key",
    "azure-native:storage:StorageAccount",
    "azure-native:storage:EncryptionScope",
    "azure-native:dbforpostgresql:Server",
    "azure-native:redisenterprise:RedisEnterprise",
  ],
  config: {
    maxRotationDays: {
      description: "Longest allowed rotation interval in days.",
      default: KEY_ROTATION_DAYS.max,
    },
  },
  check: (stack, cfg, report) => {
    const keys = stack.ofType("azure-native:keyvault:Key");
    const hosts = vaultHosts(stack);
    const consumers = stack.ofType(
      "azure-native:storage:StorageAccount",
      "azure-native:storage:EncryptionScope",
      "azure-native:dbforpostgresql:Server",
      "azure-native:redisenterprise:RedisEnterprise",
    );
    const checkRotation = (key: StackResource, what: string, consumer: StackResource) => {
      // Not known yet (preview): reported as not verifiable, never read (which skipped the policy).
      const read = known(() =>
        rotationIntervalDays(
          get(key.props, "properties", "rotationPolicy") ?? get(key.props, "rotationPolicy"),
        ),
      );
      if (read === NOT_KNOWN) {
        if (leftToUp(key)) return;
        report(
          `key ${what} used by ${label(consumer)} has a rotation policy that is not known yet: its rotation cannot be verified`,
          key.urn,
        );
        return;
      }
      const interval = read;
      if (interval === undefined || interval > cfg.maxRotationDays)
        report(
          `key ${what} used by ${label(consumer)} has ${interval === undefined ? "no rotation policy" : `a rotation every ${Math.round(interval)} days`}; it must rotate at most every ${cfg.maxRotationDays} days`,
          key.urn,
        );
    };
    for (const consumer of consumers) {
      for (const { uri, versions } of keyReferences(consumer)) {
        if (uri === NOT_KNOWN) {
          // Preview: the URI comes from a key being created; judge the keys the store depends on.
          // None: it names a key this stack does not manage (e.g. a new vault's URI and a key
          // made elsewhere), which a preview would otherwise pass.
          const sources = new Set(propertyDependenciesOf(consumer, keyInputOf(consumer)).map((d) => d.urn));
          const used = keys.filter((k) => sources.has(k.urn));
          if (used.length === 0)
            report(
              `${label(consumer)} uses a key whose URI is not known yet and does not come from a key of this stack: its rotation cannot be verified`,
              consumer.urn,
            );
          for (const key of used) checkRotation(key, textOf(key, "keyName") ?? key.name, consumer);
          continue;
        }
        const ref = parseKeyUri(uri);
        if (!ref) {
          report(`${label(consumer)} uses key ${show(uri)}, which is not a Key Vault key URI`, consumer.urn);
          continue;
        }
        const key = keys.find((k) => keyMatches(k, ref, uri, hosts));
        if (!key) {
          report(
            `${label(consumer)} uses key ${ref.name} at ${ref.host}, which this stack does not manage: its rotation cannot be verified`,
            consumer.urn,
          );
          continue;
        }
        checkRotation(key, `${ref.vault}/${ref.name}`, consumer);
        const current = parseKeyUri(textOf(key, "keyUriWithVersion") ?? "")?.version;
        if (versions === "versionless" && ref.version !== undefined)
          report(
            `${label(consumer)} pins version ${ref.version} of key ${ref.vault}/${ref.name}: a rotated key never reaches the data; reference it without a version`,
            consumer.urn,
          );
        else if (versions === "current" && current !== undefined && ref.version !== current)
          report(
            `${label(consumer)} uses ${ref.version === undefined ? "no version" : `version ${ref.version}`} of key ${ref.vault}/${ref.name}, not its current version ${current}: rotation does not reach the data`,
            consumer.urn,
          );
      }
    }
  },
});

export const customerManagedKeysPolicies = [customerManagedKeyStrength, customerManagedKeysRotate] as const;

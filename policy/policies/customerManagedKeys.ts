/**
 * Customer-managed keys as the data stores use them (ENC-2). `key-vault-key-strength` skips
 * signing keys (EC, or keyOps without an encryption operation), so a key must be judged again
 * where a storage account, PostgreSQL server or Managed Redis references it as its
 * customer-managed key: there it must be a strong RSA key whatever its keyOps say. The key
 * references are read by the same functions as `customer-managed-keys-rotate` (stack.ts).
 */
import { stackPolicy, type StackResource } from "../lib/define";
import { NOT_KNOWN, peek, show, str } from "../lib/props";
import { dependsOn, label } from "../lib/relations";
import { keyStrengthConfig, keyStrengthProblems } from "./keyVault";
import { keyReferences, parseKeyUri } from "./stack";

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
    const text = (key: StackResource, name: string) => {
      const v = peek(key.props, name);
      return typeof v === "string" ? v : undefined;
    };
    for (const key of keys) {
      const parsed = parseKeyUri(text(key, "keyUri") ?? text(key, "keyUriWithVersion") ?? "");
      const name = (parsed?.name ?? text(key, "keyName") ?? text(key, "name"))?.toLowerCase();
      const vault = parsed?.vault ?? text(key, "vaultName")?.toLowerCase() ?? "";
      if (name === undefined) continue;
      const slot = `${vault}/${name}`;
      index.set(slot, [...(index.get(slot) ?? []), key]);
    }
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
          used = keys.filter((k) => dependsOn(consumer, k));
        } else {
          const ref = parseKeyUri(uri);
          used = ref
            ? [...(index.get(`${ref.vault}/${ref.name}`) ?? []), ...(index.get(`/${ref.name}`) ?? [])]
            : [];
        }
        // A key the stack does not manage is reported by customer-managed-keys-rotate.
        for (const key of used) {
          if (judged.has(`${key.urn}|${consumer.urn}`)) continue;
          judged.add(`${key.urn}|${consumer.urn}`);
          for (const problem of keyStrengthProblems(key.props, cfg))
            report(
              `key ${show(str(key.props, "keyName") ?? key.name)} is the customer-managed key of ${label(consumer)}: ${problem}`,
              key.urn,
            );
        }
      }
    }
  },
});

export const customerManagedKeysPolicies = [customerManagedKeyStrength] as const;

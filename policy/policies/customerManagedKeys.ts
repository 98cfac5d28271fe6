/**
 * Customer-managed keys as the data stores use them (ENC-2). `key-vault-key-strength` skips
 * signing keys (EC, or keyOps without an encryption operation), so a key must be judged again
 * where a storage account, PostgreSQL server or Managed Redis references it as its
 * customer-managed key: there it must be a strong RSA key whatever its keyOps say. The key
 * references are read by the same functions as `customer-managed-keys-rotate` (stack.ts).
 */
import { stackPolicy, type StackResource } from "../lib/define";
import { NOT_KNOWN, peek, show, str } from "../lib/props";
import { label } from "../lib/relations";
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
      const list = index.get(slot);
      if (list) list.push(key);
      else index.set(slot, [key]);
    }
    // A key's problems, read once however many stores use it (synthetic and multi-copy estates
    // repeat vault and key names, so one key can match hundreds of stores).
    const problemsOf = new Map<StackResource, string[]>();
    const problems = (key: StackResource): string[] => {
      let found = problemsOf.get(key);
      if (!found) problemsOf.set(key, (found = keyStrengthProblems(key.props, cfg)));
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
          for (const d of consumer.dependencies) {
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
              `key ${show(str(key.props, "keyName") ?? key.name)} is the customer-managed key of ${label(consumer)}: ${problem}`,
              key.urn,
            );
        }
      }
    }
  },
});

export const customerManagedKeysPolicies = [customerManagedKeyStrength] as const;

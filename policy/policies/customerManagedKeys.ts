/**
 * Customer-managed keys as the data stores use them (ENC-2). `key-vault-key-strength` skips
 * signing keys (EC, or keyOps without an encryption operation), so a key must be judged again
 * where a storage account, PostgreSQL server or Managed Redis references it as its
 * customer-managed key: there it must be a strong RSA key whatever its keyOps say. The key
 * references are read by the same functions as `customer-managed-keys-rotate` (stack.ts).
 */
import { stackPolicy } from "../lib/define";
import { NOT_KNOWN, show, str } from "../lib/props";
import { dependsOn, label } from "../lib/relations";
import { keyStrengthConfig, keyStrengthProblems } from "./keyVault";
import { keyMatches, keyReferences, parseKeyUri } from "./stack";

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
    const consumers = stack.ofType(
      "azure-native:storage:StorageAccount",
      "azure-native:dbforpostgresql:Server",
      "azure-native:redisenterprise:RedisEnterprise",
    );
    for (const consumer of consumers) {
      for (const uri of keyReferences(consumer)) {
        // Preview: the URI comes from a key being created; judge the keys the store depends on.
        const used =
          uri === NOT_KNOWN
            ? keys.filter((k) => dependsOn(consumer, k))
            : keys.filter((k) => {
                const ref = parseKeyUri(uri);
                return ref !== undefined && keyMatches(k, ref, uri);
              });
        // A key the stack does not manage is reported by customer-managed-keys-rotate.
        for (const key of used)
          for (const problem of keyStrengthProblems(key.props, cfg))
            report(
              `key ${show(str(key.props, "keyName") ?? key.name)} is the customer-managed key of ${label(consumer)}: ${problem}`,
              key.urn,
            );
      }
    }
  },
});

export const customerManagedKeysPolicies = [customerManagedKeyStrength] as const;

/**
 * The Key Vault SKU rule: the `KeyVault` component parses its `sku` with it, and the stack
 * config's `keyVaultSku` key is the same field and rule.
 */
import { z } from "zod";
import { enumValues } from "./common/enums";
import { hsmKeysRequired } from "./common/mandatory";

/** Key Vault SKU; prod requires premium (HSM-backed keys, ENC-2). */
export const KeyVaultSku = {
  /** Software-protected keys. */
  Standard: "standard",
  /** HSM-protected keys (ENC-2 in prod). */
  Premium: "premium",
} as const;
export type KeyVaultSku = (typeof KeyVaultSku)[keyof typeof KeyVaultSku];
export const KEY_VAULT_SKUS = enumValues(KeyVaultSku);

export const keyVaultSkuSchema = z
  .enum(KEY_VAULT_SKUS, { message: `must be one of ${KEY_VAULT_SKUS.join(", ")}` })
  .describe("Vault SKU; prod requires premium (HSM-backed keys, ENC-2).");

/** ENC-2: prod keys are HSM-backed, which needs a premium vault (`hsmKeysRequired`). */
export function keyVaultRules(
  s: { sku?: unknown },
  context: { environment: string },
  issue: (path: PropertyKey[], message: string) => void,
): void {
  if (hsmKeysRequired(context) && s.sku !== "premium") {
    issue(["sku"], "prod requires premium (HSM-backed keys, ENC-2)");
  }
}

export function keyVaultSettingsSchema(context: { environment: string }) {
  return z
    .object({ sku: keyVaultSkuSchema })
    .superRefine(
      (s, ctx) =>
        keyVaultRules(s, context, (path, message) => ctx.addIssue({ code: "custom", path, message })),
      { when: () => true },
    );
}

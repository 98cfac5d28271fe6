/**
 * The `CustomerManagedKey` arguments a caller chooses (ENC-2, KEY-1), parsed before anything
 * registers, every problem at once: key size, rotation and expiry (limits from
 * policy/common/limits.ts, the same the pack's `key-vault-key-rotation` reads) and the vault SKU.
 */
import { z } from "zod";
import { KEY_EXPIRY_DAYS, KEY_ROTATION_DAYS } from "../controls/limits";
import { wholeNumber } from "./common/schema";
import { keyVaultSkuSchema } from "./keyVault.schema";

export const CMK_KEY_SIZES = [3072, 4096] as const;

export const customerManagedKeySettingsSchema = z
  .object({
    purpose: z
      .string({ message: "must be a non-empty string (part of the key's and identity's names)" })
      .min(1, "must be a non-empty string (part of the key's and identity's names)")
      .describe("The service the key encrypts, e.g. `storage`, `postgres`, `postgres-geo`, `redis`."),
    location: z
      .string({ message: "must be an Azure region name" })
      .min(1, "must be an Azure region name")
      .optional()
      .describe("Region of the key's identity. Default: the platform's."),
    keySize: z
      .literal(CMK_KEY_SIZES, {
        message: `must be ${CMK_KEY_SIZES.join(" or ")} bits (ENC-2: at least ${CMK_KEY_SIZES[0]})`,
      })
      .optional()
      .describe(`ENC-2: RSA key size in bits. Default ${CMK_KEY_SIZES[0]}.`),
    rotateAfterDays: wholeNumber(
      KEY_ROTATION_DAYS.azureMin,
      KEY_ROTATION_DAYS.max,
      `Key Vault rotates no sooner than ${KEY_ROTATION_DAYS.azureMin} days after creation; KEY-1 rotates at least yearly`,
    )
      .optional()
      .describe(
        `KEY-1: days after creation (of each version) the key rotates. Default ${KEY_ROTATION_DAYS.default}.`,
      ),
    expiryDays: z
      .number({ message: "must be a whole number of days" })
      .int("must be a whole number of days")
      .optional()
      .meta({ allowed: `> rotateAfterDays + ${KEY_EXPIRY_DAYS.notifyBefore}` })
      .describe(
        `KEY-1: lifetime of each key version in days; must exceed rotateAfterDays + ${KEY_EXPIRY_DAYS.notifyBefore}. Default ${KEY_EXPIRY_DAYS.default}.`,
      ),
    vault: z
      .object({ sku: keyVaultSkuSchema })
      .describe("The vault holding the key (`KeyVault.reference`); premium makes the key RSA-HSM."),
  })
  .superRefine(
    (s, ctx) => {
      const rotate = s.rotateAfterDays ?? KEY_ROTATION_DAYS.default;
      const expiry = s.expiryDays ?? KEY_EXPIRY_DAYS.default;
      if (typeof rotate !== "number" || typeof expiry !== "number") return;
      if (expiry <= rotate + KEY_EXPIRY_DAYS.notifyBefore)
        ctx.addIssue({
          code: "custom",
          path: ["expiryDays"],
          message: `must exceed rotateAfterDays + ${KEY_EXPIRY_DAYS.notifyBefore} (${rotate + KEY_EXPIRY_DAYS.notifyBefore}) so a version never expires before it rotates (KEY-1)`,
        });
    },
    { when: () => true },
  );

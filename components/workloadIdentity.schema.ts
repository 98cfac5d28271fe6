/**
 * The `WorkloadIdentity` arguments a caller chooses (IAM-1), parsed before anything registers.
 * The identity's Azure name (`resourceName`) is checked by the component as before; this schema
 * checks the shapes and reports every problem at once.
 */
import { z } from "zod";

export const workloadIdentitySettingsSchema = z.object({
  purpose: z
    .string({ message: "must be a non-empty string (part of the identity's Azure name)" })
    .min(1, "must be a non-empty string (part of the identity's Azure name)")
    .describe("What the identity is for, e.g. the app name or `cmk-storage`; part of its Azure name."),
  location: z
    .string({ message: "must be an Azure region name" })
    .min(1, "must be an Azure region name")
    .optional()
    .describe(
      "Region of the identity. Default: the platform's (a geo-backup key's identity lives in the pair).",
    ),
  tags: z
    .record(z.string(), z.string({ message: "must be a string" }))
    .optional()
    .describe("Extra tags; cannot override the CLS-1 tags."),
});

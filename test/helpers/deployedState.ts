/**
 * A `pulumi stack export` of a deployed stack, made from an offline plan's export: what a real
 * export of the same stack on Pulumi Cloud carries that a plan cannot know. A Pulumi Cloud
 * secrets provider; `created`/`modified` times; provider-computed outputs (`provisioningState`,
 * the storage account's `creationTime`, `statusOfPrimary`...); a secret output as ciphertext
 * (`{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "ciphertext": ...}`)
 * listed in `additionalSecretOutputs`. The drift tests judge this, so computed fields and secrets
 * must not confuse the analyzer.
 */
import { jsonClone } from "../../lib/analyzer/paths";
import {
  SECRET_SIG,
  SIG_KEY,
  type StackExport,
  type StackExportResource,
} from "../../policy/common/pulumiFormat";

const CREATED = "2026-11-02T09:14:31.204518Z";
const MODIFIED = "2026-11-30T16:02:11.918733Z";

/** Outputs Azure computes that no program sets, by type (a few, as the REST API returns them). */
const COMPUTED: Record<string, Record<string, unknown>> = {
  "azure-native:storage:StorageAccount": {
    creationTime: "2026-11-02T09:14:35.1234567Z",
    primaryLocation: "westeurope",
    secondaryLocation: "northeurope",
    statusOfPrimary: "available",
    statusOfSecondary: "available",
    keyCreationTime: { key1: "2026-11-02T09:14:35.1234567Z", key2: "2026-11-02T09:14:35.1234567Z" },
  },
  "azure-native:keyvault:Vault": { properties: { provisioningState: "Succeeded" } },
};

export function deployedExport(planned: StackExport, stack: string): StackExport {
  const doc = jsonClone(planned);
  doc.deployment.secrets_providers = {
    type: "service",
    state: { url: "https://api.pulumi.com", owner: "acme", project: "secure-azure-platform", stack },
  };
  for (const r of doc.deployment.resources ?? []) deploy(r);
  return doc;
}

function deploy(r: StackExportResource): void {
  if (!r.custom || r.type.startsWith("pulumi:providers:")) return;
  r.created = CREATED;
  r.modified = MODIFIED;
  const outputs = (r.outputs ??= {});
  if (r.type.startsWith("azure-native:")) {
    outputs.provisioningState ??= "Succeeded";
    for (const [key, value] of Object.entries(COMPUTED[r.type] ?? {})) {
      const current = outputs[key];
      outputs[key] =
        typeof current === "object" && current !== null && typeof value === "object"
          ? { ...value, ...current }
          : (current ?? value);
    }
  }
  if (r.type === "random:index/randomString:RandomString") {
    // As a program marking it `additionalSecretOutputs: ["result"]` leaves it in state.
    outputs.result = {
      [SIG_KEY]: SECRET_SIG,
      ciphertext: "AAABAKxQ0Xw1mVd2cK7kQxk3J9tq2v4Hf0bJ+Yl5",
    };
    r.additionalSecretOutputs = ["result"];
  }
}

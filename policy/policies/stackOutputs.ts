/**
 * The stack's outputs (what `pulumi stack output`, a `StackReference` in another team's stack and
 * the Pulumi Cloud console read): none carries a credential. No resource policy sees them: they
 * are the outputs of the root `pulumi:pulumi:Stack`, which only stack policies receive.
 */
import { stackPolicy } from "../lib/define";
import { NOT_KNOWN, peek, show } from "../lib/props";
import { STACK_TYPE } from "../common/pulumiFormat";
import { namesCredential, secretLookingValue } from "../../controls/secretDetection";

/** Where a value sits in the outputs: `a.b[2]`. */
const pathOf = (parent: string, key: string | number): string =>
  typeof key === "number" ? `${parent}[${key}]` : parent === "" ? key : `${parent}.${key}`;

/**
 * A bare Azure shared key: a storage account key is 512 bits ("Azure generates two 512-bit storage
 * account access keys", Microsoft's "Manage storage account access keys"), 88 base64 characters
 * ending `==`, as are Cosmos DB keys; Service Bus, Event Hubs, Relay and Event Grid SAS keys and
 * Azure Cache for Redis access keys are 256 bits, 44 characters ending `=`.
 * `listStorageAccountKeys(...).keys[0].value` exported as it is carries no `AccountKey=` or other
 * marker, so only its shape gives it away. Only here, not in the shared value check of environment
 * variables, where a base64 SHA-256 digest (a pinned hash) has the same shape and is not a secret.
 *
 * A base64 SHA-256 or SHA-512 digest has exactly this shape too, and is refused, bare or in any
 * wrapping: 32 or 64 uniformly random bytes cannot be told apart, and an output's name is chosen by
 * whoever writes the export, so `sha256: key` would pass a name-based exemption, and a prefix is
 * chosen as freely: Subresource Integrity's `sha256-<base64>` (W3C "Subresource Integrity",
 * integrity metadata) passed before, so a key exported as `sha256-${key}` did too (deny by
 * default; a stack output holding an SRI digest is rare). A digest is exported in hex
 * (`sha256:<64 hex>` as OCI image digests are written), which no rule here matches. (A SHA-384
 * SRI digest, 48 bytes, has no Azure key's size and passes as any other base64 does.)
 */
const AZURE_SHARED_KEY = /^\s*([A-Za-z0-9+/]{86}==|[A-Za-z0-9+/]{43}=)\s*$/;
/**
 * The same keys inside a longer text (`"key=" + k`, `Endpoint=...;Key=<key>`, a JSON document):
 * base64 of exactly 32 or 64 bytes (its last character before the padding carries only the bits
 * left: one of 16, or of 4), bounded by non-base64 characters (an SRI digest's `sha256-` prefix
 * too). Both letter cases must occur, as they do in any random key of this length.
 */
const EMBEDDED_SHARED_KEY =
  /(?<![A-Za-z0-9+/])(?:[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=|[A-Za-z0-9+/]{85}[AQgw]==)(?![A-Za-z0-9+/=])/g;
const bothCases = (s: string): boolean => /[a-z]/.test(s) && /[A-Z]/.test(s);
/**
 * 32 hexadecimal characters: an Azure AI services (Cognitive Services, Azure OpenAI) key ("Key1,
 * Key2: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", Microsoft's Get-AzCognitiveServicesAccountKey
 * reference) and an Azure AI Search admin or query key of the older format. As many values that
 * are not secrets have the same shape (a Key Vault key or secret version, an MD5 digest, a W3C
 * trace ID, a GUID written without dashes; Microsoft's own scanner rates the shape low-confidence,
 * microsoft/security-utilities SEC000/002), only where a name says it is a credential
 * (`namesCredential`, the names the pack reads as a secret's everywhere): the output's own name
 * (`primaryKey`, `key1`, `adminKey`, `clientSecret`, `credentials`, `accessToken`, `password`,
 * `connectionString`, `sas`, not `publicKey` nor `keyVersion`), or a name right before it in the
 * text (`"key=" + k`, `{"apiKey": "..."}`, `secret: ...`).
 */
const HEX_32 = /^\s*[0-9a-fA-F]{32}\s*$/;
const NAMED_HEX_32 = /(?:^|[^\w-])([\w-]+)["']?\s*[=:]\s*["']?[0-9a-fA-F]{32}(?![0-9A-Za-z])/g;
const namesHex32 = (value: string): boolean => {
  for (const m of value.matchAll(NAMED_HEX_32)) if (namesCredential(m[1])) return true;
  return false;
};

const embedsSharedKey = (value: string): boolean => {
  for (const m of value.matchAll(EMBEDDED_SHARED_KEY)) if (bothCases(m[0])) return true;
  return false;
};

/** Whether the output `name` (the last key of its path) holds a credential-looking `value`. */
const looksLikeCredential = (value: string, name: string | number): boolean =>
  secretLookingValue(value) !== undefined ||
  AZURE_SHARED_KEY.test(value) ||
  embedsSharedKey(value) ||
  namesHex32(value) ||
  (typeof name === "string" && namesCredential(name) && HEX_32.test(value));

/**
 * Every string in `value` that looks like a credential, with its path. Values not known yet
 * (preview) are skipped: the check runs again on the outputs at `up`.
 */
function credentialsIn(value: unknown, path: string, found: string[], name: string | number = ""): void {
  if (value === NOT_KNOWN) return;
  if (typeof value === "string") {
    if (looksLikeCredential(value, name)) found.push(path);
    return;
  }
  if (Array.isArray(value)) {
    // An array's items are judged under the array's name (`keys: ["<32 hex>"]`).
    for (let i = 0; i < value.length; i++) credentialsIn(peek(value, i), pathOf(path, i), found, name);
    return;
  }
  if (typeof value === "object" && value !== null)
    for (const key of Object.keys(value)) credentialsIn(peek(value, key), pathOf(path, key), found, key);
}

export const stackOutputsNoCredentials = stackPolicy({
  name: "stack-outputs-no-credentials",
  description:
    "No output of the stack holds a value that looks like a credential (a storage or Service Bus connection string with its key, a bare or embedded storage, Cosmos DB, Service Bus, Event Grid or Redis access key (a Subresource Integrity `sha256-<base64>` too), an Azure AI services or AI Search key (32 hexadecimal characters under a credential's name, or Microsoft's identifiable key formats), a SignalR access key, an Entra client secret, a SAS, a password in a connection string or URL, a private key, a token), whether or not it is a Pulumi secret: CrossGuard hands policies secrets decrypted and unmarked, and an output is read by everyone who can read the stack and by every StackReference to it, so a credential there undoes access control on the data it opens (SEC-1).",
  controls: ["SEC-1"],
  severity: "critical",
  remediation:
    "Export names, IDs and endpoints only. Keep the credential in Key Vault and let readers use their own managed identity (Entra authentication) instead of a key or connection string. Export a digest in hex (`sha256:<64 hex>`), never in base64, bare or as Subresource Integrity (`sha256-<base64>`), which has a key's shape.",
  types: [],
  config: {},
  check: (stack, _cfg, report) => {
    for (let i = 0; i < stack.resources.length; i++) {
      const r = stack.resources[i];
      if (r.type !== STACK_TYPE) continue;
      const found: string[] = [];
      credentialsIn(r.props, "", found);
      for (const path of found)
        report(
          `stack output ${show(path)} looks like a credential (its value matches a credential format); a stack output is readable by every reader of the stack and every StackReference to it`,
          r.urn,
        );
    }
  },
});

export const stackOutputsPolicies = [stackOutputsNoCredentials] as const;

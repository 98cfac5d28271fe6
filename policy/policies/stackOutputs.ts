/**
 * The stack's outputs (what `pulumi stack output`, a `StackReference` in another team's stack and
 * the Pulumi Cloud console read): none carries a credential. No resource policy sees them: they
 * are the outputs of the root `pulumi:pulumi:Stack`, which only stack policies receive.
 */
import { stackPolicy } from "../lib/define";
import { NOT_KNOWN, peek, show } from "../lib/props";
import { STACK_TYPE } from "../common/pulumiFormat";
import { secretLookingValue } from "../../controls/secretDetection";

/** Where a value sits in the outputs: `a.b[2]`. */
const pathOf = (parent: string, key: string | number): string =>
  typeof key === "number" ? `${parent}[${key}]` : parent === "" ? key : `${parent}.${key}`;

/**
 * A bare Azure shared key: a storage account key is 512 bits ("Azure generates two 512-bit storage
 * account access keys", Microsoft's "Manage storage account access keys"), 88 base64 characters
 * ending `==`; Service Bus, Event Hubs and Relay SAS keys and Azure Cache for Redis access keys are
 * 256 bits, 44 characters ending `=`. `listStorageAccountKeys(...).keys[0].value` exported as it is
 * carries no `AccountKey=` or other marker, so only its shape gives it away. Only here, not in the
 * shared value check of environment variables, where a base64 SHA-256 digest (a pinned hash) has the
 * same shape and is not a secret; a stack exports no digest of ours.
 */
const AZURE_SHARED_KEY = /^\s*([A-Za-z0-9+/]{86}==|[A-Za-z0-9+/]{43}=)\s*$/;

const looksLikeCredential = (value: string): boolean =>
  secretLookingValue(value) !== undefined || AZURE_SHARED_KEY.test(value);

/**
 * Every string in `value` that looks like a credential, with its path. Values not known yet
 * (preview) are skipped: the check runs again on the outputs at `up`.
 */
function credentialsIn(value: unknown, path: string, found: string[]): void {
  if (value === NOT_KNOWN) return;
  if (typeof value === "string") {
    if (looksLikeCredential(value)) found.push(path);
    return;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) credentialsIn(peek(value, i), pathOf(path, i), found);
    return;
  }
  if (typeof value === "object" && value !== null)
    for (const key of Object.keys(value)) credentialsIn(peek(value, key), pathOf(path, key), found);
}

export const stackOutputsNoCredentials = stackPolicy({
  name: "stack-outputs-no-credentials",
  description:
    "No output of the stack holds a value that looks like a credential (a storage or Service Bus connection string with its key, a bare storage, Service Bus or Redis access key, a SAS, a password in a connection string or URL, a private key, a token), whether or not it is a Pulumi secret: CrossGuard hands policies secrets decrypted and unmarked, and an output is read by everyone who can read the stack and by every StackReference to it, so a credential there undoes access control on the data it opens (SEC-1).",
  controls: ["SEC-1"],
  severity: "critical",
  remediation:
    "Export names, IDs and endpoints only. Keep the credential in Key Vault and let readers use their own managed identity (Entra authentication) instead of a key or connection string.",
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

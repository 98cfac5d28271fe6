/**
 * SEC-1: a plain value (a container's environment variable, argument, command, probe header,
 * Dapr metadata value, mount option) must never carry a secret. The one heuristic used by the
 * policy pack, the stack config validation and the ContainerApp component (it lives in
 * `controls/`, which both the pack and the components package ship).
 *
 * A name that looks like a secret (`DB_PASSWORD`, `DB_PASS`, `API_TOKEN`) is refused unless its
 * value shows it cannot be one:
 *  - a number or a boolean (`PASSWORD_MIN_LENGTH: "12"`, `TOKEN_REFRESH: "true"`), or
 *  - for a name that ends like an address (`_ENDPOINT`, `_URL`, `_URI`, `_HOST`, `_ISSUER`,
 *    `_AUDIENCE`, `_SCOPE`), a URL or host name without credentials (`TOKEN_ENDPOINT: https://…`).
 * Names the preset allow-lists (e.g. `allowedEnvNames` of `container-app-no-secret-env`) are
 * judged by value only. A value that looks like a credential is refused whatever its name.
 */

const SECRET_NAME =
  /(passw(or)?d|(^|_)pass($|_)|(^|_)pwd?($|_)|secret|token|api_?key|access_?key|private_?key|(^|_)key($|_)|credential|conn(ection)?_?str(ing)?|(^|_)sas($|_)|signature|bearer|cookie|(^|_)jwt($|_)|authorization)/i;

const SECRET_VALUE: readonly RegExp[] = [
  /AccountKey=/i,
  /SharedAccessSignature|SharedAccessKey/i,
  // SAS, Functions keys, token query params; `key=` / `subscription-key=` (Azure Maps, API
  // Management and Azure AI services accept their key as a query parameter).
  /[?&;](sig|sv|code|token|access_token|api_?key|apikey|key|subscription-key|secret|password|pwd)=/i,
  // Connection strings, SMB mount options; `AccessKey=` carries the key of an Azure SignalR Service
  // connection string (`Endpoint=https://<name>.service.signalr.net;AccessKey=<key>;Version=1.0;`,
  // Microsoft's "Connection strings in Azure SignalR Service").
  /(^|[;,])\s*(Password|pwd|AccessKey)\s*=/i,
  /[a-z][a-z0-9+.-]*:\/\/[^/\s@:]*:[^/\s@]+@/i, // credentials in a URL, user name empty or not
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  // Token formats by their own prefix and separator, followed by a run of random characters: a
  // GitHub token (`ghp_` and kin, `github_pat_`), npm (`npm_`), Stripe (`sk_live_`), GitLab
  // (`glpat-`), Slack (`xoxb-`), OpenAI-style (`sk-`, `sk-proj-`). A host or resource name that
  // merely starts with such a word (`npm-registry-mirror-dev`, `sk-sap-platform-prod`) is made of
  // short dash-separated words, not a run of 20 random characters after the prefix.
  /\b((ghp|gho|ghu|ghs|ghr|npm|github_pat|sk_live|pk_live|rk_live)_[A-Za-z0-9]{20,}|glpat-[A-Za-z0-9_-]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|sk-([a-z0-9]+-){0,3}[A-Za-z0-9_]{20,})/,
  /\b(AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35})\b/, // AWS access key ID, Google API key
  // Microsoft's identifiable keys, by the signature Azure writes at a fixed place in them
  // (microsoft/security-utilities, src/Microsoft.Security.Utilities.Core/IdentifiableMetadata.cs
  // and HighConfidenceMicrosoftSecurityModels/): an Azure AI Search query or admin key (52
  // characters, `AzSe` at 42, SEC101/166-167), an Azure Functions key (56, `AzFu` at 44,
  // SEC101/158), a Common Annotated Security Key as Azure AI services and Azure OpenAI issue them
  // (84, `JQQJ9` at 52, SEC101/200), a Microsoft Entra client secret (40, `7Q~`/`8Q~` at 3,
  // SEC101/156). Bounded so a longer run of the same characters does not match.
  /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{42}AzSe[A-D][A-Za-z0-9+/]{5}(?![A-Za-z0-9+/])/,
  /(?<![\w-])[\w-]{44}AzFu[\w-]{5}[AQgw]==/,
  /(?<![A-Za-z0-9])[A-Za-z0-9]{52}JQQJ9[9D][A-Za-z0-9][A-L][A-Za-z0-9]{16}[A-Za-z][A-Za-z0-9]{7}(?![A-Za-z0-9])/,
  /(?<![\w.~-])[\w.~-]{3}[78]Q~[\w.~-]{31,34}(?![\w.~-])/,
  /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\./, // JWT
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/i, // an Authorization header value
  /hooks\.slack\.com\/(services|workflows)\//i,
  /discord(app)?\.com\/api\/webhooks\//i,
  /\.webhook\.office\.com\/|outlook\.office(365)?\.com\/webhook/i,
];

/** Names that contain a secret-looking word but are known to be plain identifiers. */
const ALLOWED_NAMES: ReadonlySet<string> = new Set([
  "AZURE_CLIENT_ID",
  "AZURE_TENANT_ID",
  "KEY_VAULT_URI",
  "AZURE_KEY_VAULT_URI",
]);

/** Name endings of settings that hold an address, not a credential. */
const ADDRESS_NAME = /_(ENDPOINT|URL|URI|HOST|HOSTNAME|ISSUER|AUDIENCE|SCOPE)$/i;
const NUMBER_OR_BOOLEAN = /^\s*(-?\d+(\.\d+)?|true|false)\s*$/i;
const PLAIN_ADDRESS = /^(https?:\/\/[^\s/?#@]+(\/[^\s?#@]*)?|[a-z0-9.-]+(:\d+)?)$/i;

/**
 * A name as SNAKE_CASE words: header, flag, metadata and output names use dashes or camelCase
 * (X-Api-Key, --db-password, accountKey).
 */
const wordsOf = (name: string): string => name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/-/g, "_");

/**
 * Whether a name (a stack output's, a JSON field's) says it holds a credential: a secret-looking
 * name (`SECRET_NAME`: `clientSecret`, `credentials`, `accessToken`, `password`, `pwd`,
 * `connectionString`, `sas`, `signature`, `primaryKey`), or one that ends like a key in any case
 * (`key1`, `keys`, `adminkey`). Not a public key's (`publicKey`, `sshPublicKey`, `publicKeyHash`),
 * nor a Key Vault key or secret version (`keyVersion`, `secretVersion`: 32 hexadecimal characters
 * that open nothing). An identity (`clientId`, `tenantId`, `principalId`) names none.
 */
export function namesCredential(name: string): boolean {
  const words = wordsOf(name);
  if (/public/i.test(name) || /_versions?$/i.test(words)) return false;
  return SECRET_NAME.test(words) || /keys?\d*$/i.test(name);
}

/** Why a value looks like a credential whatever its name, or undefined. */
export function secretLookingValue(value: string): string | undefined {
  return SECRET_VALUE.some((re) => re.test(value)) ? "its value looks like a credential" : undefined;
}

/**
 * Why a plain name/value pair looks like a secret, or undefined if it does not. `allowedNames`
 * (from the preset) are names judged by value only.
 */
export function secretLookingReason(
  name: string,
  value: string,
  allowedNames: readonly string[] = [],
): string | undefined {
  const byValue = secretLookingValue(value);
  if (byValue) return byValue;
  const words = wordsOf(name);
  if (ALLOWED_NAMES.has(name) || allowedNames.includes(name) || !SECRET_NAME.test(words)) return undefined;
  if (NUMBER_OR_BOOLEAN.test(value)) return undefined;
  if (ADDRESS_NAME.test(words) && PLAIN_ADDRESS.test(value.trim())) return undefined;
  return `its name "${name}" looks like a secret`;
}

/**
 * Why a command line (container `command` + `args`) carries a secret, or undefined: a value that
 * looks like a credential, or a secret-looking flag with its value (`--db-password=x`,
 * `--api-key x`, `-p x` is not guessed).
 */
export function secretLookingArgs(
  args: readonly string[],
  allowedNames: readonly string[] = [],
): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const byValue = secretLookingValue(arg);
    if (byValue) return `argument ${i}: ${byValue}`;
    const flag = /^--?([A-Za-z][A-Za-z0-9_-]*)(=(.*))?$/.exec(arg);
    if (!flag) continue;
    const value = flag[2] !== undefined ? flag[3] : args[i + 1];
    if (value === undefined || (flag[2] === undefined && value.startsWith("-"))) continue;
    const reason = secretLookingReason(flag[1], value, allowedNames);
    if (reason) return `argument ${i} (${flag[1]}): ${reason}`;
  }
  return undefined;
}

/**
 * SEC-1: a container's plain environment variables must never carry a secret. This is the
 * one heuristic used by the stack config validation and the ContainerApp component, so both
 * refuse the same inputs.
 */

const SECRET_NAME =
  /(passw(or)?d|(^|_)pwd($|_)|secret|token|api_?key|access_?key|private_?key|(^|_)key($|_)|credential|conn(ection)?_?str(ing)?|(^|_)sas($|_)|signature)/i;

const SECRET_VALUE: readonly RegExp[] = [
  /AccountKey=/i,
  /SharedAccessSignature|SharedAccessKey/i,
  /[?&]sig=/i,
  /Password=|pwd=/i,
  /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i, // credentials in a URL
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /^(ghp|gho|github_pat|xox[abp]|sk|pk_live|sk_live|AKIA)[A-Za-z0-9_-]{8,}/,
  /^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\./, // JWT
];

/** Names that contain a secret-looking word but are known to be plain identifiers. */
const ALLOWED_NAMES: ReadonlySet<string> = new Set([
  "AZURE_CLIENT_ID",
  "AZURE_TENANT_ID",
  "KEY_VAULT_URI",
  "AZURE_KEY_VAULT_URI",
]);

/** Why a plain env var looks like a secret, or undefined if it does not. */
export function secretLookingReason(name: string, value: string): string | undefined {
  if (!ALLOWED_NAMES.has(name) && SECRET_NAME.test(name)) {
    return `its name "${name}" looks like a secret`;
  }
  if (SECRET_VALUE.some((re) => re.test(value))) {
    return "its value looks like a credential";
  }
  return undefined;
}

/**
 * ISO 8601 durations as Key Vault rotation policies use them (`P90D`, `P1Y`, `P2Y6M`, `PT12H`),
 * in days. Years count 365 days and months 30, which is how Key Vault itself approximates them.
 */
const DURATION = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/i;

/** Days in an ISO 8601 duration, or undefined when it is not one. */
export function durationDays(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const m = value.trim().match(DURATION);
  if (!m || value.trim() === "P" || /T$/i.test(value.trim())) return undefined;
  const [y, mo, w, d, h, mi, s] = m.slice(1).map((part) => (part === undefined ? 0 : Number(part)));
  return y * 365 + mo * 30 + w * 7 + d + h / 24 + mi / 1440 + s / 86400;
}

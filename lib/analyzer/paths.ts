/**
 * Editing JSON documents by property path, for synthetic exports and the tests that change
 * one setting of a resource.
 */

/**
 * Sets `path` (dot-separated; numeric segments index arrays; a `push:` prefix appends to the
 * array there) in `target`, creating what is missing. `undefined` removes the property.
 */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const push = path.startsWith("push:");
  const keys = (push ? path.slice("push:".length) : path).split(".");
  let node: Record<string, unknown> = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== "object" || node[key] === null) node[key] = /^\d+$/.test(key) ? [] : {};
    node = node[key] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1];
  if (push) node[last] = [...(Array.isArray(node[last]) ? (node[last] as unknown[]) : []), jsonClone(value)];
  else if (value === undefined) delete node[last];
  else node[last] = jsonClone(value);
}

/**
 * A deep copy of JSON data. Not `structuredClone`: under jest it returns objects of another
 * realm, which `unknownCheckingProxy` (an `instanceof Object` test) leaves unwrapped, so a
 * preview unknown inside them would go unnoticed.
 */
export function jsonClone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

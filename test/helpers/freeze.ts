/**
 * `value`, frozen deeply: a test that changed what several tests share would throw (strict mode)
 * instead of changing it for the others.
 */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

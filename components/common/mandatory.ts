/**
 * What an environment makes mandatory, whatever the stack's config or a hand-built
 * `PlatformContext` says: the one place every component reads "prod always ..." from. Each rule
 * names its control; a component refuses an argument that would weaken one of them.
 */
import { Environment } from "./interfaces";

/** The part of a context these rules read (structural, so schemas and hand-built contexts fit). */
interface EnvironmentOf {
  readonly environment: string;
}

/** Whether the environment is production, where every control is at its strictest (ENV-1). */
export function isProduction(context: EnvironmentOf): boolean {
  return context.environment === Environment.Prod;
}

/** AVL-1: zone-redundant SKUs and high availability in prod and wherever the platform asks for them. */
export function zoneRedundancyRequired(
  context: EnvironmentOf & { readonly zoneRedundant: boolean },
): boolean {
  return context.zoneRedundant || isProduction(context);
}

/** BAK-2: a `CanNotDelete` lock on stateful resources in prod, even if a context forgot `deletionLocks`. */
export function deletionLockRequired(context: EnvironmentOf & { readonly deletionLocks: boolean }): boolean {
  return context.deletionLocks || isProduction(context);
}

/** ENC-2: prod data stores always encrypt with a customer-managed key; elsewhere a given key is used. */
export function customerManagedKeyRequired(context: EnvironmentOf): boolean {
  return isProduction(context);
}

/** ENC-2: prod keys are HSM-backed, which needs a premium vault. */
export function hsmKeysRequired(context: EnvironmentOf): boolean {
  return isProduction(context);
}

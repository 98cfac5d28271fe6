/**
 * Every policy of the pack, one list (the contract with `policy/index.ts`, the engine and the
 * composition API). `allPolicies` keeps each policy's literal name and config type for
 * `guard.ts`; `platformPolicies` is the same list as the SDK-facing type.
 */
import type { PlatformPolicy } from "../lib/types";
import { authorizationPolicies } from "./authorization";
import { containerAppsPolicies } from "./containerApps";
import { generalPolicies } from "./general";
import { keyVaultPolicies } from "./keyVault";
import { monitoringPolicies } from "./monitoring";
import { networkPolicies } from "./network";
import { postgresPolicies } from "./postgres";
import { redisPolicies } from "./redis";
import { stackPolicies } from "./stack";
import { storagePolicies } from "./storage";

export const allPolicies = [
  ...storagePolicies,
  ...postgresPolicies,
  ...redisPolicies,
  ...keyVaultPolicies,
  ...containerAppsPolicies,
  ...monitoringPolicies,
  ...authorizationPolicies,
  ...networkPolicies,
  ...generalPolicies,
  ...stackPolicies,
] as const;

/** Policies by service, for documentation and reports. */
export const policiesByService = {
  storage: storagePolicies,
  postgres: postgresPolicies,
  redis: redisPolicies,
  keyVault: keyVaultPolicies,
  containerApps: containerAppsPolicies,
  monitoring: monitoringPolicies,
  authorization: authorizationPolicies,
  network: networkPolicies,
  general: generalPolicies,
  stack: stackPolicies,
} as const;

export const platformPolicies: PlatformPolicy[] = [...allPolicies];

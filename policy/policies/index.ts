/**
 * Every policy of the pack, one list (the contract with `policy/index.ts`, the engine and the
 * composition API). `allPolicies` keeps each policy's literal name and config type for
 * `guard.ts`; `platformPolicies` is the same list as the SDK-facing type.
 */
import type { PlatformPolicy } from "../lib/types";
import { alertingPolicies } from "./alerting";
import { authorizationPolicies } from "./authorization";
import { containerAppsPolicies } from "./containerApps";
import { customerManagedKeysPolicies } from "./customerManagedKeys";
import { dataStoresPolicies } from "./dataStores";
import { defenderPolicies } from "./defender";
import { edgePolicies } from "./edge";
import { environmentPolicies } from "./environment";
import { generalPolicies } from "./general";
import { keyVaultPolicies } from "./keyVault";
import { managedIdentityPolicies } from "./managedIdentity";
import { monitoringPolicies } from "./monitoring";
import { networkPolicies } from "./network";
import { postgresPolicies } from "./postgres";
import { redisPolicies } from "./redis";
import { resourcesPolicies } from "./resources";
import { sentinelPolicies } from "./sentinel";
import { stackOutputsPolicies } from "./stackOutputs";
import { storagePolicies } from "./storage";

export const allPolicies = [
  ...storagePolicies,
  ...postgresPolicies,
  ...redisPolicies,
  ...keyVaultPolicies,
  ...containerAppsPolicies,
  ...monitoringPolicies,
  ...alertingPolicies,
  ...defenderPolicies,
  ...authorizationPolicies,
  ...managedIdentityPolicies,
  ...resourcesPolicies,
  ...customerManagedKeysPolicies,
  ...networkPolicies,
  ...generalPolicies,
  ...environmentPolicies,
  ...dataStoresPolicies,
  ...edgePolicies,
  ...sentinelPolicies,
  ...stackOutputsPolicies,
] as const;

/** Policies by service, for documentation and reports. */
export const policiesByService = {
  storage: storagePolicies,
  postgres: postgresPolicies,
  redis: redisPolicies,
  keyVault: keyVaultPolicies,
  containerApps: containerAppsPolicies,
  monitoring: monitoringPolicies,
  alerting: alertingPolicies,
  defender: defenderPolicies,
  authorization: authorizationPolicies,
  managedIdentity: managedIdentityPolicies,
  resources: resourcesPolicies,
  customerManagedKeys: customerManagedKeysPolicies,
  network: networkPolicies,
  general: generalPolicies,
  environment: environmentPolicies,
  dataStores: dataStoresPolicies,
  edge: edgePolicies,
  sentinel: sentinelPolicies,
  stackOutputs: stackOutputsPolicies,
} as const;

export const platformPolicies: PlatformPolicy[] = [...allPolicies];

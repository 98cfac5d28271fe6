/**
 * Defender for Cloud plans (THR-1) for the services the platform runs. Plans are
 * subscription-wide, so only the stack that owns the subscription's security settings should
 * manage them (config `manageDefenderPlans`, off by default in dev).
 */
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as security from "@pulumi/azure-native/security";
import { parseArgs } from "./common/schema";
import { defenderPlansArgsSchema } from "./defender.schema";

/** The plans for the services the platform runs (THR-1), with Azure's current sub-plans. */
export const DEFENDER_PLANS: readonly { plan: string; subPlan?: string }[] = [
  { plan: "StorageAccounts", subPlan: "DefenderForStorageV2" },
  { plan: "KeyVaults", subPlan: "PerKeyVault" },
  { plan: "Containers" },
  { plan: "OpenSourceRelationalDatabases" },
];

export class DefenderPlans extends pulumi.ComponentResource {
  readonly planNames: string[];

  constructor(name: string, args: Record<string, never> = {}, opts?: pulumi.ComponentResourceOptions) {
    parseArgs(`DefenderPlans "${name}"`, defenderPlansArgsSchema, args);
    super("secure-azure-platform:foundation:DefenderPlans", name, {}, opts);
    const client = authorization.getClientConfigOutput({ parent: this });
    const scopeId = pulumi.interpolate`/subscriptions/${client.subscriptionId}`;
    for (const { plan, subPlan } of DEFENDER_PLANS) {
      new security.Pricing(
        `${name}-${plan}`,
        { scopeId, pricingName: plan, pricingTier: "Standard", subPlan },
        { parent: this },
      );
    }
    this.planNames = DEFENDER_PLANS.map((p) => p.plan);
    this.registerOutputs({ planNames: this.planNames });
  }
}

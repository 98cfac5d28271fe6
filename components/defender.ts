/**
 * Defender for Cloud plans (THR-1) for the services the platform runs. Plans are
 * subscription-wide, so only the stack that owns the subscription's security settings should
 * manage them (config `manageDefenderPlans`, off by default in dev).
 */
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as security from "@pulumi/azure-native/security";
import { DEFENDER_PLANS } from "../controls/defender";
import { componentType, withLegacyAlias } from "./common/componentType";
import { parseArgs } from "./common/schema";
import { defenderPlansArgsSchema } from "./defender.schema";

/** The plan table lives in controls/ so the policy pack and the permission check read the same one (THR-1). */
export {
  DEFENDER_PLANS,
  STORAGE_SCANNING_EXTENSIONS,
  type DefenderPlanExtension,
} from "../controls/defender";

/**
 * No arguments: the plan list is fixed (THR-1). An interface all the same, because the SDK's
 * component schema analysis requires the constructor's `args` to be one.
 */
export interface DefenderPlansArgs {
  /** Nothing may be passed (TypeScript refuses any key; `defenderPlansArgsSchema` refuses JavaScript callers'). */
  readonly [key: string]: never;
}

/** Defender for Cloud plans (THR-1) on the subscription, for the services the platform runs. */
export class DefenderPlans extends pulumi.ComponentResource {
  /** Pricing names of the plans turned on. */
  readonly planNames: string[];

  constructor(name: string, args: DefenderPlansArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    parseArgs(`DefenderPlans "${name}"`, defenderPlansArgsSchema, args);
    super(componentType("DefenderPlans"), name, {}, withLegacyAlias("DefenderPlans", opts));
    const client = authorization.getClientConfigOutput({ parent: this });
    const scopeId = pulumi.interpolate`/subscriptions/${client.subscriptionId}`;
    for (const { plan, subPlan, extensions } of DEFENDER_PLANS) {
      new security.Pricing(
        `${name}-${plan}`,
        {
          scopeId,
          pricingName: plan,
          pricingTier: "Standard",
          subPlan,
          extensions: extensions?.map((e) => ({ ...e })),
        },
        // What a subscription Owner turned on stays on (see STORAGE_SCANNING_EXTENSIONS). Retained
        // on delete: pricings.json allows DELETE only at resource scope, so a destroy (or
        // manageDefenderPlans turned off) would fail; the plans are subscription-wide and stay on.
        {
          parent: this,
          retainOnDelete: true,
          ...(extensions ? { ignoreChanges: ["extensions"] } : {}),
        },
      );
    }
    this.planNames = DEFENDER_PLANS.map((p) => p.plan);
    this.registerOutputs({ planNames: this.planNames });
  }
}

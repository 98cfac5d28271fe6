/**
 * Defender for Cloud plans (THR-1) for the services the platform runs. Plans are
 * subscription-wide, so only the stack that owns the subscription's security settings should
 * manage them (config `manageDefenderPlans`, off by default in dev).
 */
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as security from "@pulumi/azure-native/security";
import { componentType, withLegacyAlias } from "./common/componentType";
import { parseArgs } from "./common/schema";
import { defenderPlansArgsSchema } from "./defender.schema";

/** A plan extension as Microsoft.Security/pricings takes it (isEnabled is the string "True"/"False"). */
export interface DefenderPlanExtension {
  readonly name: string;
  readonly isEnabled: "True" | "False";
}

/**
 * Defender for Storage's on-upload malware scanning and sensitive data threat detection. Enabling
 * them at subscription scope needs Subscription Owner or Microsoft's "action set 1" (it includes
 * Microsoft.Authorization/roleAssignments/write: Defender assigns roles to its scanner), which
 * the deploy identity never holds (its RBAC administrator role is conditioned, IAM-2). Left out,
 * Azure turns scanning on when the sub-plan is first enabled (hashicorp/terraform-provider-azurerm
 * #27338) and reports a failure in the extension's own operationStatus (pricings.json), not as an
 * error of the request: a silent gap. So the stack says "False" and a
 * subscription Owner turns them on once (docs/running-in-ci.md); the stack then never touches
 * them (ignoreChanges extensions).
 */
export const STORAGE_SCANNING_EXTENSIONS: readonly DefenderPlanExtension[] = [
  { name: "OnUploadMalwareScanning", isEnabled: "False" },
  { name: "SensitiveDataDiscovery", isEnabled: "False" },
];

/** The plans for the services the platform runs (THR-1), with Azure's current sub-plans. */
export const DEFENDER_PLANS: readonly {
  plan: string;
  subPlan?: string;
  extensions?: readonly DefenderPlanExtension[];
}[] = [
  { plan: "StorageAccounts", subPlan: "DefenderForStorageV2", extensions: STORAGE_SCANNING_EXTENSIONS },
  { plan: "KeyVaults", subPlan: "PerKeyVault" },
  { plan: "Containers" },
  { plan: "OpenSourceRelationalDatabases" },
];

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

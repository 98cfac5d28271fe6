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
    // A subscription has a pricing for every plan from the start (Free), and azure-native creates
    // nothing that already exists: its Create first GETs the resource and fails with "cannot
    // create already existing resource" on a 200 with a body (provider/pkg/azure/client_azcore.go
    // CanCreate). Pricings are no exception: pricings.json (2024-01-01, the SDK's version) has a
    // DELETE, so azure-native does not treat them as singletons (gen/schema.go isSingleton), and
    // they have no default state (openapi/defaults/defaultResourcesState.go). So each plan is
    // imported and then updated in the same deployment (the engine does both since Pulumi CLI
    // 3.174, pulumi/pulumi#19339; .pulumi.version pins a later one). The import ID is the
    // subscription the provider itself runs in (`getClientConfig`), hence the apply; a plan
    // already in the state ignores it (its recorded import ID is the same).
    client.subscriptionId.apply((subscriptionId) => {
      const scopeId = `/subscriptions/${subscriptionId}`;
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
          {
            parent: this,
            import: `${scopeId}/providers/Microsoft.Security/pricings/${plan}`,
            // Retained on delete: pricings.json allows DELETE only at resource scope (Azure answers
            // InvalidUrlConfiguration at a subscription, Azure/terraform-provider-azapi#818), so a
            // destroy (or manageDefenderPlans turned off) would fail; the plans stay on.
            retainOnDelete: true,
            ignoreChanges: [
              // The import reads `scopeId` from the ID without its leading "/" in azure-native
              // releases before pulumi/pulumi-azure-native#4818 ("Fix leading slash lost on
              // scope/resourceUri when importing resources", merged to master 2026-08-29), and a
              // path parameter that differs replaces: a replace here is a create, refused as above.
              // The pinned 3.28.0 (npm: published 2026-09-21; 3.27.0 on 2026-09-03) postdates the
              // merge, so the imported value has the "/" and this ignore changes nothing; it stays
              // for a provider pinned below it. The import ID fixes the scope either way.
              "scopeId",
              // What a subscription Owner turned on stays on (see STORAGE_SCANNING_EXTENSIONS). Each
              // item, not the list: the engine resets an ignored path to the imported value, and an
              // imported Free plan has no extensions (ListPricings_example.json), so ignoring
              // "extensions" would drop them from the update that turns the plan on and Azure would
              // then enable scanning for the deploy identity. `[*]` over a list the import lacks
              // leaves it as stated ("False"), over Azure's list of the same length keeps Azure's
              // values (PropertyPath.Reset). Not indexes: an index the import lacks is a path error,
              // an info line since Pulumi CLI 3.190 (pulumi/pulumi#20278) but a failed import step
              // before it. (A list of another length, should Azure add an extension, is such an
              // info line too: the first items are Azure's, as many as stated.)
              ...(extensions ? ["extensions[*]"] : []),
            ],
          },
        );
      }
    });
    this.planNames = DEFENDER_PLANS.map((p) => p.plan);
    this.registerOutputs({ planNames: this.planNames });
  }
}

/**
 * Microsoft Defender for Cloud (THR-1): plans on the Standard tier for the services the
 * platform runs, per-resource threat protection never switched off, and — when the stack
 * manages the subscription's plans — a plan for every service it deploys.
 */
import type { AzureType } from "../lib/azureTypes";
import { resourcePolicy, stackPolicy, type StackResource } from "../lib/define";
import { bool, eqi, get, normalizeId, NOT_KNOWN, peek, show, str } from "../lib/props";
import { idOf, label, normalizedIdOf, stackIndex, subscriptionOf } from "../lib/relations";

/** Any subscription: a plan whose scope is only known once deployed (its provider's subscription). */
const ANY = "*";

/**
 * The subscription a plan covers, `ANY` when not known yet, or undefined when the plan is set
 * on something narrower than a subscription (a resource-level override covers nothing else).
 */
function planSubscription(plan: StackResource): string | undefined {
  const scope = peek(plan.props, "scopeId");
  if (scope === NOT_KNOWN) return ANY;
  if (typeof scope === "string" && scope.trim() !== "") {
    const s = normalizeId(scope);
    return s !== undefined && /^\/subscriptions\/[^/]+$/.test(s) ? subscriptionOf(s) : undefined;
  }
  const id = normalizedIdOf(plan);
  if (id === undefined) return ANY;
  return /^\/subscriptions\/[^/]+\/providers\/microsoft\.security\/pricings\/[^/]+$/.test(id)
    ? subscriptionOf(id)
    : undefined;
}

/** Defender plan (pricing name) that protects each service type of the platform. */
const PLAN_FOR_TYPE: Partial<Record<AzureType, string>> = {
  "azure-native:storage:StorageAccount": "StorageAccounts",
  "azure-native:keyvault:Vault": "KeyVaults",
  "azure-native:app:ManagedEnvironment": "Containers",
  "azure-native:app:ContainerApp": "Containers",
  "azure-native:dbforpostgresql:Server": "OpenSourceRelationalDatabases",
};
const PROTECTED_TYPES = Object.keys(PLAN_FOR_TYPE) as AzureType[];
const DEFAULT_PLANS = [...new Set(Object.values(PLAN_FOR_TYPE))] as readonly string[];

export const defenderPlanStandard = resourcePolicy({
  name: "defender-plan-standard",
  description:
    "Defender for Cloud plans for the platform's services (Storage, Key Vault, Containers, open-source relational databases) are on the Standard tier, never Free (THR-1).",
  controls: ["THR-1"],
  severity: "high",
  remediation:
    "Set pricingTier: Standard (components: DefenderPlans; for storage use subPlan DefenderForStorageV2).",
  types: ["azure-native:security:Pricing"],
  config: {
    protectedPlans: {
      description: "Plan names (pricingName) that must stay on the Standard tier.",
      default: DEFAULT_PLANS,
    },
  },
  check: ({ props }, cfg, report) => {
    const plan = str(props, "pricingName");
    // A plan we do not rely on may be Free; an unnamed plan is judged (the name is required by Azure).
    if (plan !== undefined && !cfg.protectedPlans.some((p) => eqi(plan, p))) return;
    const tier = get(props, "pricingTier");
    if (!eqi(tier, "Standard"))
      report(`pricingTier of plan ${show(plan)} is ${show(tier)}; it must be Standard`);
  },
});

export const threatProtectionEnabled = resourcePolicy({
  name: "threat-protection-enabled",
  description:
    "Per-resource threat protection settings (Advanced Threat Protection, Defender for Storage) are enabled, never switched off (THR-1).",
  controls: ["THR-1"],
  severity: "high",
  remediation:
    "Set isEnabled: true (AdvancedThreatProtection) or properties.isEnabled: true (DefenderForStorage), or remove the override so the subscription plan applies.",
  types: ["azure-native:security:AdvancedThreatProtection", "azure-native:security:DefenderForStorage"],
  config: {},
  check: ({ canonical, props }, _cfg, report) => {
    const enabled =
      canonical === "azure-native:security:DefenderForStorage"
        ? bool(props, "properties", "isEnabled")
        : bool(props, "isEnabled");
    // Azure's default for a missing flag is "off".
    if (enabled !== true) report(`threat protection is ${enabled === false ? "disabled" : "not enabled"}`);
  },
});

export const defenderPlansCoverServices = stackPolicy({
  name: "defender-plans-cover-services",
  description:
    "When the stack manages Defender for Cloud, every service it deploys (storage, Key Vault, container apps, PostgreSQL) has its plan on the Standard tier in the same stack, set on the subscription the service runs in (THR-1).",
  controls: ["THR-1"],
  severity: "high",
  remediation:
    "Enable manageDefenderPlans so the stack creates the DefenderPlans component, or set requireDefenderPlans: false where another stack owns the subscription's plans.",
  types: PROTECTED_TYPES,
  config: {
    requireDefenderPlans: {
      description:
        "Require Standard Defender plans in this stack for the services it deploys (on where the stack owns the subscription's security settings, i.e. production).",
      default: true,
    },
  },
  check: (stack, cfg, report) => {
    if (!cfg.requireDefenderPlans) return;
    // plan name -> subscriptions it is on the Standard tier for
    const standard = new Map<string, Set<string>>();
    for (const p of stack.ofType("azure-native:security:Pricing")) {
      const name = str(p.props, "pricingName")?.toLowerCase();
      const sub = planSubscription(p);
      if (name === undefined || sub === undefined || !eqi(get(p.props, "pricingTier"), "Standard")) continue;
      standard.set(name, (standard.get(name) ?? new Set()).add(sub));
    }
    const home = stackIndex(stack).subscriptions;
    for (const target of stack.ofType(...PROTECTED_TYPES)) {
      const plan = PLAN_FOR_TYPE[target.canonical as AzureType];
      if (plan === undefined) continue;
      const subs = standard.get(plan.toLowerCase());
      // The target's subscription: from its ID, or the stack's only one (preview).
      const sub = subscriptionOf(idOf(target)) ?? (home.size === 1 ? [...home][0] : undefined);
      const covered = subs !== undefined && (sub === undefined || subs.has(sub) || subs.has(ANY));
      if (!covered)
        report(
          `${label(target)} runs without the Defender plan ${plan} on the Standard tier${sub ? ` for its subscription ${sub}` : ""}`,
          target.urn,
        );
    }
  },
});

export const defenderPolicies = [
  defenderPlanStandard,
  threatProtectionEnabled,
  defenderPlansCoverServices,
] as const;

/**
 * Microsoft Defender for Cloud (THR-1): plans on the Standard tier for the services the
 * platform runs, per-resource threat protection never switched off, and — when the stack
 * manages the subscription's plans — a plan for every service it deploys.
 */
import { DEFENDER_PLANS, MALWARE_SCAN_DEFAULT_CAP_GB } from "../../controls/defender";
import type { AzureType } from "../lib/azureTypes";
import { resourcePolicy, stackPolicy, type StackResource } from "../lib/define";
import { arr, bool, eqi, get, normalizeId, NOT_KNOWN, num, peek, rec, show, str } from "../lib/props";
import {
  idOf,
  judgedOnInputsInPreview,
  label,
  normalizedIdOf,
  pathParameterOf,
  stackIndex,
  subscriptionOf,
} from "../lib/relations";

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

/** A pricing's ID: `{scope}/providers/Microsoft.Security/pricings/{pricingName}` (normalized). */
const PRICING_ID = /\/providers\/microsoft\.security\/pricings\/([^/]+)$/;

/**
 * The plan a pricing sets (lower-case): its `pricingName`, else the last segment of its ID. Stack
 * policies see outputs, and azure-native's carry no ARM path parameter (`pricingName`:
 * @pulumi/azure-native security/pricing.js lists the outputs without it), so at `up` the ID is
 * what names the plan. Undefined when neither says (a name not known yet, an ID of another shape):
 * such a pricing covers nothing.
 */
function planName(plan: StackResource): string | undefined {
  const given = peek(plan.props, "pricingName");
  if (given !== undefined) return typeof given === "string" ? given.toLowerCase() : undefined;
  return normalizedIdOf(plan)?.match(PRICING_ID)?.[1];
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
const DEFAULT_PLANS: readonly string[] = DEFENDER_PLANS.map((p) => p.plan);

/** A monthly malware-scanning cap below Azure's default (-1 is no cap), or undefined when it is fine. */
function loweredCap(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const cap = num(value);
  if (cap === -1 || (cap !== undefined && cap >= MALWARE_SCAN_DEFAULT_CAP_GB)) return undefined;
  // A cap that is not a number at all is judged too (deny by default): NaN reads as "lowered".
  return cap ?? Number.NaN;
}

/** Why a required plan's sub-plan or extensions fall short of the platform's table, if they do. */
function planDowngrades(props: Readonly<Record<string, unknown>>, plan: string): string[] {
  const required = DEFENDER_PLANS.find((p) => eqi(plan, p.plan));
  if (required === undefined) return [];
  const problems: string[] = [];
  const subPlan = get(props, "subPlan");
  // A missing sub-plan leaves Azure's choice (or the plan's previous one) in place: name it.
  if (required.subPlan !== undefined && !eqi(subPlan, required.subPlan))
    problems.push(`subPlan of plan ${show(plan)} is ${show(subPlan)}; it must be ${required.subPlan}`);
  // Whether the scanning extensions are on is the subscription Owner's (controls/defender.ts
  // STORAGE_SCANNING_EXTENSIONS: the deploy identity cannot turn them on, so the stack states
  // "False" and never touches them again); once on, they scan without a lowered cap.
  for (const extension of arr(props, "extensions")) {
    const name = str(extension, "name");
    const extensionName = required.extensions?.find((e) => eqi(name, e.name))?.name;
    if (extensionName === undefined) continue;
    const cap = loweredCap(
      peek(extension, "additionalExtensionProperties", "CapGBPerMonthPerStorageAccount"),
    );
    if (cap !== undefined)
      problems.push(
        `extension ${extensionName} caps scanning at ${show(get(extension, "additionalExtensionProperties", "CapGBPerMonthPerStorageAccount"))} GB a month per account; it must be -1 or at least Azure's default ${MALWARE_SCAN_DEFAULT_CAP_GB}`,
      );
  }
  return problems;
}

export const defenderPlanStandard = resourcePolicy({
  name: "defender-plan-standard",
  description:
    "Every Defender for Cloud plan a stack writes is on the Standard tier, never Free: a plan at subscription scope covers the whole subscription, which other stacks and teams (and prod, where dev shares its subscription) rely on, including plans the platform does not use (Resource Manager, servers), and Free at a resource's scope (pricings by `scopeId`) takes that resource out of threat protection. The platform's services' plans (Storage, Key Vault, Containers, open-source relational databases) also keep the platform's sub-plan (Defender for Storage V2, per-vault Key Vault) and, where a subscription Owner turned malware scanning on, no scanning cap below Azure's default (THR-1).",
  controls: ["THR-1"],
  severity: "high",
  remediation:
    "Leave plans the stack does not need to the subscription's owners; set pricingTier: Standard with the sub-plan of controls/defender.ts (components: DefenderPlans: StorageAccounts DefenderForStorageV2, KeyVaults PerKeyVault), and keep malware scanning, once the subscription Owner turns it on, uncapped or at Azure's default cap.",
  types: ["azure-native:security:Pricing"],
  config: {
    protectedPlans: {
      description:
        "Plan names (pricingName) whose sub-plan and malware scanning cap are judged too (every plan must be on the Standard tier).",
      default: DEFAULT_PLANS,
    },
  },
  check: ({ props }, cfg, report) => {
    const plan = str(props, "pricingName");
    // Every plan: one the platform does not rely on is still the subscription's (another stack,
    // another team, or prod in a shared subscription relies on it), and turning it Free is never a
    // stack's call.
    const tier = get(props, "pricingTier");
    if (!eqi(tier, "Standard"))
      report(`pricingTier of plan ${show(plan)} is ${show(tier)}; it must be Standard`);
    // The platform's sub-plans and scanning caps for its own plans; an unnamed plan is judged (the
    // name is required by Azure).
    if (plan !== undefined && !cfg.protectedPlans.some((p) => eqi(plan, p))) return;
    if (plan !== undefined) for (const problem of planDowngrades(props, plan)) report(problem);
  },
});

export const threatProtectionEnabled = resourcePolicy({
  name: "threat-protection-enabled",
  description:
    "Per-resource threat protection settings (Advanced Threat Protection, Defender for Storage) are enabled, never switched off; a storage account's override keeps malware scanning on upload (no exclusion filters, no cap below Azure's default) and sensitive data discovery on (THR-1).",
  controls: ["THR-1"],
  severity: "high",
  remediation:
    "Set isEnabled: true (AdvancedThreatProtection) or properties.isEnabled, malwareScanning.onUpload.isEnabled and sensitiveDataDiscovery.isEnabled true (DefenderForStorage), or remove the override so the subscription plan applies.",
  types: ["azure-native:security:AdvancedThreatProtection", "azure-native:security:DefenderForStorage"],
  config: {},
  check: ({ canonical, props }, _cfg, report) => {
    const enabled =
      canonical === "azure-native:security:DefenderForStorage"
        ? bool(props, "properties", "isEnabled")
        : bool(props, "isEnabled");
    // Azure's default for a missing flag is "off".
    if (enabled !== true) report(`threat protection is ${enabled === false ? "disabled" : "not enabled"}`);
    if (canonical === "azure-native:security:DefenderForStorage") storageOverrideProblems(props, report);
  },
});

/**
 * A per-account Defender for Storage setting that keeps the plan on but turns its parts off:
 * with overrideSubscriptionLevelSettings the account's own malware-scanning and sensitive-data
 * settings replace the subscription's (defenderForStorageSettings REST spec). Judged whether or
 * not the override flag is set (deny by default: the flag may be flipped later on its own).
 */
function storageOverrideProblems(
  props: Readonly<Record<string, unknown>>,
  report: (m: string) => void,
): void {
  const settings = rec(props, "properties");
  if (settings === undefined) return;
  // With the override, a part left out is a part turned off for this account.
  const override = bool(settings, "overrideSubscriptionLevelSettings") === true;
  const malware = peek(settings, "malwareScanning");
  if (malware !== undefined || override) {
    if (bool(malware, "onUpload", "isEnabled") !== true)
      report(
        `malwareScanning.onUpload.isEnabled is ${show(get(malware, "onUpload", "isEnabled"))}; it must be true`,
      );
    if (loweredCap(peek(malware, "onUpload", "capGBPerMonth")) !== undefined)
      report(
        `malwareScanning.onUpload.capGBPerMonth is ${show(get(malware, "onUpload", "capGBPerMonth"))}; it must be -1 or at least Azure's default ${MALWARE_SCAN_DEFAULT_CAP_GB}`,
      );
    // Newer API versions (a local package) exclude blobs by prefix, suffix or size from scanning.
    const filters = rec(malware, "onUpload", "filters");
    if (
      filters !== undefined &&
      Object.values(filters).some(
        (f) => f !== undefined && f !== null && !(Array.isArray(f) && f.length === 0),
      )
    )
      report("malwareScanning.onUpload.filters exclude blobs from malware scanning; remove them");
  }
  const discovery = peek(settings, "sensitiveDataDiscovery");
  if ((discovery !== undefined || override) && bool(discovery, "isEnabled") !== true)
    report(`sensitiveDataDiscovery.isEnabled is ${show(get(discovery, "isEnabled"))}; it must be true`);
}

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
    // Standard plans being created in a preview, whose name (the path parameter pricingName) the
    // outputs do not show: defender-plan-standard judged each on its literal inputs.
    let unnamed = 0;
    for (const p of stack.ofType("azure-native:security:Pricing")) {
      // Peeked: a plan whose name or tier is not known yet (preview) covers nothing that can be
      // judged; read with str()/get(), it made the policy skip every service of the stack.
      const name = planName(p);
      const sub = planSubscription(p);
      if (sub === undefined || !eqi(peek(p.props, "pricingTier"), "Standard")) continue;
      if (name !== undefined) standard.set(name, (standard.get(name) ?? new Set()).add(sub));
      else if (
        sub === ANY &&
        pathParameterOf(p, "pricingName") === undefined &&
        judgedOnInputsInPreview(p, ["pricingName", "scopeId"])
      )
        unnamed++;
    }
    // The plans the stack's services need that no named plan covers: left to `up` only while the
    // unnamed Standard plans are at least as many (each names one plan; with fewer, one is surely
    // missing, and every target of a missing plan is refused).
    const home = stackIndex(stack).subscriptions;
    const subscriptionOfTarget = (target: StackResource) =>
      subscriptionOf(idOf(target)) ?? (home.size === 1 ? [...home][0] : undefined);
    const coveredByName = (plan: string, sub: string | undefined) => {
      const subs = standard.get(plan.toLowerCase());
      return subs !== undefined && (sub === undefined || subs.has(sub) || subs.has(ANY));
    };
    const uncovered: { target: StackResource; plan: string; sub: string | undefined }[] = [];
    for (const target of stack.ofType(...PROTECTED_TYPES)) {
      const plan = PLAN_FOR_TYPE[target.canonical as AzureType];
      // The target's subscription: from its ID, or the stack's only one (preview).
      const sub = subscriptionOfTarget(target);
      if (plan !== undefined && !coveredByName(plan, sub)) uncovered.push({ target, plan, sub });
    }
    if (new Set(uncovered.map((u) => u.plan)).size <= unnamed) return;
    for (const { target, plan, sub } of uncovered)
      report(
        `${label(target)} runs without the Defender plan ${plan} on the Standard tier${sub ? ` for its subscription ${sub}` : ""}`,
        target.urn,
      );
  },
});

export const defenderPolicies = [
  defenderPlanStandard,
  threatProtectionEnabled,
  defenderPlansCoverServices,
] as const;

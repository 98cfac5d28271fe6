/**
 * Deployer permissions: can the identities declared in deploy/identities.yaml perform this plan?
 * Each planned operation's required Azure actions (control plane `<Provider>/<type>/write`, the
 * Key Vault data actions Resource Manager checks for keys and secrets on an RBAC vault, and the
 * RBAC administrator's ABAC condition for role assignments) are matched against the roles the
 * identity holds at a containing scope (subscription ⊃ resource group ⊃ resource). A role the
 * stack grants itself counts only for what waits for that grant and its propagation sleep.
 * Also: every Key Vault secret a Container App references must be created by a step of the
 * documented process (the stack's placeholder) and be settable by a declared identity.
 */
import {
  identityName,
  loadDeployIdentities,
  providerRegistered,
  renderCondition,
  roleGuid,
  selfAssignableRoles,
  type DeployIdentities,
  type IdentityKey,
  type RoleEntry,
} from "../../config/identities";
import type { Environment } from "../../components/common/interfaces";
import { STORAGE_SCANNING_EXTENSIONS } from "../../components/defender";
import { MALWARE_SCANNING_NAMESPACES } from "../../controls/defender";
import { actionMatches, BUILT_IN_ROLES, builtInRole, type BuiltInRoleName } from "../../controls/roles";
import type { PlannedResource } from "./run";
import type { DeletePermissionCheck } from "./diff";
import { closedToRunner } from "./mocks";
import { isSecretEnvelope } from "../../policy/common/pulumiFormat";

export interface RoleDefinition {
  actions: readonly string[];
  notActions?: readonly string[];
  dataActions?: readonly string[];
}

/**
 * The built-in roles the declaration may use, as Microsoft's "Azure built-in roles" reference
 * defines them (General, Privileged, Security sections; GUIDs in controls/roles.ts).
 * Only what the check needs: the actions, NotActions and DataActions.
 */
/** The built-in roles the check knows: the policy pack's table (controls/roles.ts), one source. */
export const BUILT_IN_ROLE_DEFINITIONS: Readonly<Record<string, RoleDefinition>> = Object.fromEntries(
  (Object.keys(BUILT_IN_ROLES) as BuiltInRoleName[]).map((name) => [name, builtInRole(name)]),
);

/** Every role definition the check knows: the built-in table plus the declaration's custom roles. */
export function roleDefinitions(doc: DeployIdentities): Record<string, RoleDefinition> {
  return { ...BUILT_IN_ROLE_DEFINITIONS, ...doc.customRoles };
}

/** Azure's action matching, as the pack applies it. */
export { actionMatches };

export type ActionKind = "control" | "data";

export function roleAllows(def: RoleDefinition, action: string, kind: ActionKind): boolean {
  if (kind === "data") return (def.dataActions ?? []).some((p) => actionMatches(p, action));
  return (
    def.actions.some((p) => actionMatches(p, action)) &&
    !(def.notActions ?? []).some((p) => actionMatches(p, action))
  );
}

/** `scope` contains `target` (itself, or a child path: subscription ⊃ resource group ⊃ resource). */
export function scopeContains(scope: string, target: string): boolean {
  const s = scope.toLowerCase().replace(/\/+$/, "");
  const t = target.toLowerCase();
  return t === s || t.startsWith(`${s}/`);
}

/** `Microsoft.KeyVault/vaults/keys` from a resource ID (the last provider segment wins: extension resources). */
export function resourceTypeOf(id: string): string {
  const at = id.toLowerCase().lastIndexOf("/providers/");
  if (at < 0) {
    if (/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+$/i.test(id))
      return "Microsoft.Resources/subscriptions/resourceGroups";
    return "Microsoft.Resources/subscriptions";
  }
  const [ns, ...rest] = id.slice(at + "/providers/".length).split("/");
  return [ns, ...rest.filter((_, i) => i % 2 === 0)].join("/");
}

/** One role held by one identity at one concrete scope. */
export interface Holding {
  identity: IdentityKey;
  role: string;
  scope: string;
  entry: RoleEntry;
  /** For `grantedBy: stack`: the planned role assignment that makes it. */
  grantUrn?: string;
}

interface Operation {
  identity: IdentityKey;
  what: string;
  /** The planned resource the operation creates or reads. */
  urn: string;
  scope: string;
  action: string;
  kind: ActionKind;
  /** For role assignments: the role (GUID) and principal type requested, checked against the condition. */
  assignment?: { roleGuid: string; principalType: string; principalId: string };
  /** Role assignments Azure makes on the caller's behalf (not in the plan): no condition can be shown to allow them. */
  onBehalf?: string;
}

export interface Finding {
  identity: string;
  resource: string;
  message: string;
}

export interface PermissionReport {
  environment: Environment;
  operations: Record<string, number>;
  secretReferences: number;
  /** The resource provider namespaces the plan's resources live in (each must be registered). */
  namespaces: string[];
  findings: Finding[];
}

export interface PlanLike {
  resources: readonly PlannedResource[];
  invokes: readonly { token: string; inputs: Record<string, unknown>; result: Record<string, unknown> }[];
  config: { environment: Environment };
}

const SLEEP = "time:index/sleep:Sleep";
const ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment";
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const unwrap = (v: unknown): unknown => (isSecretEnvelope(v) ? v.value : v);

/** A role assignment's role (definition GUID), principal type and principal, from its inputs. */
function assignmentOf(inputs: Record<string, unknown>): NonNullable<Operation["assignment"]> {
  return {
    roleGuid: (str(unwrap(inputs.roleDefinitionId)) ?? "").split("/").pop() ?? "",
    principalType: str(unwrap(inputs.principalType)) ?? "(not set)",
    principalId: str(unwrap(inputs.principalId))?.toLowerCase() ?? "",
  };
}

/** The planned resources every resource waits for (explicit and property dependencies), transitively. */
function dependencyClosure(resources: readonly PlannedResource[]): (urn: string) => Set<string> {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const memo = new Map<string, Set<string>>();
  const visit = (urn: string): Set<string> => {
    const known = memo.get(urn);
    if (known) return known;
    const out = new Set<string>();
    memo.set(urn, out);
    const r = byUrn.get(urn);
    if (!r) return out;
    const direct = [...r.dependencies, ...Object.values(r.propertyDependencies).flat()];
    for (const d of direct) {
      out.add(d);
      for (const dd of visit(d)) out.add(dd);
    }
    return out;
  };
  return visit;
}

/** Defender for Storage extensions that need Microsoft's "action set 1" at subscription scope. */
const STORAGE_SCANNING = STORAGE_SCANNING_EXTENSIONS.map((e) => e.name);

/**
 * The scanning extensions a StorageAccounts pricing turns on: explicitly "True", or left out of a
 * DefenderForStorageV2 request (Azure turns them on at first enablement).
 */
export function scanningExtensionsEnabled(inputs: Record<string, unknown>): string[] {
  if (str(inputs.pricingName) !== "StorageAccounts" || str(inputs.pricingTier) !== "Standard") return [];
  if (str(inputs.subPlan) !== "DefenderForStorageV2") return [];
  const list = (unwrap(inputs.extensions) as Record<string, unknown>[] | undefined) ?? [];
  return STORAGE_SCANNING.filter((name) => {
    const e = list.map((x) => (unwrap(x) ?? {}) as Record<string, unknown>).find((x) => str(x.name) === name);
    return e === undefined || str(unwrap(e.isEnabled))?.toLowerCase() !== "false";
  });
}

function dataOperations(type: string, inputs: Record<string, unknown>): string[] {
  if (type === "azure-native:keyvault:Key") {
    // Resource Manager reads the key first (existence check), then creates it; the rotation
    // policy is its own data action (Azure/bicep#6539: ForbiddenByRbac ... keys/read).
    const props = (unwrap(inputs.properties) ?? {}) as Record<string, unknown>;
    return [
      "Microsoft.KeyVault/vaults/keys/read",
      "Microsoft.KeyVault/vaults/keys/create/action",
      ...(props.rotationPolicy ? ["Microsoft.KeyVault/vaults/keyrotationpolicies/write"] : []),
    ];
  }
  if (type === "azure-native:keyvault:Secret") {
    return [
      "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
      "Microsoft.KeyVault/vaults/secrets/setSecret/action",
    ];
  }
  return [];
}

/**
 * Resource provider namespaces a planned resource needs registered although nothing of the plan
 * lives in them: Azure creates a resource there on the stack's behalf (or the feature it turns on
 * does). Registering is free and the setup's Owner does it (`az provider register`), so a namespace
 * is listed here on a documented resource or a maintainer-reported failure, with the source.
 */
const IMPLIED_NAMESPACES: readonly {
  type: string;
  applies: (inputs: Record<string, unknown>) => boolean;
  namespaces: readonly string[];
  why: string;
}[] = [
  {
    // The StorageAccounts plan whose on-upload malware scanning a subscription Owner turns on
    // (docs/running-in-ci.md): MALWARE_SCANNING_NAMESPACES, controls/defender.ts.
    type: "azure-native:security:Pricing",
    applies: (inputs) =>
      str(inputs.pricingName) === "StorageAccounts" && str(inputs.subPlan) === "DefenderForStorageV2",
    namespaces: MALWARE_SCANNING_NAMESPACES,
    why: `its on-upload malware scanning creates an Event Grid system topic (Microsoft.EventGrid/systemTopics) in each scanned storage account's resource group (Microsoft's "Malware scanning in Defender for Storage"), and whether Defender registers the namespace itself is not documented`,
  },
  {
    // Sentinel on a workspace was the SecurityInsights solution, a Microsoft.OperationsManagement/
    // solutions resource (Azure/azure-quickstart-templates quickstarts/microsoft.operationsmanagement/
    // azure-sentinel), and a deployment through the onboardingStates API failed until that namespace
    // was registered: Microsoft support's answer was that it "cannot be deployed through ARM template
    // automatically and can only be done manually" (MicrosoftDocs/azure-docs#83267). No Microsoft
    // document lists it as a prerequisite, nor says that onboarding needs it today.
    type: "azure-native:securityinsights:SentinelOnboardingState",
    applies: () => true,
    namespaces: ["Microsoft.OperationsManagement"],
    why: `a Sentinel onboarding through this API failed until Microsoft.OperationsManagement (the namespace of the SecurityInsights solution) was registered, Microsoft support answering that it "can only be done manually" (MicrosoftDocs/azure-docs#83267); no Microsoft document says whether onboarding registers it`,
  },
];

/** What an operation is judged against: the identities' holdings and the declaration they come from. */
interface Judge {
  doc: DeployIdentities;
  env: Environment;
  defs: Record<string, RoleDefinition>;
  holdings: readonly Holding[];
  deployerObjectId?: string;
  /** For a holding the stack grants (`grantUrn`): why it cannot help this operation, if it cannot. */
  usable: (h: Holding, op: Operation) => string | undefined;
}

/**
 * Why a holding's ABAC condition (config/identities.ts renderCondition) refuses a role-assignment
 * operation, if it does. `roleAssignments/write` is judged on the request (role, principal type,
 * principal), `roleAssignments/delete` on the existing assignment (`@Resource[...RoleDefinitionId]`:
 * its role must be on the allowed list, MicrosoftDocs/azure-docs articles/role-based-access-control/
 * delegate-role-assignments-examples.md, "Constrain roles"; conditions-authorization-actions-attributes.md
 * lists the delete action's attributes as resource attributes only).
 */
function conditionRefusal(h: Holding, op: Operation, j: Judge): string | undefined {
  if (h.entry.condition && op.onBehalf) return `its condition cannot be shown to allow them (${op.onBehalf})`;
  if (
    !h.entry.condition ||
    !op.assignment ||
    !op.action.toLowerCase().startsWith("microsoft.authorization/roleassignments/")
  )
    return undefined;
  const { doc, env } = j;
  const role = op.assignment.roleGuid.toLowerCase();
  const deleting = actionMatches("Microsoft.Authorization/roleAssignments/delete", op.action);
  const allowed = (h.entry.condition.allowedRoles[env] ?? []).map((r) => roleGuid(doc, r, env).toLowerCase());
  if (!allowed.includes(role))
    return `its condition (${env}) does not list role ${roleLabel(doc, op.assignment.roleGuid, env)} in allowedRoles${deleting ? " (a delete is judged on the existing assignment's role)" : ""}`;
  if (deleting) return undefined;
  if (
    !h.entry.condition.principalTypes.some(
      (t) => t.toLowerCase() === op.assignment!.principalType.toLowerCase(),
    )
  )
    return `its condition allows principal types ${h.entry.condition.principalTypes.join(", ")}, not ${op.assignment.principalType}`;
  // The condition names the identity itself: to itself only the roles the stack grants it.
  const own = selfAssignableRoles(doc).map((r) => roleGuid(doc, r, env).toLowerCase());
  if (
    j.deployerObjectId !== undefined &&
    op.assignment.principalId === j.deployerObjectId &&
    !own.includes(role)
  )
    return `its condition lets the deploy identity assign itself only ${selfAssignableRoles(doc).join(", ")}, not ${roleLabel(doc, op.assignment.roleGuid, env)}`;
  return undefined;
}

/**
 * Whether the identity can perform the operation: some holding at a containing scope allows the
 * action, its condition (if any) allows this request, and a stack-made grant is usable. If not,
 * the finding's text (what is needed, why each holding fails, which roles would allow it, what is
 * held there) and whether a condition was what refused it.
 */
function refusalOf(op: Operation, j: Judge): { message: string; byCondition: boolean } | undefined {
  const name = identityName(j.doc.identities[op.identity], j.env);
  const relevant = j.holdings.filter(
    (h) =>
      h.identity === op.identity &&
      scopeContains(h.scope, op.scope) &&
      j.defs[h.role] &&
      roleAllows(j.defs[h.role], op.action, op.kind),
  );
  const refusals: string[] = [];
  let byCondition = false;
  const ok = relevant.some((h) => {
    const refused = conditionRefusal(h, op, j);
    if (refused) {
      byCondition = true;
      refusals.push(`${h.role} holds it but ${refused}`);
      return false;
    }
    const unusable = h.grantUrn ? j.usable(h, op) : undefined;
    if (unusable) refusals.push(unusable);
    return unusable === undefined;
  });
  if (ok) return undefined;
  const candidates = Object.entries(j.defs)
    .filter(([, def]) => roleAllows(def, op.action, op.kind))
    .map(([role]) => role);
  const held = j.holdings
    .filter((h) => h.identity === op.identity && scopeContains(h.scope, op.scope))
    .map((h) => h.role);
  return {
    byCondition,
    message:
      `${op.what} needs ${op.kind === "data" ? "data action" : "action"} ${op.action} on ${op.scope}; ` +
      (refusals.length > 0 ? `${refusals.join("; ")}. ` : "") +
      `roles that allow it: ${candidates.join(", ") || "(none known)"}; ` +
      `${name} holds at that scope (deploy/identities.yaml): ${[...new Set(held)].join(", ") || "nothing"}`,
  };
}

/** A resource the holdings and their scopes are read from: the plan's, or an old state's. */
type ScopedResource = Pick<PlannedResource, "urn" | "type" | "id" | "inputs" | "custom">;

/**
 * What each declared identity holds at concrete scopes, given the resources (the subscription, its
 * resource groups and vaults; `grantedBy: stack` only where one of the resources is that
 * assignment to the identity running the stack, `client.objectId` of getClientConfig).
 */
function holdingsOf<R extends ScopedResource>(
  doc: DeployIdentities,
  env: Environment,
  resources: readonly R[],
  client: Record<string, unknown>,
): { holdings: Holding[]; deployerObjectId?: string; azure: R[] } {
  const deployerObjectId = str(client.objectId)?.toLowerCase();
  const azure = resources.filter((r) => r.custom && r.type.startsWith("azure-native:") && str(r.id));
  const subscription =
    str(client.subscriptionId) !== undefined
      ? `/subscriptions/${String(client.subscriptionId)}`
      : (/^\/subscriptions\/[^/]+/i.exec(azure[0]?.id ?? "")?.[0] ?? "/subscriptions/unknown");
  const resourceGroups = azure
    .filter((r) => r.type === "azure-native:resources:ResourceGroup")
    .map((r) => r.id!);
  const vaults = azure.filter((r) => r.type === "azure-native:keyvault:Vault").map((r) => r.id!);
  const assignments = azure.filter((r) => r.type === ROLE_ASSIGNMENT);

  // What each identity holds, at concrete scopes.
  const holdings: Holding[] = [];
  for (const [key, identity] of Object.entries(doc.identities) as [
    IdentityKey,
    DeployIdentities["identities"][IdentityKey],
  ][]) {
    for (const entry of identity.roles) {
      const scopes =
        entry.scope === "subscription"
          ? [subscription]
          : entry.scope === "resourceGroup"
            ? resourceGroups
            : vaults;
      for (const scope of scopes) {
        if (entry.grantedBy !== "stack") {
          holdings.push({ identity: key, role: entry.role, scope, entry });
          continue;
        }
        // Only what the plan really grants the identity running it, on that scope.
        const guid = roleGuid(doc, entry.role, env).toLowerCase();
        const grant = assignments.find(
          (a) =>
            str(a.inputs.scope)?.toLowerCase() === scope.toLowerCase() &&
            str(a.inputs.roleDefinitionId)?.toLowerCase().endsWith(guid) &&
            str(a.inputs.principalId)?.toLowerCase() === deployerObjectId,
        );
        if (grant) holdings.push({ identity: key, role: entry.role, scope, entry, grantUrn: grant.urn });
      }
    }
  }
  return { holdings, deployerObjectId, azure };
}

/** Checks a plan against the declaration. */
export function checkPlanIdentities(
  plan: PlanLike,
  doc: DeployIdentities = loadDeployIdentities(),
): PermissionReport {
  const env = plan.config.environment;
  const closure = dependencyClosure(plan.resources);
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  const client =
    plan.invokes.find((i) => i.token === "azure-native:authorization:getClientConfig")?.result ?? {};
  const { holdings, deployerObjectId, azure } = holdingsOf(doc, env, plan.resources, client);
  const judge: Judge = {
    doc,
    env,
    defs: roleDefinitions(doc),
    holdings,
    deployerObjectId,
    // A grant the stack makes only helps what waits for it and for a propagation sleep after it.
    usable: (h, op) =>
      [...closure(op.urn)].some((d) => byUrn.get(d)?.type === SLEEP && closure(d).has(h.grantUrn!))
        ? undefined
        : `${h.role} is granted by the stack (${h.grantUrn}) but this does not wait for it and its propagation sleep`,
  };
  const defs = judge.defs;

  // What each identity must do.
  const ops: Operation[] = [];
  for (const r of azure) {
    const id = r.id!;
    const type = resourceTypeOf(id);
    // Previews read every resource (refresh), keys and secrets through their data actions.
    ops.push({
      identity: "preview",
      what: "read (preview --refresh)",
      urn: r.urn,
      scope: id,
      action: `${type}/read`,
      kind: "control",
    });
    if (r.type === "azure-native:keyvault:Key")
      ops.push({
        identity: "preview",
        what: "read (preview --refresh)",
        urn: r.urn,
        scope: id,
        action: "Microsoft.KeyVault/vaults/keys/read",
        kind: "data",
      });
    if (r.type === "azure-native:keyvault:Secret")
      ops.push({
        identity: "preview",
        what: "read (preview --refresh)",
        urn: r.urn,
        scope: id,
        action: "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
        kind: "data",
      });
    if (r.external) continue;
    const assignment = r.type === ROLE_ASSIGNMENT ? assignmentOf(r.inputs) : undefined;
    // An imported resource (one Azure already has, e.g. a Defender pricing) is read before the
    // update that follows the import.
    if (r.importId)
      ops.push({
        identity: "deploy",
        what: "import",
        urn: r.urn,
        scope: id,
        action: `${type}/read`,
        kind: "control",
      });
    ops.push({
      identity: "deploy",
      what: "create",
      urn: r.urn,
      scope: id,
      action: `${type}/write`,
      kind: "control",
      ...(assignment ? { assignment } : {}),
    });
    for (const action of dataOperations(r.type, r.inputs))
      ops.push({ identity: "deploy", what: "create", urn: r.urn, scope: id, action, kind: "data" });
    // Defender for Storage malware scanning / sensitive data threat detection at subscription
    // scope: Subscription Owner or "action set 1" (Microsoft's Defender for Storage permissions).
    const scanning = r.type === "azure-native:security:Pricing" ? scanningExtensionsEnabled(r.inputs) : [];
    if (scanning.length > 0) {
      const what = `enable ${scanning.join(", ")}`;
      ops.push({
        identity: "deploy",
        what,
        urn: r.urn,
        scope: id,
        action: "Microsoft.Security/pricings/SecurityOperators/write",
        kind: "control",
      });
      for (const verb of ["write", "delete"])
        ops.push({
          identity: "deploy",
          what,
          urn: r.urn,
          scope: id,
          action: `Microsoft.Authorization/roleAssignments/${verb}`,
          kind: "control",
          onBehalf:
            "Defender assigns roles to its scanner for the caller; those assignments are not in the plan",
        });
    }
  }
  for (const invoke of plan.invokes.filter((i) => i.token === "azure-native:keyvault:getKey")) {
    const keyId = str(invoke.result.id) ?? "";
    const key = azure.find((r) => r.id?.toLowerCase() === keyId.toLowerCase());
    for (const identity of ["deploy", "preview"] as const)
      ops.push({
        identity,
        what: "getKey",
        urn: key?.urn ?? keyId,
        scope: keyId,
        action: "Microsoft.KeyVault/vaults/keys/read",
        kind: "data",
      });
  }

  const findings: Finding[] = [];
  const counts: Record<string, number> = {};
  for (const op of ops) {
    const name = identityName(doc.identities[op.identity], env);
    counts[name] = (counts[name] ?? 0) + 1;
    const refused = refusalOf(op, judge);
    if (refused) findings.push({ identity: name, resource: op.urn, message: refused.message });
  }

  // Secret references: created by the documented process (the stack's placeholder, before the app)
  // and settable afterwards by a declared identity through Resource Manager.
  let secretReferences = 0;
  const secrets = azure.filter((r) => r.type === "azure-native:keyvault:Secret");
  for (const app of azure.filter((r) => r.type === "azure-native:app:ContainerApp")) {
    const configuration = (unwrap(app.inputs.configuration) ?? {}) as Record<string, unknown>;
    for (const ref of (unwrap(configuration.secrets) as Record<string, unknown>[] | undefined) ?? []) {
      const url = str(unwrap(ref.keyVaultUrl));
      if (!url) continue;
      secretReferences++;
      const m = /^https:\/\/([^./]+)\.vault\.azure\.net\/secrets\/([^/]+)/i.exec(url);
      const secret = m
        ? secrets.find(
            (s) =>
              str(s.inputs.vaultName)?.toLowerCase() === m[1].toLowerCase() &&
              str(s.inputs.secretName)?.toLowerCase() === m[2].toLowerCase(),
          )
        : undefined;
      const where = `${app.type} ${app.name}`;
      if (!secret) {
        findings.push({
          identity: "(process)",
          resource: app.urn,
          message: `${where} references Key Vault secret ${url}, which no step of the documented process creates (the stack creates each referenced secret as a placeholder: KeyVault.addPlaceholderSecret, docs/container-apps.md); creating the app would fail`,
        });
        continue;
      }
      if (!closure(app.urn).has(secret.urn)) {
        findings.push({
          identity: "(process)",
          resource: app.urn,
          message: `${where} does not wait for its secret ${secret.name} (${url}); creating the app before the secret exists fails`,
        });
      }
      const writers = holdings.filter(
        (h) =>
          h.identity === "secretWriters" &&
          scopeContains(h.scope, secret.id!) &&
          roleAllows(defs[h.role], "Microsoft.KeyVault/vaults/secrets/write", "control") &&
          roleAllows(defs[h.role], "Microsoft.KeyVault/vaults/secrets/setSecret/action", "data"),
      );
      if (writers.length === 0) {
        findings.push({
          identity: identityName(doc.identities.secretWriters, env),
          resource: secret.urn,
          message: `nobody declared can set the value of ${url}: ${identityName(doc.identities.secretWriters, env)} needs action Microsoft.KeyVault/vaults/secrets/write and data action Microsoft.KeyVault/vaults/secrets/setSecret/action on the vault (e.g. Platform Secret Writer)`,
        });
      }
    }
  }
  // Deletes through a data plane the runner cannot reach: azure-native deletes Key Vault keys and
  // secrets through the vault's data plane (provider/pkg/resources/customresources/custom_keyvault.go:
  // DeleteKey/DeleteSecret on https://<vault>.vault.azure.net), which a vault closed to the
  // GitHub-hosted runner refuses; only `retainOnDelete` (the key or secret goes with its vault)
  // keeps a later removal, replacement or destroy from failing there.
  const closedVaults = new Map<string, string>();
  for (const v of azure.filter((r) => r.type === "azure-native:keyvault:Vault")) {
    const props = (unwrap(v.inputs.properties) ?? {}) as Record<string, unknown>;
    const acls = (unwrap(props.networkAcls) ?? {}) as Record<string, unknown>;
    const why = closedToRunner({
      publicNetworkAccess: props.publicNetworkAccess,
      defaultAction: acls.defaultAction,
      ipRules: acls.ipRules,
    });
    const vaultName = str(v.inputs.vaultName);
    if (why && vaultName) closedVaults.set(vaultName.toLowerCase(), why);
  }
  const deployName = identityName(doc.identities.deploy, env);
  for (const r of azure.filter((x) => /^azure-native:keyvault:(Key|Secret)$/.test(x.type))) {
    const vaultName = str(r.inputs.vaultName) ?? "";
    const why = closedVaults.get(vaultName.toLowerCase());
    if (!why || r.retainOnDelete || r.external) continue;
    findings.push({
      identity: deployName,
      resource: r.urn,
      message: `${r.type} ${r.name} is deleted (when removed, replaced or destroyed) through vault ${vaultName}'s data plane, which refuses the deploy's runner outside the VNet (the vault's ${why}); azure-native's key and secret deletes are data-plane calls (custom_keyvault.go), so mark it retainOnDelete: it goes with its vault`,
    });
  }

  // Resource providers: azure-native registers none (pulumi/pulumi-azure-native#3479), so every
  // namespace a planned resource lives in (an extension resource: its own provider's) must be
  // registered by default or by the setup (deploy/identities.yaml resourceProviders).
  const namespaces = new Map<string, { ns: string; urn: string; type: string }>();
  for (const r of azure) {
    const ns = resourceTypeOf(r.id!).split("/")[0];
    if (!namespaces.has(ns.toLowerCase())) namespaces.set(ns.toLowerCase(), { ns, urn: r.urn, type: r.type });
  }
  // Namespaces the subscription needs for what a planned resource makes Azure create outside the
  // plan (IMPLIED_NAMESPACES).
  const implied = new Map<string, { ns: string; urn: string; type: string; why: string }>();
  for (const r of azure)
    for (const rule of IMPLIED_NAMESPACES.filter((x) => x.type === r.type && x.applies(r.inputs)))
      for (const ns of rule.namespaces)
        if (!implied.has(ns.toLowerCase()))
          implied.set(ns.toLowerCase(), { ns, urn: r.urn, type: r.type, why: rule.why });
  for (const { ns, urn, type, why } of implied.values()) {
    if (providerRegistered(doc, ns)) continue;
    findings.push({
      identity: "(setup)",
      resource: urn,
      message: `${type} needs resource provider namespace ${ns} registered: ${why}; add ${ns} to resourceProviders in deploy/identities.yaml and run the setup's az provider register`,
    });
  }
  for (const { ns, urn, type } of namespaces.values()) {
    if (providerRegistered(doc, ns)) continue;
    findings.push({
      identity: "(setup)",
      resource: urn,
      message: `${type} lives in resource provider namespace ${ns}, which deploy:setup does not register and Azure does not register by default: azure-native registers none (pulumi/pulumi-azure-native#3479), so its first create fails with MissingSubscriptionRegistration; add ${ns} to resourceProviders in deploy/identities.yaml and run the setup's az provider register`,
    });
  }
  return {
    environment: env,
    operations: counts,
    secretReferences,
    namespaces: [...namespaces.values()].map((n) => n.ns).sort(),
    findings,
  };
}

/**
 * The change preview's permission check for deletes (lib/offline/diff.ts): may the deploy identity
 * delete a role assignment of the old state (IAM-2: its RBAC administrator role is conditioned)?
 * Azure judges `roleAssignments/delete` against what the caller holds at the assignment's scope; a
 * conditioned holding (the RBAC administrator) on the existing assignment's role (conditionRefusal:
 * the same rule as for writes). The deploy runs with
 * the current declaration (`npm run deploy:setup` applies its condition) and the holdings it has
 * when it starts: the old state's scopes, and the stack's own grants of the old state that the
 * change does not delete too (made by an earlier deploy, so propagated).
 */
export function roleAssignmentDeleteCheck(
  env: Environment,
  client: Record<string, unknown> = {},
  doc: DeployIdentities = loadDeployIdentities(),
): DeletePermissionCheck {
  return (olds, removed) => {
    const { holdings, deployerObjectId } = holdingsOf(doc, env, olds, client);
    const judge: Judge = {
      doc,
      env,
      defs: roleDefinitions(doc),
      holdings: holdings.filter((h) => h.grantUrn === undefined || !removed.has(h.grantUrn)),
      deployerObjectId,
      usable: () => undefined,
    };
    const name = identityName(doc.identities.deploy, env);
    return (old) => {
      if (old.type !== ROLE_ASSIGNMENT || !old.id) return undefined;
      const assignment = assignmentOf(old.inputs);
      const refused = refusalOf(
        {
          identity: "deploy",
          what: "delete",
          urn: old.urn,
          scope: old.id,
          action: "Microsoft.Authorization/roleAssignments/delete",
          kind: "control",
          assignment,
        },
        judge,
      );
      if (!refused) return undefined;
      const role = roleLabel(doc, assignment.roleGuid, env);
      const instead = refused.byCondition
        ? `keep ${role} in allowedRoles.${env} of deploy/identities.yaml until a deploy has deleted this assignment, then remove it in a later change; or delete the assignment in an earlier deploy`
        : `give ${name} a role that allows it at that scope in deploy/identities.yaml, or leave the assignment in place`;
      return `${name} may not: ${refused.message}; instead ${instead}`;
    };
  };
}

function roleLabel(doc: DeployIdentities, guid: string, env: Environment): string {
  // Every built-in role the program can assign (AcrPull too), not only those with permissions here.
  const all = [...Object.keys(BUILT_IN_ROLES), ...Object.keys(doc.customRoles)];
  const name = all.find((role) => {
    try {
      return roleGuid(doc, role, env).toLowerCase() === guid.toLowerCase();
    } catch {
      return false;
    }
  });
  return name ? `${name} (${guid})` : guid;
}

/** The plan's verdict text; exit code 1 when any finding. */
export function renderPermissionReport(report: PermissionReport): { text: string; exitCode: number } {
  const counts = Object.entries(report.operations)
    .map(([name, n]) => `${name} ${n}`)
    .join(", ");
  const head = `Deploy identities (deploy/identities.yaml, environment ${report.environment}): operations checked: ${counts}; ${report.secretReferences} app secret reference(s); ${report.namespaces.length} resource provider namespace(s)`;
  if (report.findings.length === 0) return { text: `${head}: all allowed.`, exitCode: 0 };
  const lines = [`${head}: ${report.findings.length} the declared identities cannot perform:`];
  for (const f of report.findings) {
    lines.push(`  [${f.identity}] ${f.resource}`, `    ${f.message}`);
  }
  return { text: lines.join("\n"), exitCode: 1 };
}

/** For docs and setup: the condition text per environment (re-exported for one import). */
export { renderCondition };

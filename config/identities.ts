/**
 * `deploy/identities.yaml`: the one declaration of the deploy identities (preview, deploy, secret
 * writers), their roles, scopes and the ABAC condition of the constrained RBAC administrator
 * role. Read by the program (the roles the stack grants itself), the offline plan's permission
 * check (lib/offline/permissions.ts), `npm run deploy:setup` and the generated block of
 * docs/running-in-ci.md. A bad file is one `ConfigError` naming every key, value and what is
 * allowed, before anything registers.
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { parseYamlText } from "./yamlText";
import { deterministicGuid } from "../components/common/roleAssignment";
import { BUILT_IN_ROLES, PRIVILEGED_ROLES, type BuiltInRoleName } from "../controls/roles";
import { ConfigError, type ConfigProblem } from "./index";
import type { Environment } from "../components/common/interfaces";

export const IDENTITIES_FILE = path.join(__dirname, "..", "deploy", "identities.yaml");
/** Overrides the file (tests; a fork keeping its own declaration). */
export const IDENTITIES_FILE_ENV = "DEPLOY_IDENTITIES_FILE";

/** Where a role applies, per stack: its subscription, its resource group, or each vault it creates. */
export const SCOPE_KINDS = ["subscription", "resourceGroup", "stackVaults"] as const;
export type ScopeKind = (typeof SCOPE_KINDS)[number];
/** Who makes the assignment; see the header of deploy/identities.yaml. */
export const GRANTERS = ["setup", "stack", "admin"] as const;
export type Granter = (typeof GRANTERS)[number];
export const PRINCIPAL_TYPES = ["ServicePrincipal", "Group"] as const;
export const ENVIRONMENTS = ["dev", "prod"] as const satisfies readonly Environment[];

/**
 * GitHub OIDC subjects an identity may trust: `pull_request` (pull-request runs),
 * `environment` (jobs of the stack's GitHub environment, `github.environments`), `mainBranch`
 * (`ref:refs/heads/main`: jobs on main without an environment, e.g. the scheduled drift check;
 * read-only identities only, since no environment protection rule stands in front of it).
 */
export const FEDERATED_SUBJECTS = ["pull_request", "environment", "mainBranch"] as const;
export type FederatedSubject = (typeof FEDERATED_SUBJECTS)[number];

const ACTION = /^[A-Za-z][A-Za-z0-9.]*\/[A-Za-z0-9*./-]+$/;

/**
 * Resource provider namespaces Azure registers in every subscription: the footnote "Registered by
 * default" of Microsoft's "Resource providers for Azure services" (MicrosoftDocs/azure-docs
 * articles/azure-resource-manager/management/azure-services-resource-providers.md). Every other
 * namespace the stack uses must be in `resourceProviders`.
 */
export const REGISTERED_BY_DEFAULT = [
  "Microsoft.ADHybridHealthService",
  "Microsoft.Authorization",
  "Microsoft.Billing",
  "Microsoft.ClassicSubscription",
  "Microsoft.Commerce",
  "Microsoft.Consumption",
  "Microsoft.CostManagement",
  "Microsoft.Features",
  "Microsoft.MarketplaceOrdering",
  "Microsoft.Portal",
  "Microsoft.ResourceGraph",
  "Microsoft.Resources",
  "Microsoft.SerialConsole",
  "Microsoft.Support",
  "Microsoft.WorkloadMonitor",
] as const;

/** `ns` is registered by default or listed (namespaces compare without case, as ARM does). */
export function providerRegistered(doc: DeployIdentities, ns: string): boolean {
  const key = ns.toLowerCase();
  return [...REGISTERED_BY_DEFAULT, ...doc.resourceProviders].some((p) => p.toLowerCase() === key);
}
const actionList = z.array(
  z.string().regex(ACTION, "must be a provider action such as Microsoft.Authorization/locks/read"),
);
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const customRoleSchema = z.strictObject({
  description: z.string().min(1),
  actions: actionList.default([]),
  dataActions: actionList.default([]),
});

const roleEntrySchema = z.strictObject({
  role: z.string().min(1),
  scope: z.enum(SCOPE_KINDS),
  grantedBy: z.enum(GRANTERS),
  why: z.string().min(1),
  condition: z
    .strictObject({
      principalTypes: z.array(z.enum(PRINCIPAL_TYPES)).min(1),
      allowedRoles: z.partialRecord(z.enum(ENVIRONMENTS), z.array(z.string().min(1)).min(1)),
    })
    .optional(),
});

const identitySchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9{}-]{3,64}$/, "must be 3-64 lowercase letters, digits, '-' (and {environment})"),
  kind: z.enum(["managedIdentity", "group"]),
  description: z.string().min(1),
  /** Its federated credentials, one per GitHub OIDC subject (see `FEDERATED_SUBJECTS`). */
  federatedSubjects: z.array(z.enum(FEDERATED_SUBJECTS)).min(1).optional(),
  readOnly: z.boolean().default(false),
  roles: z.array(roleEntrySchema).min(1),
});

export const identitiesSchema = z.strictObject({
  version: z.literal(1),
  github: z.strictObject({
    issuer: z.url(),
    audience: z.string().min(1),
    environments: z.record(z.enum(ENVIRONMENTS), z.string().regex(/^[A-Za-z0-9_.-]+$/)),
  }),
  identityResourceGroup: z.string().min(1),
  identityLocation: z.string().min(1),
  /**
   * Resource provider namespaces `deploy:setup` registers in the stack's subscription (besides
   * REGISTERED_BY_DEFAULT): azure-native registers none (pulumi/pulumi-azure-native#3479), and
   * ARM registers a namespace itself only for templates and the portal (Microsoft's "Azure
   * resource providers and types"), so a first create in an unregistered one fails with
   * MissingSubscriptionRegistration. The offline plan refuses a resource in any other namespace.
   */
  resourceProviders: z
    .array(
      z
        .string()
        .regex(
          /^[A-Za-z][A-Za-z0-9]*\.[A-Za-z][A-Za-z0-9.]*$/,
          "must be a resource provider namespace such as Microsoft.App",
        ),
    )
    .min(1, "must list the namespaces the stack creates resources in"),
  customRoles: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9 ]+$/), customRoleSchema),
  identities: z.strictObject({
    preview: identitySchema,
    deploy: identitySchema,
    secretWriters: identitySchema,
  }),
});

export type DeployIdentities = z.infer<typeof identitiesSchema>;
export type IdentityKey = keyof DeployIdentities["identities"];
export type RoleEntry = z.infer<typeof roleEntrySchema>;
export type IdentityDeclaration = z.infer<typeof identitySchema>;

/** Built-in roles that could hand out or take over access: never on an allowed-role list. */
const ESCALATING: readonly string[] = PRIVILEGED_ROLES;

function keyOf(file: string, parts: readonly PropertyKey[]): string {
  return `${path.basename(file)}: ${parts
    .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
    .join("")
    .replace(/^\./, "")
    .replace(/\.\[/g, "[")}`;
}

function valueAt(input: unknown, parts: readonly PropertyKey[]): string {
  let cur: unknown = input;
  for (const part of parts) {
    if (cur === null || typeof cur !== "object") return "(not set)";
    cur = (cur as Record<PropertyKey, unknown>)[part];
  }
  return cur === undefined ? "(not set)" : JSON.stringify(cur);
}

/** Rules zod cannot express: role names resolve, conditions sit where they constrain, no escalation. */
function crossChecks(doc: DeployIdentities, file: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const known = [...Object.keys(BUILT_IN_ROLES), ...Object.keys(doc.customRoles)];
  const problem = (parts: PropertyKey[], value: unknown, message: string) =>
    problems.push({ key: keyOf(file, parts), value: JSON.stringify(value), message });
  for (const [id, identity] of Object.entries(doc.identities)) {
    const subjects = identity.federatedSubjects;
    if (identity.kind === "group" && subjects !== undefined) {
      problem(["identities", id, "federatedSubjects"], subjects, "a group has no federated credential");
    }
    if (identity.kind === "managedIdentity" && subjects === undefined) {
      problem(
        ["identities", id, "federatedSubjects"],
        undefined,
        `allowed: ${FEDERATED_SUBJECTS.join(", ")}`,
      );
    }
    if (subjects !== undefined && new Set(subjects).size !== subjects.length) {
      problem(["identities", id, "federatedSubjects"], subjects, "lists a subject twice");
    }
    if (subjects?.includes("mainBranch") && !identity.readOnly) {
      problem(
        ["identities", id, "federatedSubjects"],
        subjects,
        "mainBranch (any job on main, no GitHub environment protection) is allowed only for a readOnly identity",
      );
    }
    identity.roles.forEach((entry, i) => {
      const at = ["identities", id, "roles", i];
      if (!known.includes(entry.role)) {
        problem(
          [...at, "role"],
          entry.role,
          `allowed: a built-in role of controls/roles.ts or a customRoles entry (${known.join(", ")})`,
        );
      }
      if (entry.grantedBy === "setup" && entry.scope !== "subscription") {
        problem(
          [...at, "scope"],
          entry.scope,
          "grantedBy setup allows only subscription: the stack's resource group and vaults do not exist before the first deploy",
        );
      }
      if (entry.grantedBy === "stack" && entry.scope !== "stackVaults") {
        problem(
          [...at, "scope"],
          entry.scope,
          "the stack grants itself roles only on its vaults (index.ts); allowed with grantedBy stack: stackVaults",
        );
      }
      if (entry.grantedBy === "stack" && identity.kind !== "managedIdentity") {
        problem(
          [...at, "grantedBy"],
          entry.grantedBy,
          "the stack grants roles only to the identity that runs it; allowed here: setup, admin",
        );
      }
      if (entry.grantedBy !== "setup" && entry.scope === "subscription") {
        problem(
          [...at, "grantedBy"],
          entry.grantedBy,
          "subscription scope is granted once by setup; allowed: setup",
        );
      }
      if (identity.readOnly && !["Reader", "Key Vault Reader"].includes(entry.role)) {
        problem([...at, "role"], entry.role, "a readOnly identity holds only Reader and Key Vault Reader");
      }
      const isRbacAdmin =
        entry.role === "Role Based Access Control Administrator" ||
        entry.role === "User Access Administrator";
      if (isRbacAdmin && !entry.condition) {
        problem(
          [...at, "condition"],
          undefined,
          "an RBAC administrator role needs a condition (allowedRoles, principalTypes): without it the identity could grant itself Owner",
        );
      }
      if (!isRbacAdmin && entry.condition) {
        problem(
          [...at, "condition"],
          entry.condition,
          "only Role Based Access Control Administrator or User Access Administrator take a condition",
        );
      }
      for (const [env, roles] of Object.entries(entry.condition?.allowedRoles ?? {})) {
        roles.forEach((role, j) => {
          const where = [...at, "condition", "allowedRoles", env, j];
          if (!known.includes(role)) problem(where, role, `allowed: ${known.join(", ")}`);
          else if (ESCALATING.includes(role)) {
            problem(
              where,
              role,
              `refused: ${ESCALATING.join(", ")} can grant or take over access (IAM-2); a person gets those through PIM`,
            );
          }
        });
        if (new Set(roles).size !== roles.length)
          problem([...at, "condition", "allowedRoles", env], roles, "lists a role twice");
      }
    });
  }
  const deploy = doc.identities.deploy;
  const admin = deploy.roles.find((r) => r.condition);
  for (const env of ENVIRONMENTS) {
    if (!doc.github.environments[env])
      problem(["github", "environments", env], undefined, "every environment needs its GitHub environment");
    if (admin && !admin.condition?.allowedRoles[env]) {
      problem(
        ["identities", "deploy", "roles", deploy.roles.indexOf(admin), "condition", "allowedRoles", env],
        undefined,
        "every environment needs its allowed-role list",
      );
    }
  }
  return problems;
}

/** A ConfigError (exit 2 in the scripts) whose headline names this file rather than the stack config. */
function identitiesError(problems: ConfigProblem[]): ConfigError {
  const err = new ConfigError(problems);
  err.message = err.message.replace("Invalid stack configuration", "Invalid deploy identities declaration");
  return err;
}

/** Parses and validates a declaration (YAML text); throws one ConfigError with every problem. */
export function parseDeployIdentities(text: string, file = IDENTITIES_FILE): DeployIdentities {
  let raw: unknown;
  try {
    raw = parseYamlText(text);
  } catch (err) {
    throw identitiesError([
      {
        key: path.basename(file),
        value: "(unparsable)",
        message: `not YAML: ${(err as Error).message.split("\n")[0]}`,
      },
    ]);
  }
  const result = identitiesSchema.safeParse(raw);
  if (!result.success) {
    throw identitiesError(
      result.error.issues.flatMap((issue) =>
        issue.code === "unrecognized_keys"
          ? issue.keys.map((k) => ({
              key: keyOf(file, [...issue.path, k]),
              value: valueAt(raw, [...issue.path, k]),
              message: "is not a key of this place in the file; see config/identities.ts for the schema",
            }))
          : [{ key: keyOf(file, issue.path), value: valueAt(raw, issue.path), message: issue.message }],
      ),
    );
  }
  const problems = crossChecks(result.data, file);
  if (problems.length > 0) throw identitiesError(problems);
  return result.data;
}

/** Reads `deploy/identities.yaml` (or `$DEPLOY_IDENTITIES_FILE`). */
export function loadDeployIdentities(
  file = process.env[IDENTITIES_FILE_ENV] || IDENTITIES_FILE,
): DeployIdentities {
  if (!fs.existsSync(file)) {
    throw identitiesError([
      {
        key: IDENTITIES_FILE_ENV,
        value: JSON.stringify(file),
        message: "no such file; allowed: a deploy identities declaration (deploy/identities.yaml)",
      },
    ]);
  }
  return parseDeployIdentities(fs.readFileSync(file, "utf8"), file);
}

/** The OIDC subject of a federated credential (`repository` e.g. `${GITHUB_REPOSITORY}`). */
export function federatedSubjectText(
  doc: DeployIdentities,
  subject: FederatedSubject,
  env: Environment,
  repository: string,
): string {
  if (subject === "pull_request") return `repo:${repository}:pull_request`;
  if (subject === "mainBranch") return `repo:${repository}:ref:refs/heads/main`;
  return `repo:${repository}:environment:${doc.github.environments[env]}`;
}

/** The federated credential's name in Azure (unique per identity). */
export function federatedCredentialName(
  doc: DeployIdentities,
  subject: FederatedSubject,
  env: Environment,
): string {
  if (subject === "pull_request") return "pull-request";
  if (subject === "mainBranch") return "branch-main";
  return `environment-${doc.github.environments[env]}`;
}

/** `sap-deploy-{environment}` -> `sap-deploy-prod`. */
export function identityName(identity: IdentityDeclaration, environment: Environment): string {
  return identity.name.replace(/\{environment\}/g, environment);
}

/** Name of a custom role in one environment: custom role names are unique per tenant. */
export function customRoleName(role: string, environment: Environment): string {
  return `${role} (${environment})`;
}

/**
 * The role definition GUID: a built-in role's published GUID, or a custom role's, derived from
 * its name and environment (setup creates it under that GUID, the stack assigns it by it).
 */
export function roleGuid(doc: DeployIdentities, role: string, environment: Environment): string {
  if (role in BUILT_IN_ROLES) return BUILT_IN_ROLES[role as BuiltInRoleName];
  if (role in doc.customRoles)
    return deterministicGuid("secure-azure-platform custom role", role, environment);
  throw new Error(`deploy/identities.yaml: unknown role ${role}`);
}

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/** A role the stack grants to the identity running it, resolved for one environment. */
export interface StackGrant {
  role: string;
  roleDefinitionGuid: string;
  scope: ScopeKind;
}

/** The deploy identity's `grantedBy: stack` roles at `scope`, for the program to create. */
export function stackGrants(doc: DeployIdentities, environment: Environment, scope: ScopeKind): StackGrant[] {
  return doc.identities.deploy.roles
    .filter((r) => r.grantedBy === "stack" && r.scope === scope)
    .map((r) => ({ role: r.role, roleDefinitionGuid: roleGuid(doc, r.role, environment), scope: r.scope }));
}

/** The constrained RBAC administrator entry of the deploy identity (its condition). */
export function rbacAdminEntry(doc: DeployIdentities): RoleEntry | undefined {
  return doc.identities.deploy.roles.find((r) => r.condition);
}

/**
 * The roles the deploy identity may assign to itself: those the stack grants it (`grantedBy:
 * stack`, on its own vaults). Any other allowed role goes to other principals only.
 */
export function selfAssignableRoles(doc: DeployIdentities): string[] {
  return [...new Set(doc.identities.deploy.roles.filter((r) => r.grantedBy === "stack").map((r) => r.role))];
}

/**
 * The ABAC condition (version 2.0) of the RBAC administrator role: write and delete only the
 * allowed roles; write only to the allowed principal types, and to the identity itself
 * (`self`: its principal ID, or a shell variable the setup fills in) only the roles the stack
 * grants it. Without that clause it could give itself Key Vault Secrets User or Storage Blob
 * Data Contributor on the whole subscription. Format per Microsoft's "Delegate Azure role
 * assignment management using conditions" examples; `PrincipalId` is a request attribute of
 * `roleAssignments/write`; the set form is the one Microsoft's examples and the portal's "all roles
 * except" template use (`ForAnyOfAllValues:GuidNotEquals {...}`).
 */
export function renderCondition(
  doc: DeployIdentities,
  environment: Environment,
  self?: string,
): string | undefined {
  const entry = rbacAdminEntry(doc);
  const roles = entry?.condition?.allowedRoles[environment];
  if (!entry?.condition || !roles) return undefined;
  const guids = roles.map((r) => roleGuid(doc, r, environment)).join(", ");
  const types = entry.condition.principalTypes.map((t) => `'${t}'`).join(", ");
  const own = selfAssignableRoles(doc)
    .map((r) => roleGuid(doc, r, environment))
    .join(", ");
  // No role the stack grants itself: no exception to name (an empty set `{}` is not condition syntax).
  const notSelfClause = `@Request[Microsoft.Authorization/roleAssignments:PrincipalId] ForAnyOfAllValues:GuidNotEquals {${self}}`;
  const notSelf = !self
    ? ""
    : own
      ? ` AND (${notSelfClause} OR @Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${own}})`
      : ` AND ${notSelfClause}`;
  return (
    `((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR ` +
    `(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${guids}} ` +
    `AND @Request[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {${types}}${notSelf})) ` +
    `AND ((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR ` +
    `(@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${guids}}))`
  );
}

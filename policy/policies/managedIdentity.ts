/**
 * Federated identity credentials on managed identities (issue 13, class 2; IAM-1, IAM-2). A
 * federated credential lets whoever holds a token from `issuer` with subject `subject` act as
 * the identity, with every role it holds. Only allow-listed issuers and exact, allow-listed
 * subjects: for GitHub Actions (`https://token.actions.githubusercontent.com`) a subject names
 * one repository and one protected context, `repo:<owner>/<repo>:environment:<name>` or
 * `repo:<owner>/<repo>:ref:refs/heads/main`. Pull-request subjects (`...:pull_request`) are
 * refused whatever the list says: any contributor's pull request gets such a token.
 */
import { isAzureResource, type AzureType } from "../lib/azureTypes";
import {
  propertyDependenciesOf,
  resourceIdOf,
  resourcePolicy,
  stackPolicy,
  type StackResource,
  type StackView,
} from "../lib/define";
import { arr, get, has, known, NOT_KNOWN, peek, rec, show, str } from "../lib/props";
import {
  allowedDestinationsParam,
  destinationLocationsParam,
  destinationProblem,
  idOf,
  label,
  peekSet,
  stackIndex,
  type StackIndex,
} from "../lib/relations";

/** The audience Microsoft Entra expects on an exchanged token (the default in the portal and CLI). */
export const ENTRA_TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

export const federatedCredentialTrustedSubject = resourcePolicy({
  name: "federated-credential-trusted-subject",
  description:
    "Federated identity credentials trust only allow-listed issuers and exact allow-listed subjects, never pull-request runs or wildcards, with the audience api://AzureADTokenExchange only (IAM-1, IAM-2).",
  controls: ["IAM-1", "IAM-2"],
  severity: "critical",
  remediation:
    "Set issuer to an allowed issuer, subject to the protected context that deploys (repo:<owner>/<repo>:environment:production) and audiences to [api://AzureADTokenExchange]; add the subject to allowedSubjects in the preset in the same reviewed change.",
  types: ["azure-native:managedidentity:FederatedIdentityCredential"],
  config: {
    allowedIssuers: {
      description: "Token issuers a federated credential may trust (exact URLs).",
      default: ["https://token.actions.githubusercontent.com"] as readonly string[],
    },
    allowedSubjects: {
      description:
        "Exact subjects a federated credential may trust, e.g. repo:<owner>/<repo>:environment:production. Empty: none.",
      default: [] as readonly string[],
    },
  },
  check: ({ props }, cfg, report) => {
    const issuer = peek(props, "issuer");
    if (issuer !== NOT_KNOWN) {
      const text = typeof issuer === "string" ? issuer.trim().replace(/\/+$/, "") : "";
      if (!cfg.allowedIssuers.some((i) => i.replace(/\/+$/, "") === text))
        report(`issuer ${show(issuer)} is not allowed; allowed: ${cfg.allowedIssuers.join(", ") || "none"}`);
    }
    const subject = peek(props, "subject");
    if (subject !== NOT_KNOWN) {
      const text = typeof subject === "string" ? subject : "";
      if (/:pull_request$/i.test(text))
        report(`subject ${show(subject)} trusts pull-request runs, which any contributor can start`);
      else if (/[*?]/.test(text)) report(`subject ${show(subject)} contains a wildcard`);
      else if (!cfg.allowedSubjects.includes(text))
        report(
          `subject ${show(subject)} is not in allowedSubjects (${cfg.allowedSubjects.join(", ") || "none"})`,
        );
    }
    const audiences = arr(props, "audiences");
    if (
      audiences.length === 0 ||
      audiences.some((a) => a !== NOT_KNOWN && a !== ENTRA_TOKEN_EXCHANGE_AUDIENCE)
    )
      report(`audiences is ${show(get(props, "audiences"))}; it must be [${ENTRA_TOKEN_EXCHANGE_AUDIENCE}]`);
  },
});

const USER_ASSIGNED_IDENTITY: AzureType = "azure-native:managedidentity:UserAssignedIdentity";

/**
 * The user-assigned identities a resource runs as: `identity.userAssignedIdentities`, a list of
 * ARM IDs as inputs or a map keyed by them as outputs (`NOT_KNOWN` for one not known yet).
 */
function attachedIdentities(r: StackResource): unknown[] {
  const read = known(() => {
    const map = rec(r.props, "identity", "userAssignedIdentities");
    return map ? Object.keys(map) : arr(r.props, "identity", "userAssignedIdentities");
  });
  return read === NOT_KNOWN ? [NOT_KNOWN] : read;
}

/**
 * The ARM ID of a user-assigned identity or of one of its federated credentials:
 * `/subscriptions/<s>/resourceGroups/<rg>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>`
 * `[/federatedIdentityCredentials/<credential>]`. Groups: subscription, resource group, identity
 * name, and the credential part when there is one.
 */
const IDENTITY_ID =
  /^\s*\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/microsoft\.managedidentity\/userassignedidentities\/([^/]+?)(\/federatedidentitycredentials\/[^/]+)?\/*\s*$/i;

/**
 * Whether `id` names, by subscription, resource group and name, an identity of the stack whose own
 * ID is not known yet (preview: components write an identity's ID from its known names) and that
 * resource `r` waits for: an identity being created may carry the names of one that exists already
 * (the deploy identity), whose create then fails while a resource naming its ID as text, not
 * waiting, runs as that other identity.
 */
function namesNewIdentity(stack: StackView, index: StackIndex, id: string, r: StackResource): boolean {
  const m = IDENTITY_ID.exec(id);
  if (!m || m[4] !== undefined) return false;
  const [sub, rg, name] = [m[1].toLowerCase(), m[2].toLowerCase(), m[3].toLowerCase()];
  if (index.subscriptions.size > 0 && !index.subscriptions.has(sub)) return false;
  return stack.ofType(USER_ASSIGNED_IDENTITY).some(
    (u) =>
      idOf(u) === undefined &&
      // Peeked: in a first preview an identity's group (and name) may not be known yet, and a
      // read would make the policy "can't run during preview" for the whole stack.
      lower(peek(u.props, "resourceGroupName")) === rg &&
      lower(peek(u.props, "resourceName") ?? peek(u.props, "name")) === name &&
      [r.dependencies, propertyDependenciesOf(r, "identity")].some((deps) =>
        deps.some((d) => d.urn === u.urn),
      ),
  );
}

const lower = (v: unknown): string | undefined => (typeof v === "string" ? v.toLowerCase() : undefined);

export const userAssignedIdentitiesFromStack = stackPolicy({
  name: "user-assigned-identities-from-stack",
  description:
    "Resources run only as user-assigned identities this stack creates (identity.userAssignedIdentities): attaching another environment's workload identity, or the deploy identity (Contributor and RBAC Administrator on the subscription), lets the resource's code act with that identity's roles (IAM-2, ENV-1).",
  controls: ["IAM-2", "ENV-1"],
  severity: "critical",
  remediation:
    "Attach an identity of this stack (the WorkloadIdentity component) and grant it the data roles it needs; a reviewed shared identity goes in allowedDestinations of this policy in the preset.",
  types: [USER_ASSIGNED_IDENTITY],
  config: { allowedDestinations: allowedDestinationsParam, allowedLocations: destinationLocationsParam },
  check: (stack, cfg, report) => {
    const index = stackIndex(stack);
    const isIdentity = (r: StackResource) => r.canonical === USER_ASSIGNED_IDENTITY;
    for (let i = 0; i < stack.resources.length; i++) {
      const r = stack.resources[i];
      // No identity, or one the program never set (unknown in a preview all the same: `peekSet`).
      if (peekSet(r, "identity") === undefined) continue;
      for (const id of attachedIdentities(r)) {
        const problem = destinationProblem(
          index,
          r,
          "identity.userAssignedIdentities",
          id,
          cfg,
          isIdentity,
          stack,
          // Not known yet (preview): only what `identity` was computed from counts.
          () => propertyDependenciesOf(r, "identity"),
        );
        if (problem && !(typeof id === "string" && namesNewIdentity(stack, index, id, r)))
          report(`${label(r)}: ${problem}`, r.urn);
      }
    }
  },
});

const FEDERATED_CREDENTIAL: AzureType = "azure-native:managedidentity:FederatedIdentityCredential";
/**
 * Azure Classic's federated credential (pulumi/pulumi-azure sdk/nodejs/armmsi/federatedIdentityCredential.ts):
 * the same credential under other property names (`parentId`, `subject`), which neither federated
 * credential policy reads, and which only the type gate judges, advisory in dev.
 */
const CLASSIC_FEDERATED_CREDENTIAL = "azure:armmsi/federatedIdentityCredential:FederatedIdentityCredential";

/**
 * The `resourceGroupName` or `resourceName` of an identity or a federated credential as a stack
 * policy can know it: the input when the props carry it (a plan export), else read from the ARM ID
 * (or an identity's `name`), NOT_KNOWN when neither is known. azure-native's outputs, which stack
 * policies read, carry no path parameter: its state keeps the response only (recorded state in
 * pulumi/pulumi-azure-native provider/pkg/provider/testdata/recorded/TestProviderUpgrade/
 * upgrade-keyvault/2.76.0/stack.json: `id` and `name`, no `resourceGroupName` or `vaultName`), and
 * a preview maps response properties only (convert PreviewOutputs): a credential being created
 * shows neither, so only what its names were computed from can vouch for them.
 */
function pathName(r: StackResource, key: "resourceGroupName" | "resourceName"): unknown {
  const value = peek(r.props, key);
  if (value !== undefined) return value;
  const id = resourceIdOf(r);
  const m = id === undefined ? null : IDENTITY_ID.exec(id);
  if (m) return key === "resourceGroupName" ? m[2] : m[3];
  const name =
    r.canonical === USER_ASSIGNED_IDENTITY && key === "resourceName" ? peek(r.props, "name") : undefined;
  return typeof name === "string" ? name : NOT_KNOWN;
}

/**
 * Whether `key` (`resourceGroupName`, `resourceName`) of federated credential `fic` names the
 * same as identity `u`'s: equal when both are known (Azure compares names case-insensitively);
 * not known yet (or not visible), only when computed from `u` itself or from exactly what `u`'s own
 * value was computed from (the resource group both take their group from). Stack policies run at `up` only after
 * every step (pulumi/pulumi pkg/resource/deploy/deployment_executor.go): a value vouched for by
 * a `dependsOn` alone would have reached Azure before the policy saw where it points.
 */
function sameName(fic: StackResource, u: StackResource, key: "resourceGroupName" | "resourceName"): boolean {
  const mine = pathName(fic, key);
  const theirs = pathName(u, key);
  if (mine !== NOT_KNOWN)
    return (
      typeof mine === "string" && typeof theirs === "string" && mine.toLowerCase() === theirs.toLowerCase()
    );
  const from = propertyDependenciesOf(fic, key).map((d) => d.urn);
  if (from.includes(u.urn)) return true;
  // Whether or not `u`'s value is known: the credential's may only be invisible (a preview of its
  // creation), so what it was computed from is all there is to compare.
  const theirsFrom = propertyDependenciesOf(u, key).map((d) => d.urn);
  return (
    theirsFrom.length > 0 && from.length === theirsFrom.length && theirsFrom.every((d) => from.includes(d))
  );
}

/**
 * Whether identity `u` exists already: its `name` output is known. azure-native's preview of an
 * update keeps `name` from the old state while its `id` and other outputs become unknown; a create's
 * preview has neither (pulumi/pulumi-azure-native provider/pkg/provider/provider.go Update and
 * Create with `preview`, convert PreviewOutputs). `name` written as an input would fake it: refused
 * by computed-properties-not-inputs.
 */
const createdAlready = (u: StackResource): boolean => typeof peek(u.props, "name") === "string";

/**
 * Whether credential `fic` is added to identity `u`. An identity this deployment only creates
 * vouches for the credential only when the credential waits for it: the identity's names may be
 * those of one that exists already (the deploy identity), whose create then fails ("cannot create
 * already existing resource", azure-native defaultCreate CanCreate) while a credential naming them
 * as text, not waiting, is added to that other identity. A credential that does not wait for its
 * identity fails anyway (the identity does not exist yet).
 */
const addedTo = (fic: StackResource, u: StackResource): boolean =>
  sameName(fic, u, "resourceName") &&
  sameName(fic, u, "resourceGroupName") &&
  (createdAlready(u) ||
    [fic.dependencies, propertyDependenciesOf(fic, "resourceName")].some((deps) =>
      deps.some((d) => d.urn === u.urn),
    ));

export const federatedCredentialOnStackIdentity = stackPolicy({
  name: "federated-credential-on-stack-identity",
  description:
    "A federated identity credential is added only to a user-assigned identity this stack creates (its resourceGroupName and resourceName, read from its ID where azure-native's outputs carry no path parameter; in a preview of its creation, which shows neither, computed from the identity and the identity's resource group; to one this deployment only creates, the credential must depend on it, or an identity of the same names that exists already, such as the deploy identity, gets the credential while the stack's create fails). federated-credential-trusted-subject judges whom a credential trusts, not which identity it opens: an allow-listed subject put on the deploy identity, another environment's workload identity or any identity of the subscription lets that subject's runs act with the identity's roles. Azure Classic's federated credential, which neither federated credential policy reads, is refused (IAM-2, ENV-1).",
  controls: ["IAM-2", "ENV-1"],
  severity: "critical",
  remediation:
    "Create the credential on an identity of this stack (the WorkloadIdentity component's identity), by its name and resource group as outputs of that identity. The deploy identities' credentials are set up by `npm run deploy:setup`, never by a stack.",
  types: [FEDERATED_CREDENTIAL],
  config: {},
  check: (stack, _cfg, report) => {
    for (let i = 0; i < stack.resources.length; i++) {
      const r = stack.resources[i];
      if (r.type.toLowerCase() === CLASSIC_FEDERATED_CREDENTIAL.toLowerCase())
        report(
          `${label(r)} is an Azure Classic federated credential: neither its identity (parentId) nor its subject is judged by the pack; use azure-native's managedidentity.FederatedIdentityCredential`,
          r.urn,
        );
    }
    const identities = stack.ofType(USER_ASSIGNED_IDENTITY);
    for (const fic of stack.ofType(FEDERATED_CREDENTIAL)) {
      if (identities.some((u) => addedTo(fic, u))) continue;
      const where = (["resourceGroupName", "resourceName"] as const)
        .map((key) => {
          const value = pathName(fic, key);
          return `${key} ${value === NOT_KNOWN ? "not known yet" : show(value)}`;
        })
        .join(", ");
      report(
        `${label(fic)} adds a federated credential to identity ${where}, which is not a user-assigned identity this stack creates (nor computed from one; one being created must be waited for: a dependency on it): whoever the credential trusts would act with that identity's roles`,
        fic.urn,
      );
    }
  },
});

/**
 * Properties Azure computes, never inputs of the azure-native resource, that stack policies read
 * to relate resources (whose principal, which vault, which key). A value written there passes the
 * provider's check (it validates the properties it knows and lets others through) and reaches the
 * stack policies of a preview, which read inputs, as if Azure had returned it. (Under
 * `policy:analyze --deployed` the inputs carry the outputs of the same name: a vault's own
 * `vaultUri` is then accepted, and `identity.principalId` appears only for system-assigned
 * identities, which the platform does not use, IAM-1.)
 */
const COMPUTED_PROPERTIES: readonly { type: AzureType | "any"; paths: readonly string[][] }[] = [
  { type: "any", paths: [["identity", "principalId"]] },
  { type: USER_ASSIGNED_IDENTITY, paths: [["principalId"], ["clientId"], ["tenantId"], ["name"]] },
  // A role definition's `name` (its GUID) says role-assignment-known-role's definition exists.
  { type: "azure-native:authorization:RoleDefinition", paths: [["name"]] },
  { type: "azure-native:keyvault:Key", paths: [["keyUri"], ["keyUriWithVersion"]] },
];

/** The paths of `COMPUTED_PROPERTIES` that apply to a canonical type, in their order (per type, once). */
const COMPUTED_PATHS = new Map<AzureType | undefined, readonly (readonly string[])[]>();
function computedPathsOf(canonical: AzureType | undefined): readonly (readonly string[])[] {
  let paths = COMPUTED_PATHS.get(canonical);
  if (!paths) {
    paths = COMPUTED_PROPERTIES.flatMap(({ type, paths: p }) =>
      type === "any" || type === canonical ? p : [],
    );
    COMPUTED_PATHS.set(canonical, paths);
  }
  return paths;
}

/** Whether a vault's `vaultUri` names another vault than the vault itself (`https://<vaultName>.<Key Vault DNS suffix>/`). */
function foreignVaultUri(props: unknown): boolean {
  if (!has(props, "properties", "vaultUri")) return false;
  const uri = str(props, "properties", "vaultUri");
  const name = str(props, "vaultName") ?? str(props, "name");
  const host = uri?.match(/^https:\/\/([^./]+)\.vault\.[^/]+\/?$/i)?.[1];
  return host === undefined || name === undefined || host.toLowerCase() !== name.toLowerCase();
}

export const computedPropertiesNotInputs = resourcePolicy({
  name: "computed-properties-not-inputs",
  description:
    "No resource sets as an input a property Azure computes that stack policies relate resources by: identity.principalId, a user-assigned identity's principalId, clientId, tenantId or name, a role definition's name, a key's keyUri, a vault's vaultUri naming another vault. A written one would, in a preview, vouch for a principal, vault or key the stack does not have (IAM-2, ENV-1).",
  controls: ["IAM-2", "ENV-1"],
  severity: "critical",
  remediation:
    "Remove the property: Azure returns it after creation; refer to the resource's output (identity.principalId, vaultUri, keyUri) instead.",
  types: "all",
  appliesTo: { type: isAzureResource, otherwise: "not an Azure resource" },
  config: {},
  check: ({ props, canonical }, _cfg, report) => {
    const paths = computedPathsOf(canonical);
    for (let i = 0; i < paths.length; i++)
      if (has(props, ...paths[i])) report(`${paths[i].join(".")} is set as an input; Azure computes it`);
    if (canonical === "azure-native:keyvault:Vault" && foreignVaultUri(props))
      report(
        `properties.vaultUri ${show(get(props, "properties", "vaultUri"))} is set as an input and is not this vault's; Azure computes it`,
      );
  },
});

export const managedIdentityPolicies = [
  federatedCredentialTrustedSubject,
  federatedCredentialOnStackIdentity,
  userAssignedIdentitiesFromStack,
  computedPropertiesNotInputs,
] as const;

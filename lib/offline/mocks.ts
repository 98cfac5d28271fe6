/**
 * A mock of the azure-native and random providers for Pulumi's mock runtime: what the
 * offline plan and the tests answer where `pulumi preview` would ask Azure.
 *
 * It behaves like the providers where the program can tell: ARM-shaped resource IDs,
 * Azure-style autonaming (logical name + random suffix) when the program leaves the name to
 * the provider, the computed outputs the program reads (identity principal IDs, vault URIs,
 * host names, random results) and the invokes it makes. An invoke it does not know is an
 * error, so a new invoke in the program cannot silently get a made-up answer.
 */
import { createHash } from "crypto";
import type * as pulumi from "@pulumi/pulumi";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { armResourceId, nameProperty } from "./armIds";
import { declaredOutputs, echoedInputs } from "./sdkOutputs";
import {
  FRONT_DOOR_PRIVATE_LINK_REGIONS,
  frontDoorPrivateLinkOffered,
  wafPolicyLimitProblems,
} from "../../components/frontDoorSpec";
import { KEY_EXPIRY_DAYS, KEY_ROTATION_DAYS } from "../../controls/limits";
import { pairedRegion } from "../../controls/regions";
import { directTableReads, scheduledRuleQueryProblems } from "../../components/sentinel/logTables";
import { isSecretEnvelope as isSecret, secretEnvelope as secret } from "../../policy/common/pulumiFormat";
import { normalizeLocation } from "../../policy/lib/props";

/**
 * Why the deploy's runner, on GitHub-hosted infrastructure outside the VNet
 * (.github/workflows/deploy.yml), cannot reach a service's data plane: public network access
 * Disabled, or a firewall that denies by default. IP rules do not open it to the runner: a
 * GitHub-hosted runner's address is not fixed (it is one of the Azure datacenters' shared ranges,
 * https://docs.github.com/en/actions/using-github-hosted-runners/about-github-hosted-runners,
 * "IP addresses"), so a rule names it only by chance; only a rule covering every address (a /0
 * range) leaves the firewall open to it. Undefined when it can. Values compare without case.
 */
export function closedToRunner(network: {
  publicNetworkAccess: unknown;
  defaultAction: unknown;
  ipRules: unknown;
}): string | undefined {
  const lower = (v: unknown) => {
    const value = plain(v);
    return typeof value === "string" ? value.toLowerCase() : "";
  };
  if (lower(network.publicNetworkAccess) === "disabled") return "public network access is Disabled";
  if (lower(network.defaultAction) !== "deny") return undefined;
  const ipRules = plain(network.ipRules);
  const rules = Array.isArray(ipRules) ? ipRules : [];
  if (rules.some(coversEveryAddress)) return undefined;
  return rules.length === 0
    ? "firewall denies by default and lists no IP rule"
    : "firewall denies by default, and its IP rules cannot name a GitHub-hosted runner (its address is not fixed)";
}

/** An IP rule (storage `iPAddressOrRange`, Key Vault `value`) whose range is every address (`/0`). */
function coversEveryAddress(rule: unknown): boolean {
  const r = objectInput(rule);
  const range = plain(r.iPAddressOrRange ?? r.value);
  return typeof range === "string" && /\/0+\s*$/.test(range);
}

/** An input's value, looking through a secret wrapper (computed outputs extend it). */
function plain(value: unknown): unknown {
  return isSecret(value) ? value.value : value;
}

/** A nested object input, looking through a secret wrapper. */
function objectInput(value: unknown): Outputs {
  const v = plain(value);
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Outputs) : {};
}

export interface AzureMockOptions {
  subscriptionId?: string;
  tenantId?: string;
  /** Object ID of the signed-in principal (`getClientConfig().objectId`). */
  objectId?: string;
  clientId?: string;
  /** Default location for resources that inherit it from the provider config. */
  location?: string;
  /**
   * The outputs of the stack a `pulumi.StackReference` names (as the engine reads them from
   * that stack's state), or undefined when the plan has none: the reference then fails.
   */
  stackOutputs?: (name: string) => Record<string, unknown> | undefined;
}

export const MOCK_SUBSCRIPTION_ID = "00000000-0000-4000-8000-000000000001";
export const MOCK_TENANT_ID = "00000000-0000-4000-8000-0000000000a1";

/** A stable GUID from any text: deterministic plans diff cleanly. */
export function stableGuid(...parts: string[]): string {
  const h = createHash("sha256").update(parts.join("\u0000")).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function suffix(name: string, length: number): string {
  return createHash("sha256").update(name).digest("hex").slice(0, length);
}

type Outputs = Record<string, unknown>;

/** The engine's built-in resource behind `pulumi.StackReference`. */
const STACK_REFERENCE = "pulumi:pulumi:StackReference";

function text(value: unknown, fallback: string): string {
  return typeof value === "string" && value.length > 0 ? value : fallback;
}

/** ARM IDs compare case-insensitively, with or without a trailing slash. */
function sameArmId(a: string | undefined, b: string): boolean {
  return a !== undefined && a.replace(/\/$/, "").toLowerCase() === b.replace(/\/$/, "").toLowerCase();
}

/**
 * Resources Azure has before anyone creates them, where azure-native neither treats them as
 * singletons nor knows a default state: its Create then refuses them ("cannot create already
 * existing resource", provider/pkg/azure/client_azcore.go CanCreate), so the program must import
 * them. Each entry says, from the inputs, whether (and why) the resource already exists.
 */
const ALWAYS_EXISTS: Readonly<Record<string, (inputs: Outputs) => string | undefined>> = {
  // Every subscription has a pricing for every plan (Free until turned on); pricings.json
  // 2024-01-01 has a DELETE, so azure-native's generator does not mark it a singleton. A resource
  // has one too before any override: its GET answers 200 with the pricing it inherits
  // (GetResourcePricingByNameVirtualMachines_example.json: "inherited": "True", "inheritedFrom"
  // the subscription), which CanCreate takes for an existing resource as well.
  "azure-native:security:Pricing": (inputs) =>
    /^\/?subscriptions\/[^/]+\/?$/i.test(text(inputs.scopeId, ""))
      ? "a subscription has a pricing for every Defender plan"
      : "a resource answers with the pricing it inherits from its subscription",
};

export class AzureMocks implements pulumi.runtime.Mocks {
  readonly subscriptionId: string;
  readonly tenantId: string;
  private readonly objectId: string;
  private readonly clientId: string;
  private readonly location?: string;
  private readonly stackOutputs?: AzureMockOptions["stackOutputs"];
  /**
   * Set by `runUnderMocks` right before each registration: the inputs with secrets where
   * they occur. The MockMonitor's own argument has secretness hoisted to the top-level
   * property, which would make e.g. a Key Vault secret's whole `properties` output secret.
   */
  exactInputs?: { type: string; name: string; inputs: Record<string, unknown> };
  /** Every invoke the program made, with its answer (the permission check reads them). */
  readonly invokes: { token: string; inputs: Outputs; result: Outputs }[] = [];

  /** Private Link requests Front Door origins made, by target resource ID (Azure creates them Pending). */
  private readonly privateLinkRequests = new Map<string, Set<string>>();
  /** Log Analytics workspaces this plan creates (lower-case ARM IDs): new, so without tables yet. */
  private readonly newWorkspaces = new Set<string>();
  /** Key Vaults this plan creates, by lower-case name: where they are and whether purge protection is on. */
  private readonly newVaults = new Map<string, { location: string; purgeProtection: boolean }>();
  /** Storage accounts this plan creates that a runner outside their network cannot reach (lower-case ARM IDs). */
  private readonly closedStorageAccounts = new Map<string, string>();
  /** Storage accounts this plan creates with Shared Key authorization off (lower-case ARM IDs). */
  private readonly noSharedKeyAccounts = new Set<string>();

  constructor(options: AzureMockOptions = {}) {
    this.subscriptionId = options.subscriptionId ?? MOCK_SUBSCRIPTION_ID;
    this.tenantId = options.tenantId ?? MOCK_TENANT_ID;
    this.objectId = options.objectId ?? stableGuid("deployer-object");
    this.clientId = options.clientId ?? stableGuid("deployer-client");
    this.location = options.location;
    this.stackOutputs = options.stackOutputs;
  }

  newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Outputs } {
    const { type, name } = args;
    const exact = this.exactInputs;
    const inputs =
      exact && exact.type === type && exact.name === name ? exact.inputs : (args.inputs as Outputs);
    if (!args.custom) return { id: undefined, state: inputs };
    if (type === STACK_REFERENCE) return this.stackReference(args.id ?? name);
    if (type.startsWith("pulumi:providers:"))
      return { id: stableGuid("provider", type, name), state: inputs };
    if (type.startsWith("random:")) return this.randomResource(type, name, inputs);
    if (type === "azure-native:keyvault:Key") refuseShortRotationPolicy(name, inputs);
    if (type === "azure-native:frontdoor:Policy") refuseWafBeyondLimits(name, inputs);
    if (type === "azure-native:cdn:AFDOrigin") {
      refuseUnsupportedPrivateLinkLocation(name, inputs);
      this.recordPrivateLinkRequest(inputs);
    }
    if (type.startsWith("azure-native:")) {
      this.refuseQueryOnMissingTables(type, name, inputs);
      this.refuseBlobDataPlaneFromOutside(type, name, inputs);
      this.refuseKeyVaultOutOfPlace(type, name, inputs);
      const created = this.azureResource(type, name, inputs);
      if (type === "azure-native:keyvault:Vault") this.recordVault(String(created.state.name), inputs);
      if (type === "azure-native:operationalinsights:Workspace")
        this.newWorkspaces.add(created.id.toLowerCase());
      if (type === "azure-native:storage:StorageAccount") this.recordClosedStorageAccount(created.id, inputs);
      const preexisting = ALWAYS_EXISTS[type]?.(inputs);
      if (preexisting && !sameArmId(args.id, created.id)) {
        // What azure-native's Create answers after its existence check (client_azcore.go CanCreate).
        throw new Error(
          `offline plan: ${type} ${name}: cannot create already existing resource '${created.id}' (${preexisting}); ` +
            (args.id
              ? `the import ID '${args.id}' names another resource`
              : "import it (`import` resource option)"),
        );
      }
      return created;
    }
    return { id: `${name}-id`, state: inputs };
  }

  call(args: pulumi.runtime.MockCallArgs): Outputs {
    const result = this.answer(args);
    this.invokes.push({ token: args.token, inputs: args.inputs as Outputs, result });
    return result;
  }

  private answer(args: pulumi.runtime.MockCallArgs): Outputs {
    switch (args.token) {
      case "azure-native:authorization:getClientConfig":
        return {
          clientId: this.clientId,
          objectId: this.objectId,
          subscriptionId: this.subscriptionId,
          tenantId: this.tenantId,
        };
      case "azure-native:keyvault:getKey": {
        // Same shape as the Key resource's computed outputs (Managed Redis needs the versioned URI).
        const inputs = args.inputs as Outputs;
        const keyUri = `https://${String(inputs.vaultName)}.vault.azure.net/keys/${String(inputs.keyName)}`;
        // The current version is the one the Key resource reported: same ID, same version.
        const id = armResourceId(
          "azure-native:keyvault:Key",
          inputs,
          this.subscriptionId,
          String(inputs.keyName),
        );
        return { id, name: inputs.keyName, keyUri, keyUriWithVersion: `${keyUri}/${suffix(id, 32)}` };
      }
      case "azure-native:app:getManagedEnvironment": {
        // The private endpoint connections Front Door origins requested on this environment.
        const inputs = args.inputs as Outputs;
        const id = armResourceId(
          "azure-native:app:ManagedEnvironment",
          inputs,
          this.subscriptionId,
          String(inputs.environmentName),
        );
        const requests = [...(this.privateLinkRequests.get(id.toLowerCase()) ?? [])];
        return {
          id,
          name: inputs.environmentName,
          privateEndpointConnections: requests.map((description) => ({
            id: `${id}/privateEndpointConnections/pec-${suffix(id + description, 12)}`,
            name: `pec-${suffix(id + description, 12)}`,
            groupIds: ["managedEnvironments"],
            privateLinkServiceConnectionState: { status: "Pending", description, actionsRequired: "None" },
          })),
        };
      }
      default: {
        const error = new Error(
          `offline plan: invoke ${args.token} has no mock; add it to lib/offline/mocks.ts (inputs: ${JSON.stringify(args.inputs)})`,
        );
        // The SDK rethrows invoke failures as `new Error(err.details)` (a gRPC status field).
        throw Object.assign(error, { details: error.message });
      }
    }
  }

  /**
   * What the engine answers for a `StackReference`: the referenced stack's outputs, with its
   * secret outputs named (the SDK keeps them secret in the program).
   */
  private stackReference(name: string): { id: string; state: Outputs } {
    const outputs = this.stackOutputs?.(name);
    if (!outputs) {
      throw new Error(
        `offline plan: StackReference ${name}: no outputs for this stack (see docs/offline-plan.md)`,
      );
    }
    const secretOutputNames = Object.keys(outputs).filter((key) => isSecret(outputs[key]));
    return { id: name, state: { name, outputs, secretOutputNames } };
  }

  /**
   * Azure validates a Sentinel scheduled analytics rule's query, and a log search alert's, when
   * the rule is created, and refuses one that reads a table the workspace does not have ("Failed
   * to run the analytics rule query. One of the tables does not exist": Azure/Azure-Sentinel#2039,
   * #10340; "Failed to resolve table or column expression" for log search alerts). A workspace
   * this plan creates starts without the tables its diagnostic settings will fill, and when Azure
   * Monitor adds one is not documented (components/sentinel/logTables.ts `directTableReads`):
   * a rule on it may read a table only through a fuzzy union with an empty leg.
   */
  private refuseQueryOnMissingTables(type: string, name: string, inputs: Outputs): void {
    let workspaceIds: string[];
    let queries: unknown[];
    if (type === "azure-native:securityinsights:ScheduledAlertRule") {
      const query = plain(inputs.query);
      const problems = typeof query === "string" ? scheduledRuleQueryProblems(query) : [];
      if (problems.length > 0)
        throw new Error(
          `offline plan: Azure refuses ${type} ${name}: ${problems.join("; ")} (Microsoft's "Scheduled analytics rules in Microsoft Sentinel")`,
        );
      workspaceIds = [
        armResourceId(
          "azure-native:operationalinsights:Workspace",
          inputs,
          this.subscriptionId,
          text(inputs.workspaceName, ""),
        ),
      ];
      queries = [inputs.query];
    } else if (type === "azure-native:monitor:ScheduledQueryRule") {
      const scopes = plain(inputs.scopes);
      workspaceIds = Array.isArray(scopes) ? scopes.filter((s): s is string => typeof s === "string") : [];
      const allOf = objectInput(inputs.criteria).allOf;
      queries = Array.isArray(allOf) ? allOf.map((c) => objectInput(c).query) : [];
    } else return;
    const fresh = workspaceIds.find((id) => this.newWorkspaces.has(id.replace(/\/$/, "").toLowerCase()));
    if (!fresh) return;
    for (const query of queries.map(plain)) {
      if (typeof query !== "string") continue;
      const direct = directTableReads(query);
      if (direct.length === 0) continue;
      throw new Error(
        `offline plan: Azure refuses ${type} ${name}: its query reads ${direct.join(", ")} directly, and workspace ${fresh} is created by this deployment, so the table may not exist when the rule is created ("One of the tables does not exist"); read it through \`union isfuzzy=true (datatable(TimeGenerated: datetime)[]), <table>\` and its columns through column_ifexists (components/sentinel/rules.ts resilientSource)`,
      );
    }
  }

  /** Storage accounts whose blob endpoint the runner cannot reach (closedToRunner). */
  private recordClosedStorageAccount(id: string, inputs: Outputs): void {
    const rules = objectInput(inputs.networkRuleSet);
    const why = closedToRunner({
      publicNetworkAccess: inputs.publicNetworkAccess,
      defaultAction: rules.defaultAction,
      ipRules: rules.ipRules,
    });
    if (why) this.closedStorageAccounts.set(id.toLowerCase(), why);
    if (plain(inputs.allowSharedKeyAccess) === false) this.noSharedKeyAccounts.add(id.toLowerCase());
  }

  /**
   * azure-native's `storage:Blob` and `storage:StorageAccountStaticWebsite` are not Resource
   * Manager resources: the provider calls the account's blob endpoint, the data plane
   * (`https://<account>.blob.core.windows.net`, pulumi-azure-native
   * provider/pkg/resources/customresources/custom_storage_azidentity.go), where the storage
   * firewall and disabled public network access apply (Resource Manager's blob containers and
   * service properties are not affected). The deploy runs on a GitHub-hosted runner outside the
   * VNet (.github/workflows/deploy.yml), so on an account the plan creates closed to it the create
   * fails with 403 (AuthorizationFailure), and so does every later refresh.
   */
  private refuseBlobDataPlaneFromOutside(type: string, name: string, inputs: Outputs): void {
    if (type !== "azure-native:storage:Blob" && type !== "azure-native:storage:StorageAccountStaticWebsite")
      return;
    const accountId = armResourceId(
      "azure-native:storage:StorageAccount",
      inputs,
      this.subscriptionId,
      text(inputs.accountName, ""),
    ).toLowerCase();
    // storage:Blob signs its data-plane calls with the account's first key (ListKeys, then a
    // Shared Key credential: custom_storage_azidentity.go newBlobClient/newSharedKeyCredential),
    // which an account with allowSharedKeyAccess false refuses ("KeyBasedAuthenticationNotPermitted",
    // pulumi/pulumi-azure-native#2015, open) wherever the runner is. The static website uses the
    // deployer's Entra token (newStorageAccountClient) instead.
    if (type === "azure-native:storage:Blob" && this.noSharedKeyAccounts.has(accountId))
      throw new Error(
        `offline plan: Azure refuses ${type} ${name}: azure-native writes a blob with the account's Shared Key, and storage account ${String(inputs.accountName)} has allowSharedKeyAccess false (403 KeyBasedAuthenticationNotPermitted, pulumi/pulumi-azure-native#2015); create the content from a job or app with a data role instead of in the stack`,
      );
    const why = this.closedStorageAccounts.get(accountId);
    if (!why) return;
    throw new Error(
      `offline plan: Azure refuses ${type} ${name}: azure-native writes it through the account's blob endpoint (data plane), and the deploy's runner is outside the network of storage account ${String(inputs.accountName)}, whose ${why}; create the content from inside the network (a job or app with a private endpoint) instead of in the stack`,
    );
  }

  private recordVault(name: string, inputs: Outputs): void {
    const where = known(inputs.location) ?? this.location;
    if (where === undefined) return;
    this.newVaults.set(name.toLowerCase(), {
      location: normalizeLocation(where),
      purgeProtection: plain(objectInput(inputs.properties).enablePurgeProtection) === true,
    });
  }

  /**
   * Azure refuses a customer-managed key whose vault is not where the service needs it:
   * - Azure Managed Redis: "The Azure Key Vault resource containing the customer managed key must be
   *   in the same region as the cache resource", with purge protection and soft delete enabled
   *   (Microsoft's "Configure disk encryption for Azure Managed Redis instances using customer managed
   *   keys", Prerequisites and limitations; MicrosoftDocs/azure-docs articles/redis/how-to-encryption.md);
   * - PostgreSQL flexible server with geo-redundant backup: the geo-backup key "needs to be created in
   *   a Key Vault instance that must exist in the region where the geo-redundant backup is stored" (the
   *   server region's pair), and "You can't use the same user-managed identity" for both keys
   *   (Microsoft's "Data encryption at rest in Azure Database for PostgreSQL flexible server";
   *   MicrosoftDocs/azure-databases-docs articles/postgresql/security/security-data-encryption.md).
   * Only vaults this plan creates are judged (another vault's region is not known here).
   */
  private refuseKeyVaultOutOfPlace(type: string, name: string, inputs: Outputs): void {
    const refuse = (what: string, source: string) => {
      throw new Error(`offline plan: Azure refuses ${type} ${name}: ${what} (${source})`);
    };
    // A value not known yet (a preview) is judged at the deploy, where it is.
    const where = known(inputs.location) ?? this.location;
    if (where === undefined) return;
    const location = normalizeLocation(where);
    if (type === "azure-native:redisenterprise:RedisEnterprise") {
      const cmk = objectInput(objectInput(inputs.encryption).customerManagedKeyEncryption);
      const vaultName = vaultOfKeyUrl(cmk.keyEncryptionKeyUrl);
      const vault = vaultName ? this.newVaults.get(vaultName) : undefined;
      if (!vault) return;
      const source = "Azure Managed Redis customer-managed key prerequisites";
      if (vault.location !== location)
        refuse(
          `its customer-managed key is in vault ${vaultName} in ${vault.location}; the vault must be in the cache's region ${location}`,
          source,
        );
      if (!vault.purgeProtection)
        refuse(`its customer-managed key is in vault ${vaultName}, which has no purge protection`, source);
    }
    if (type === "azure-native:dbforpostgresql:Server") {
      const encryption = objectInput(inputs.dataEncryption);
      if (String(plain(encryption.type)) !== "AzureKeyVault") return;
      const source = "PostgreSQL flexible server data encryption with geo-redundant backup";
      const primary = known(encryption.primaryUserAssignedIdentityId);
      const geo = known(encryption.geoBackupUserAssignedIdentityId);
      if (primary !== undefined && geo !== undefined && primary.toLowerCase() === geo.toLowerCase())
        refuse(
          `the primary and geo-backup keys use the same identity ${primary}; each needs its own`,
          source,
        );
      const geoVaultName = vaultOfKeyUrl(encryption.geoBackupKeyURI);
      const geoVault = geoVaultName ? this.newVaults.get(geoVaultName) : undefined;
      const backupRegion = pairedRegion(location);
      if (geoVault && backupRegion && geoVault.location !== backupRegion)
        refuse(
          `its geo-backup key is in vault ${geoVaultName} in ${geoVault.location}; it must be in a vault in ${backupRegion}, where the geo-redundant backup of ${location} is stored`,
          source,
        );
    }
  }

  private recordPrivateLinkRequest(inputs: Outputs): void {
    const link = objectInput(inputs.sharedPrivateLinkResource);
    const target = objectInput(link.privateLink).id;
    if (typeof target !== "string") return;
    const set = this.privateLinkRequests.get(target.toLowerCase()) ?? new Set<string>();
    set.add(text(link.requestMessage, ""));
    this.privateLinkRequests.set(target.toLowerCase(), set);
  }

  private randomResource(type: string, name: string, inputs: Outputs): { id: string; state: Outputs } {
    switch (type) {
      case "random:index/randomString:RandomString": {
        const length = Number(inputs.length ?? 8);
        // Lowercase alphanumerics satisfy every Azure global-name rule the program uses.
        const result = suffix(`random-string/${name}`, length).replace(/^[0-9]/, "a");
        return { id: result, state: { ...inputs, result } };
      }
      case "random:index/randomUuid:RandomUuid": {
        const result = stableGuid("random-uuid", name);
        return { id: result, state: { ...inputs, result } };
      }
      case "random:index/randomPassword:RandomPassword": {
        // The provider marks both secret; the engine would keep them secret in state too.
        const result = `mock-${suffix(`random-password/${name}`, Number(inputs.length ?? 32))}`;
        return {
          id: "none",
          state: { ...inputs, result: secret(result), bcryptHash: secret(`$2a$10$${suffix(result, 53)}`) },
        };
      }
      default:
        return { id: stableGuid(type, name), state: inputs };
    }
  }

  private azureResource(type: string, logicalName: string, inputs: Outputs): { id: string; state: Outputs } {
    const nameKey = nameProperty(type);
    const given = nameKey ? inputs[nameKey] : undefined;
    // Provider autonaming: logical name plus a random suffix (azure-native's default).
    const name =
      typeof given === "string" && given.length > 0 ? given : `${logicalName}${suffix(logicalName, 8)}`;
    const id = armResourceId(
      type,
      { ...inputs, ...(nameKey ? { [nameKey]: name } : {}) },
      this.subscriptionId,
      name,
    );
    // Only what azure-native declares as outputs (sdkOutputs.ts): the inputs Azure echoes back,
    // never the ARM path parameters (resourceGroupName, vaultName, resourceUri...), which a real
    // state does not hold and stack policies therefore never see.
    const outputs = declaredOutputs(type);
    const state: Outputs = echoedInputs(type, inputs);
    state.name = name;
    state.id = id;
    if (outputs.has("azureApiVersion")) state.azureApiVersion = "mock";
    if (this.location && inputs.location === undefined && outputs.has("location"))
      state.location = this.location;
    const computed = this.computed(type, name, id, inputs);
    const undeclared = Object.keys(computed).filter((key) => !outputs.has(key));
    if (undeclared.length > 0)
      throw new Error(
        `offline plan: the mock computes ${undeclared.join(", ")} for ${type}, which azure-native does not declare as outputs (lib/offline/mocks.ts computed)`,
      );
    return { id, state: Object.assign(state, computed) };
  }

  /** Outputs Azure computes that programs read. */
  private computed(type: string, name: string, id: string, inputs: Outputs): Outputs {
    switch (type) {
      case "azure-native:managedidentity:UserAssignedIdentity":
        return {
          principalId: stableGuid("principal", id),
          clientId: stableGuid("client", id),
          tenantId: this.tenantId,
        };
      case "azure-native:keyvault:Vault":
        return {
          properties: { ...objectInput(inputs.properties), vaultUri: `https://${name}.vault.azure.net/` },
        };
      case "azure-native:keyvault:Key": {
        const vaultName = String(inputs.vaultName);
        const keyUri = `https://${vaultName}.vault.azure.net/keys/${name}`;
        return { keyUri, keyUriWithVersion: `${keyUri}/${suffix(id, 32)}` };
      }
      case "azure-native:keyvault:Secret": {
        const vaultName = String(inputs.vaultName);
        const secretUri = `https://${vaultName}.vault.azure.net/secrets/${name}`;
        return {
          properties: {
            ...objectInput(inputs.properties),
            secretUri,
            secretUriWithVersion: `${secretUri}/${suffix(id, 32)}`,
          },
        };
      }
      case "azure-native:storage:StorageAccount":
        return {
          primaryEndpoints: {
            blob: `https://${name}.blob.core.windows.net/`,
            dfs: `https://${name}.dfs.core.windows.net/`,
            queue: `https://${name}.queue.core.windows.net/`,
            table: `https://${name}.table.core.windows.net/`,
            file: `https://${name}.file.core.windows.net/`,
            web: `https://${name}.z6.web.core.windows.net/`,
          },
        };
      case "azure-native:dbforpostgresql:Server":
        return { fullyQualifiedDomainName: `${name}.postgres.database.azure.com`, state: "Ready" };
      case "azure-native:redisenterprise:RedisEnterprise":
        return {
          hostName: `${name}.${text(inputs.location, this.location ?? "westeurope")}.redis.azure.net`,
        };
      case "azure-native:operationalinsights:Workspace":
        return { customerId: stableGuid("workspace", id) };
      case "azure-native:app:ManagedEnvironment":
        return {
          defaultDomain: `${suffix(id, 12)}.${text(inputs.location, this.location ?? "westeurope")}.azurecontainerapps.io`,
          staticIp: "10.0.0.4",
        };
      case "azure-native:app:ContainerApp": {
        const domain = `${suffix(text(inputs.managedEnvironmentId, text(inputs.environmentId, "")), 12)}.azurecontainerapps.io`;
        const configuration = objectInput(inputs.configuration);
        const ingress = configuration.ingress as Outputs | undefined;
        const fqdn = ingress ? `${name}${ingress.external ? "" : ".internal"}.${domain}` : undefined;
        return {
          latestRevisionFqdn: fqdn,
          configuration: {
            ...configuration,
            ...(ingress ? { ingress: { ...ingress, fqdn } } : {}),
          },
        };
      }
      case "azure-native:cdn:Profile":
        // The profile's unique ID (the X-Azure-FDID header); the edge puts it in its Private Link request.
        return { frontDoorId: stableGuid("front-door-id", id) };
      case "azure-native:cdn:AFDEndpoint":
        return { hostName: `${name}-${suffix(id, 12)}.z01.azurefd.net` };
      case "azure-native:cdn:AFDCustomDomain":
        return {
          validationProperties: { validationToken: suffix(`validation/${id}`, 32), expirationDate: "" },
        };
      default:
        return {};
    }
  }
}

/** A text input whose value is known (not the engine's unknown of a preview), else undefined. */
function known(value: unknown): string | undefined {
  const v = plain(value);
  return typeof v === "string" && v.length > 0 && v !== unknownValue ? v : undefined;
}

/** The vault name (lower case) of a Key Vault key URL (`https://<vault>.vault.azure.net/keys/...`). */
function vaultOfKeyUrl(url: unknown): string | undefined {
  const m = /^https:\/\/([^./]+)\.vault\.azure\.net\/keys\//i.exec(known(url) ?? "");
  return m?.[1].toLowerCase();
}

/**
 * Azure refuses a Front Door origin whose Private Link endpoint would live in a region Front Door
 * Private Link is not offered in (components/frontDoorSpec.ts FRONT_DOOR_PRIVATE_LINK_REGIONS):
 * the offline plan refuses it at the same step.
 */
function refuseUnsupportedPrivateLinkLocation(name: string, inputs: Outputs): void {
  const link = objectInput(inputs.sharedPrivateLinkResource);
  const location = link.privateLinkLocation;
  if (typeof location !== "string") return;
  if (frontDoorPrivateLinkOffered(location)) return;
  throw new Error(
    `offline plan: Azure refuses Front Door origin ${name}: privateLinkLocation "${location}" does not offer Front Door Private Link (offered in ${FRONT_DOOR_PRIVATE_LINK_REGIONS.join(", ")})`,
  );
}

/**
 * Azure refuses a Front Door WAF policy beyond its limits (custom rules, match conditions per
 * rule, values per condition, RegEx rules: components/frontDoorSpec.ts WAF_POLICY_LIMITS, from
 * Microsoft's "Azure Front Door limits") or with two rules of the same priority or name
 * (`wafPolicyLimitProblems`): the offline plan refuses it at the same step.
 */
function refuseWafBeyondLimits(name: string, inputs: Outputs): void {
  const rules = objectInput(inputs.customRules).rules;
  const problems = wafPolicyLimitProblems(Array.isArray(rules) ? rules.map((r) => objectInput(r)) : []);
  if (problems.length === 0) return;
  throw new Error(
    `offline plan: Azure refuses Front Door WAF policy ${name}: ${problems.join("; ")} (Azure Front Door limits)`,
  );
}

/** Days in an ISO 8601 duration of one unit (`P7D`, `P2W`, `P1M`, `P2Y`), as Key Vault counts them; else undefined. */
function durationDays(value: unknown): number | undefined {
  const m = typeof value === "string" ? /^P(\d+)([DWMY])$/i.exec(value.trim()) : null;
  if (!m) return undefined;
  const per: Record<string, number> = { D: 1, W: 7, M: 30, Y: 365 };
  return Number(m[1]) * per[m[2].toUpperCase()];
}

/**
 * Azure refuses a key whose rotation policy rotates sooner than 7 days after creation or 7 days
 * before expiry, or whose versions expire in under 28 days (controls/limits.ts, Microsoft's key
 * auto-rotation page): the offline plan refuses it at the same step.
 */
function refuseShortRotationPolicy(name: string, inputs: Outputs): void {
  const policy = objectInput(objectInput(inputs.properties).rotationPolicy);
  const refuse = (what: string) => {
    throw new Error(
      `offline plan: Azure refuses Key Vault key ${name}: ${what} (Key Vault key rotation policy limits)`,
    );
  };
  const expiry = durationDays(objectInput(policy.attributes).expiryTime);
  if (expiry !== undefined && expiry < KEY_EXPIRY_DAYS.azureMin) {
    refuse(`expiryTime is ${expiry} days; at least ${KEY_EXPIRY_DAYS.azureMin}`);
  }
  const actions = Array.isArray(policy.lifetimeActions) ? policy.lifetimeActions : [];
  for (const action of actions) {
    const a = objectInput(action);
    if (String(objectInput(a.action).type).toLowerCase() !== "rotate") continue;
    const trigger = objectInput(a.trigger);
    const afterCreate = durationDays(trigger.timeAfterCreate);
    if (afterCreate !== undefined && afterCreate < KEY_ROTATION_DAYS.azureMin) {
      refuse(`it rotates ${afterCreate} days after creation; at least ${KEY_ROTATION_DAYS.azureMin}`);
    }
    const beforeExpiry = durationDays(trigger.timeBeforeExpiry);
    if (beforeExpiry !== undefined && beforeExpiry < KEY_ROTATION_DAYS.azureMin) {
      refuse(`it rotates ${beforeExpiry} days before expiry; at least ${KEY_ROTATION_DAYS.azureMin}`);
    }
  }
}

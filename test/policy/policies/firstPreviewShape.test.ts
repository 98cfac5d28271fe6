/**
 * Stack policies on resources being created, with the props a real first preview gives them
 * (`previewResource`: azure-native's PreviewOutputs, no ARM path parameter, no ID, flattened key
 * properties unknown; non-empty propertyDependencies keyed by input). Each secure case was refused
 * before the policies linked children through their path parameters' propertyDependencies or left
 * a value only the inputs show to the resource policies that judge it at preview; each insecure
 * variant stays refused, at preview by the stack policy or by the resource policy on the inputs.
 */
import { runResourcePolicy, runStackPolicy, UNKNOWN } from "../../helpers/policyHarness";
import { forgetAnalyzedInputs } from "../../../policy/lib/define";
import { requiredTags } from "../../../policy/policies/general";
import { previewResource, randomString } from "./support";
import { statefulResourcesLocked } from "../../../policy/policies/dataStores";
import {
  postgresConfigurationConnectionLogging,
  postgresConfigurationTls,
  postgresServerParameters,
} from "../../../policy/policies/postgres";
import { defenderPlansCoverServices, defenderPlanStandard } from "../../../policy/policies/defender";
import { ownResourceGroups } from "../../../policy/policies/environment";
import {
  customerManagedKeyStrength,
  customerManagedKeysRotate,
} from "../../../policy/policies/customerManagedKeys";
import { keyVaultKeyRotation, keyVaultKeyStrength } from "../../../policy/policies/keyVault";
import { POSTGRES_SERVER_PARAMETERS } from "../../../components/postgres";

const SUB = "00000000-0000-4000-8000-000000000001";
const rg = previewResource("resources:ResourceGroup", "rg", { resourceGroupName: "rg-sap-prod" });
const inRg = { resourceGroupName: [rg.urn] };
const salt = randomString();

describe("stateful-resources-locked on a first preview", () => {
  const account = previewResource(
    "storage:StorageAccount",
    "st",
    { resourceGroupName: UNKNOWN, accountName: "stsapdata", kind: "StorageV2" },
    inRg,
  );
  const lock = (scopeFrom: string) =>
    previewResource(
      "authorization:ManagementLockByScope",
      "st-lock",
      { scope: UNKNOWN, lockName: "do-not-delete", level: "CanNotDelete" },
      { scope: [scopeFrom] },
    );
  it("a lock whose scope is computed from the account covers it (its scope is no output)", async () => {
    expect(lock(account.urn).props).not.toHaveProperty("scope");
    expect(
      await runStackPolicy(statefulResourcesLocked, [rg, account, lock(account.urn)], {
        requireProtect: false,
      }),
    ).toEqual([]);
  });
  it("a lock computed from anything else, or none, covers nothing", async () => {
    for (const resources of [
      [rg, account, salt, lock(salt.urn)],
      [rg, account],
    ])
      expect(
        String(await runStackPolicy(statefulResourcesLocked, resources, { requireProtect: false })),
      ).toMatch(/st has no CanNotDelete lock covering it/);
  });
});

describe("postgres-server-parameters on a first preview", () => {
  const server = previewResource(
    "dbforpostgresql:Server",
    "pg",
    { resourceGroupName: UNKNOWN, serverName: "psql-sap", version: "16" },
    inRg,
  );
  const configuration = (configurationName: string, value: string) => {
    const inputs = { resourceGroupName: UNKNOWN, serverName: UNKNOWN, configurationName, value };
    return {
      inputs,
      props: previewResource("dbforpostgresql:Configuration", `pg-${configurationName}`, inputs, {
        ...inRg,
        serverName: [server.urn],
      }),
    };
  };
  const secure = POSTGRES_SERVER_PARAMETERS.map((p) => configuration(p.name, p.value));
  it("the stack's parameters, names unknown, are left to up where their values are judged", async () => {
    expect(secure[0].props.props).not.toHaveProperty("configurationName");
    expect(secure[0].props.props.name).toBe(UNKNOWN);
    expect(
      await runStackPolicy(postgresServerParameters, [rg, server, ...secure.map((c) => c.props)]),
    ).toEqual([]);
  });
  it("a missing TLS floor is refused at preview, even beside other nameless configurations", async () => {
    const rest = secure.filter((c) => c.inputs.configurationName !== "ssl_min_protocol_version");
    const decoy = configuration("log_min_duration_statement", "-1");
    expect(
      String(
        await runStackPolicy(postgresServerParameters, [rg, server, ...[...rest, decoy].map((c) => c.props)]),
      ),
    ).toMatch(/ssl_min_protocol_version is not set/);
  });
  it("a missing connection log is refused at preview when no nameless configuration could be it", async () => {
    const rest = secure.filter(
      (c) =>
        !["log_connections", "connection_throttle.enable", "require_secure_transport"].includes(
          c.inputs.configurationName,
        ),
    );
    expect(
      String(await runStackPolicy(postgresServerParameters, [rg, server, ...rest.map((c) => c.props)])),
    ).toMatch(/log_(dis)?connections is not set/);
  });
  it("a nameless configuration's weak value is refused on its inputs at preview", async () => {
    const weak = configuration("ssl_min_protocol_version", "TLSv1.2");
    const off = configuration("log_connections", "off");
    expect(
      String(
        await runResourcePolicy(postgresConfigurationTls, { type: weak.props.type, props: weak.inputs }),
      ),
    ).toMatch(/TLSv1.2/);
    expect(
      String(
        await runResourcePolicy(postgresConfigurationConnectionLogging, {
          type: off.props.type,
          props: off.inputs,
        }),
      ),
    ).toMatch(/log_connections is "off"/);
    // And the stack policy does not count a TLSv1.2 value as the floor.
    const rest = secure.filter((c) => c.inputs.configurationName !== "ssl_min_protocol_version");
    expect(
      String(
        await runStackPolicy(postgresServerParameters, [rg, server, ...[...rest, weak].map((c) => c.props)]),
      ),
    ).toMatch(/ssl_min_protocol_version/);
  });
});

describe("defender-plans-cover-services on a first preview", () => {
  const account = previewResource("storage:StorageAccount", "st", { resourceGroupName: UNKNOWN }, inRg);
  const vault = previewResource("keyvault:Vault", "kv", { resourceGroupName: UNKNOWN, properties: {} }, inRg);
  const plan = (pricingName: string, pricingTier = "Standard") => {
    const inputs = { scopeId: `/subscriptions/${SUB}`, pricingName, pricingTier };
    const id = `/subscriptions/${SUB}/providers/Microsoft.Security/pricings/${pricingName}`;
    return { inputs, props: previewResource("security:Pricing", `plan-${pricingName}`, inputs, {}, id) };
  };
  it("literal plans, names unknown, are left to up where defender-plan-standard judged them", async () => {
    const plans = [plan("StorageAccounts"), plan("KeyVaults")];
    expect(plans[0].props.props).not.toHaveProperty("pricingName");
    expect(
      await runStackPolicy(defenderPlansCoverServices, [rg, account, vault, ...plans.map((p) => p.props)]),
    ).toEqual([]);
  });
  it("fewer Standard plans than the services need are refused at preview", async () => {
    for (const plans of [[plan("StorageAccounts")], [plan("StorageAccounts"), plan("KeyVaults", "Free")], []])
      expect(
        String(
          await runStackPolicy(defenderPlansCoverServices, [
            rg,
            account,
            vault,
            ...plans.map((p) => p.props),
          ]),
        ),
      ).toMatch(/without the Defender plan/);
  });
  it("a plan whose scope is computed from a resource is not left to up", async () => {
    const computed = {
      ...plan("StorageAccounts").props,
      propertyDependencies: { scopeId: [salt.urn] },
    };
    expect(String(await runStackPolicy(defenderPlansCoverServices, [rg, account, salt, computed]))).toMatch(
      /st runs without the Defender plan StorageAccounts/,
    );
  });
  it("a Free plan is refused on its inputs at preview", async () => {
    const free = plan("StorageAccounts", "Free");
    expect(
      String(await runResourcePolicy(defenderPlanStandard, { type: free.props.type, props: free.inputs })),
    ).toMatch(/pricingTier of plan "StorageAccounts" is "Free"/);
  });
});

describe("customer-managed keys on a first preview", () => {
  const properties = {
    kty: "RSA-HSM",
    keySize: 3072,
    keyOps: ["wrapKey", "unwrapKey"],
    rotationPolicy: {
      attributes: { expiryTime: "P730D" },
      lifetimeActions: [{ action: { type: "rotate" }, trigger: { timeAfterCreate: "P180D" } }],
    },
  };
  const vault = previewResource("keyvault:Vault", "kv", { resourceGroupName: UNKNOWN, properties: {} }, inRg);
  const keyInputs = (props: Record<string, unknown>) => ({
    resourceGroupName: UNKNOWN,
    vaultName: UNKNOWN,
    keyName: "cmk",
    properties: props,
  });
  const key = (props: Record<string, unknown>, deps: Record<string, string[]> = {}) =>
    previewResource("keyvault:Key", "cmk", keyInputs(props), {
      resourceGroupName: [vault.urn],
      vaultName: [vault.urn],
      ...deps,
    });
  const account = (k: { urn: string }) =>
    previewResource(
      "storage:StorageAccount",
      "st",
      {
        resourceGroupName: UNKNOWN,
        encryption: {
          keySource: "Microsoft.Keyvault",
          keyVaultProperties: { keyVaultUri: UNKNOWN, keyName: UNKNOWN },
        },
      },
      { ...inRg, encryption: [vault.urn, k.urn] },
    );
  it("a literal key's type, size and rotation (unknown outputs) are left to up", async () => {
    const k = key(properties);
    expect(k.props.kty).toBe(UNKNOWN);
    expect(k.props.rotationPolicy).toBe(UNKNOWN);
    expect(k.props).not.toHaveProperty("properties");
    for (const policy of [customerManagedKeyStrength, customerManagedKeysRotate])
      expect(await runStackPolicy(policy, [rg, vault, k, account(k)])).toEqual([]);
  });
  it("a key whose properties are computed from a resource stays unverifiable", async () => {
    const k = key({ ...properties, keySize: UNKNOWN }, { properties: [salt.urn] });
    expect(
      String(await runStackPolicy(customerManagedKeyStrength, [rg, vault, salt, k, account(k)])),
    ).toMatch(/properties are not known yet/);
    expect(String(await runStackPolicy(customerManagedKeysRotate, [rg, vault, salt, k, account(k)]))).toMatch(
      /rotation policy that is not known yet/,
    );
  });
  it("a weak or non-rotating literal key is refused on its inputs at preview", async () => {
    const type = "azure-native:keyvault:Key";
    const { rotationPolicy: _r, ...noRotation } = properties;
    expect(
      String(
        await runResourcePolicy(keyVaultKeyStrength, {
          type,
          props: keyInputs({ ...properties, keySize: 2048 }),
        }),
      ),
    ).toMatch(/keySize is 2048/);
    expect(
      String(await runResourcePolicy(keyVaultKeyRotation, { type, props: keyInputs(noRotation) })),
    ).toMatch(/rotationPolicy is not set/);
  });
});

describe("own-resource-groups on a first preview", () => {
  const vault = previewResource("keyvault:Vault", "kv", { resourceGroupName: UNKNOWN, properties: {} }, inRg);
  const key = (from: string) =>
    previewResource(
      "keyvault:Key",
      "cmk",
      { resourceGroupName: UNKNOWN, vaultName: UNKNOWN, keyName: "cmk", properties: {} },
      { resourceGroupName: [from] },
    );
  const stack = {
    type: "pulumi:pulumi:Stack",
    name: "secure-azure-platform-prod",
    urn: "urn:pulumi:prod::secure-azure-platform::pulumi:pulumi:Stack::secure-azure-platform-prod",
    props: { resourceGroupName: UNKNOWN },
  };
  it("groups computed from the stack's group (or a resource in it) pass; the stack's exports are no placement", async () => {
    expect(vault.props).not.toHaveProperty("resourceGroupName");
    expect(await runStackPolicy(ownResourceGroups, [stack, rg, vault, key(vault.urn)])).toEqual([]);
  });
  it("a group computed from anything else is refused at preview", async () => {
    expect(String(await runStackPolicy(ownResourceGroups, [rg, vault, salt, key(salt.urn)]))).toMatch(
      /cmk: resourceGroupName is not known yet and does not come from a resource group of this stack/,
    );
  });

  // preview15: a literal group of a new resource is a path parameter its outputs do not show, so
  // it was judged only at `up`, once the resource existed in another environment's group. The
  // resource policies see the input first in the same pack process (define.ts
  // `resourceGroupWhenAnalyzed`), the group's own name too (its `name` output is not known yet).
  describe("a literal group, judged on the input the resource policies saw", () => {
    afterEach(forgetAnalyzedInputs);
    const placed = (name: string, resourceGroupName: string) => {
      const inputs = { resourceGroupName, accountName: name, kind: "StorageV2" };
      return { inputs, props: previewResource("storage:StorageAccount", name, inputs) };
    };
    const analyze = async (
      ...resources: { inputs: Record<string, unknown>; props: { type: string; urn: string } }[]
    ) => {
      for (const r of resources)
        await runResourcePolicy(requiredTags, { type: r.props.type, urn: r.props.urn, props: r.inputs });
    };
    const group = { inputs: { resourceGroupName: "rg-sap-prod", location: "westeurope" }, props: rg };
    it("another environment's group is refused at preview; the stack's own passes", async () => {
      const foreign = placed("stsapx", "rg-sap-dev");
      const own = placed("stsapy", "RG-SAP-PROD");
      expect(foreign.props.props).not.toHaveProperty("resourceGroupName");
      await analyze(group, foreign, own);
      expect(await runStackPolicy(ownResourceGroups, [rg, foreign.props, own.props])).toEqual([
        expect.stringMatching(
          /StorageAccount stsapx is deployed into resource group "rg-sap-dev", which this stack does not own/,
        ),
      ]);
    });
    it("a group not known yet and computed from no resource (an invoke whose arguments are not known yet) is refused", async () => {
      const invoked = placed("stsapz", UNKNOWN);
      await analyze(group, invoked);
      expect(String(await runStackPolicy(ownResourceGroups, [rg, invoked.props]))).toMatch(
        /stsapz: resourceGroupName is not known yet and does not come from a resource group of this stack/,
      );
    });
  });
});

/**
 * Naming: Azure's rules per resource kind, checked at plan time (NamingError names the kind,
 * the value and the rule), and globally unique names with a `@pulumi/random` suffix.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  NAMING_RULES,
  NamingError,
  globalNameStem,
  globalResourceName,
  resourceName,
  type AzureResourceKind,
} from "../../../components/common/naming";
import { byType, only, runExpectingError, runProgram } from "../../helpers/pulumi";

const dev = { namePrefix: "sap", environment: "dev" as const };
const prod = { namePrefix: "sap", environment: "prod" as const };
const longest = { namePrefix: "abcdefgh", environment: "prod" as const };

class Holder extends pulumi.ComponentResource {
  readonly name: pulumi.Output<string>;
  constructor(kind: AzureResourceKind, purpose: string, suffixName?: string) {
    super("test:naming:Holder", `holder-${kind}-${purpose}`, {});
    this.name = globalResourceName(prod, kind, purpose, this, suffixName);
    this.registerOutputs({ name: this.name });
  }
}

describe("resourceName", () => {
  it("joins abbreviation, prefix, purpose and environment", () => {
    expect(resourceName(dev, "virtualNetwork", "platform")).toBe("vnet-sap-platform-dev");
    expect(resourceName(prod, "networkSecurityGroup", "apps")).toBe("nsg-sap-apps-prod");
    expect(resourceName(prod, "logAnalyticsWorkspace", "platform")).toBe("log-sap-platform-prod");
    expect(resourceName(prod, "userAssignedIdentity", "cmk-storage")).toBe("id-sap-cmk-storage-prod");
  });

  it("is deterministic", () => {
    expect(resourceName(dev, "subnet", "pe")).toBe(resourceName(dev, "subnet", "pe"));
  });

  it("refuses a name that is too long, naming kind, value and rule", () => {
    const purpose = "a-very-long-purpose-name";
    expect(() => resourceName(prod, "containerApp", purpose)).toThrow(NamingError);
    expect(() => resourceName(prod, "containerApp", purpose)).toThrow(
      /invalid containerApp name "ca-sap-a-very-long-purpose-name-prod": Azure requires 2-32 lowercase/,
    );
  });

  it("refuses characters Azure does not allow instead of silently rewriting them", () => {
    expect(() => resourceName({ ...dev, namePrefix: "Sap" }, "containerApp", "api")).toThrow(
      /invalid containerApp name "ca-Sap-api-dev"/,
    );
    expect(() => resourceName(dev, "logAnalyticsWorkspace", "plat_form")).toThrow(NamingError);
    expect(() => resourceName(dev, "actionGroup", "ops/alerts")).toThrow(NamingError);
  });

  it("refuses consecutive dashes where Azure does", () => {
    expect(() => resourceName(dev, "containerApp", "api-")).toThrow(
      /invalid containerApp name "ca-sap-api--dev"/,
    );
  });
});

describe("globalNameStem (storage, Key Vault, PostgreSQL, Managed Redis)", () => {
  it("leaves room for the unique suffix", () => {
    expect(globalNameStem(prod, "storageAccount", "data")).toBe("stsapdataprod");
    expect(globalNameStem(prod, "keyVault", "main")).toBe("kvsapmainprod");
    expect(globalNameStem(prod, "postgresServer", "data")).toBe("psql-sap-data-prod");
    expect(globalNameStem(prod, "redisEnterprise", "cache")).toBe("amr-sap-cache-prod");
  });

  it("fits every valid prefix (2-8 characters) with the purposes the platform uses", () => {
    expect(globalNameStem(longest, "keyVault", "main").length + 5).toBeLessThanOrEqual(24);
    expect(globalNameStem(longest, "keyVault", "geo").length + 5).toBeLessThanOrEqual(24);
    expect(globalNameStem(longest, "storageAccount", "data").length + 6).toBeLessThanOrEqual(24);
  });

  it("drops dashes from a storage purpose (storage names are alphanumeric)", () => {
    expect(globalNameStem(dev, "storageAccount", "kb-docs")).toBe("stsapkbdocsdev");
  });

  it("refuses a storage stem that leaves no room for the suffix (3-24 lowercase alnum)", () => {
    expect(() => globalNameStem(longest, "storageAccount", "customerdocs")).toThrow(
      /invalid storageAccount name "stabcdefghcustomerdocsprod": Azure requires 3-24 lowercase letters or digits \(globally unique\) including a 6-character unique suffix/,
    );
  });

  it("refuses upper case in a storage or Key Vault name", () => {
    expect(() => globalNameStem({ ...dev, namePrefix: "SAP" }, "storageAccount", "data")).toThrow(
      NamingError,
    );
    expect(() => globalNameStem({ ...dev, namePrefix: "SAP" }, "keyVault", "main")).toThrow(NamingError);
  });

  it("applies Key Vault's rule: starts with a letter, no double dash, 24 characters with the suffix", () => {
    const rule = NAMING_RULES.keyVault;
    expect(rule.pattern.test("1kvsap")).toBe(false);
    expect(rule.pattern.test("kv--sap")).toBe(false);
    expect(() => globalNameStem(longest, "keyVault", "purpose")).toThrow(
      /invalid keyVault name "kvabcdefghpurposeprod": Azure requires 3-24 .* including a 5-character unique suffix/,
    );
  });

  it("refuses PostgreSQL names over 63 characters", () => {
    expect(() => globalNameStem(prod, "postgresServer", "x".repeat(60))).toThrow(
      /invalid postgresServer name .*3-63 lowercase/,
    );
  });

  it("refuses Managed Redis names over 60 characters", () => {
    expect(() => globalNameStem(prod, "redisEnterprise", "x".repeat(50))).toThrow(
      /invalid redisEnterprise name .*1-60/,
    );
  });

  it("every error is a NamingError carrying kind and value", () => {
    try {
      globalNameStem(longest, "storageAccount", "customerdocs");
      throw new Error("expected a NamingError");
    } catch (err) {
      expect(err).toBeInstanceOf(NamingError);
      expect((err as NamingError).kind).toBe("storageAccount");
      expect((err as NamingError).value).toBe("stabcdefghcustomerdocsprod");
    }
  });
});

describe("globalResourceName", () => {
  it.each([
    ["storageAccount", "data", /^stsapdataprod[a-z0-9]{6}$/, 24],
    ["keyVault", "main", /^kvsapmainprod[a-z0-9]{5}$/, 24],
    ["postgresServer", "data", /^psql-sap-data-prod-[a-z0-9]{6}$/, 63],
    ["redisEnterprise", "cache", /^amr-sap-cache-prod-[a-z0-9]{6}$/, 60],
  ] as const)(
    "%s: stem plus a lowercase random suffix within Azure's limit",
    async (kind, purpose, shape, max) => {
      let name: pulumi.Output<string> | undefined;
      const { resources } = await runProgram(() => {
        name = new Holder(kind, purpose).name;
      });
      const value = await new Promise<string>((resolve) => name!.apply(resolve));
      expect(value).toMatch(shape);
      expect(value.length).toBeLessThanOrEqual(max);
      const suffix = only(resources, "random:index/randomString:RandomString");
      expect(suffix.inputs).toMatchObject({
        length: NAMING_RULES[kind].uniqueSuffix,
        special: false,
        upper: false,
        numeric: true,
      });
      // A child of the owning component, so it lives and dies with it.
      expect(suffix.parent).toBe(only(resources, "test:naming:Holder").urn);
    },
  );

  it("throws at call time for an invalid stem (before any suffix registers)", async () => {
    const { resources } = await runProgram(() => {
      expect(() => new Holder("storageAccount", "customer-documents-archive")).toThrow(NamingError);
    });
    expect(byType(resources, "random:index/randomString:RandomString")).toEqual([]);
  });

  it("takes an explicit logical name for the suffix", async () => {
    const { resources } = await runProgram(() => new Holder("keyVault", "geo", "geo-vault-suffix"));
    expect(only(resources, "random:index/randomString:RandomString").name).toBe("geo-vault-suffix");
  });

  it("refuses kinds whose names are not global", async () => {
    const { error } = await runExpectingError(() => new Holder("virtualNetwork", "platform"));
    expect(error.message).toMatch(/virtualNetwork names are not global; use resourceName/);
  });
});

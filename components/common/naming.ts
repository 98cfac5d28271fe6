/**
 * Azure naming rules per resource kind, checked when the program runs so that a prefix that
 * would produce an invalid name fails the plan instead of the deployment. Names that must be
 * globally unique (storage, Key Vault, PostgreSQL, Managed Redis) get a `@pulumi/random`
 * suffix: Key Vault names stay reserved for 90 days after deletion with purge protection.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { RunError } from "@pulumi/pulumi/errors";
import type { PlatformContext } from "./interfaces";

export type AzureResourceKind =
  | "resourceGroup"
  | "virtualNetwork"
  | "subnet"
  | "networkSecurityGroup"
  | "privateEndpoint"
  | "privateDnsZoneLink"
  | "logAnalyticsWorkspace"
  | "actionGroup"
  | "metricAlert"
  | "userAssignedIdentity"
  | "keyVault"
  | "keyVaultKey"
  | "storageAccount"
  | "postgresServer"
  | "redisEnterprise"
  | "containerAppsEnvironment"
  | "containerApp"
  | "managementLock"
  | "diagnosticSetting";

interface NamingRule {
  /** Resource-type abbreviation (Cloud Adoption Framework). */
  abbreviation: string;
  min: number;
  max: number;
  pattern: RegExp;
  /** Human-readable rule for error messages. */
  rule: string;
  separator: "-" | "";
  /** Globally unique names get a random suffix of this length. */
  uniqueSuffix?: number;
}

const DASHED = /^[a-zA-Z0-9][a-zA-Z0-9-_.]*[a-zA-Z0-9_]$/;

export const NAMING_RULES: Readonly<Record<AzureResourceKind, NamingRule>> = {
  resourceGroup: {
    abbreviation: "rg",
    min: 1,
    max: 90,
    pattern: /^[a-zA-Z0-9-_.()]*[a-zA-Z0-9-_()]$/,
    rule: "1-90 letters, digits, '-', '_', '.', '(' or ')', not ending with '.'",
    separator: "-",
  },
  virtualNetwork: {
    abbreviation: "vnet",
    min: 2,
    max: 64,
    pattern: DASHED,
    rule: "2-64 letters, digits, '-', '_', '.'",
    separator: "-",
  },
  subnet: {
    abbreviation: "snet",
    min: 1,
    max: 80,
    pattern: DASHED,
    rule: "1-80 letters, digits, '-', '_', '.'",
    separator: "-",
  },
  networkSecurityGroup: {
    abbreviation: "nsg",
    min: 1,
    max: 80,
    pattern: DASHED,
    rule: "1-80 letters, digits, '-', '_', '.'",
    separator: "-",
  },
  privateEndpoint: {
    abbreviation: "pep",
    min: 2,
    max: 64,
    pattern: DASHED,
    rule: "2-64 letters, digits, '-', '_', '.'",
    separator: "-",
  },
  privateDnsZoneLink: {
    abbreviation: "pdnslink",
    min: 1,
    max: 80,
    pattern: DASHED,
    rule: "1-80 letters, digits, '-', '_', '.'",
    separator: "-",
  },
  logAnalyticsWorkspace: {
    abbreviation: "log",
    min: 4,
    max: 63,
    pattern: /^[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]$/,
    rule: "4-63 letters, digits or '-', starting and ending alphanumeric",
    separator: "-",
  },
  actionGroup: {
    abbreviation: "ag",
    min: 1,
    max: 260,
    pattern: /^[^%&\\?/]+$/,
    rule: "1-260 characters without % & \\ ? /",
    separator: "-",
  },
  metricAlert: {
    abbreviation: "alert",
    min: 1,
    max: 260,
    pattern: /^[^*#&+:<>?@%{}\\/]+$/,
    rule: "1-260 characters without * # & + : < > ? @ % { } \\ /",
    separator: "-",
  },
  userAssignedIdentity: {
    abbreviation: "id",
    min: 3,
    max: 128,
    pattern: /^[a-zA-Z0-9][a-zA-Z0-9-_]*$/,
    rule: "3-128 letters, digits, '-' or '_', starting alphanumeric",
    separator: "-",
  },
  keyVault: {
    abbreviation: "kv",
    min: 3,
    max: 24,
    pattern: /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/,
    rule: "3-24 lowercase letters, digits or single '-', starting with a letter (globally unique)",
    // No separators: with dashes a 2-8 character prefix, a purpose such as `geo`, the
    // environment and the suffix do not fit in 24 characters.
    separator: "",
    uniqueSuffix: 5,
  },
  keyVaultKey: {
    abbreviation: "key",
    min: 1,
    max: 127,
    pattern: /^[a-zA-Z0-9-]+$/,
    rule: "1-127 letters, digits or '-'",
    separator: "-",
  },
  storageAccount: {
    abbreviation: "st",
    min: 3,
    max: 24,
    pattern: /^[a-z0-9]+$/,
    rule: "3-24 lowercase letters or digits (globally unique)",
    separator: "",
    uniqueSuffix: 6,
  },
  postgresServer: {
    abbreviation: "psql",
    min: 3,
    max: 63,
    pattern: /^[a-z0-9](?!.*--)[a-z0-9-]*[a-z0-9]$/,
    rule: "3-63 lowercase letters, digits or '-', not starting or ending with '-' (globally unique)",
    separator: "-",
    uniqueSuffix: 6,
  },
  redisEnterprise: {
    abbreviation: "amr",
    min: 1,
    max: 60,
    pattern: /^[a-zA-Z0-9](?!.*--)[a-zA-Z0-9-]*[a-zA-Z0-9]$/,
    rule: "1-60 letters, digits or single '-', starting and ending alphanumeric (globally unique)",
    separator: "-",
    uniqueSuffix: 6,
  },
  containerAppsEnvironment: {
    abbreviation: "cae",
    min: 2,
    max: 60,
    pattern: /^[a-z][a-z0-9-]*[a-z0-9]$/,
    rule: "2-60 lowercase letters, digits or '-', starting with a letter",
    separator: "-",
  },
  containerApp: {
    abbreviation: "ca",
    min: 2,
    max: 32,
    pattern: /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/,
    rule: "2-32 lowercase letters, digits or single '-', starting with a letter",
    separator: "-",
  },
  managementLock: {
    abbreviation: "lock",
    min: 1,
    max: 90,
    pattern: /^[^<>%&:\\?/]+$/,
    rule: "1-90 characters without < > % & : \\ ? /",
    separator: "-",
  },
  diagnosticSetting: {
    abbreviation: "diag",
    min: 1,
    max: 260,
    pattern: /^[^*#&+:<>?@%{}\\/]+$/,
    rule: "1-260 characters without * # & + : < > ? @ % { } \\ /",
    separator: "-",
  },
};

/**
 * A name Azure would refuse, from the caller's namePrefix or purpose. A RunError, so
 * `pulumi up` prints the message without a stack trace; components report it as a problem of
 * their arguments (see `namingProblem`).
 */
export class NamingError extends RunError {
  constructor(
    readonly kind: AzureResourceKind,
    readonly value: string,
    rule: string,
  ) {
    super(
      `invalid ${kind} name "${value}": Azure requires ${rule}; change namePrefix or the purpose so the name fits`,
    );
    this.name = "NamingError";
  }
}

type NamingInput = Pick<PlatformContext, "namePrefix" | "environment">;

function stem(platform: NamingInput, kind: AzureResourceKind, purpose: string, reserve: number): string {
  const rule = NAMING_RULES[kind];
  // From other languages or JavaScript a purpose may be anything: say so (components report it
  // as a problem of `purpose`) rather than fail with a TypeError below.
  if (typeof purpose !== "string") {
    throw new RunError("must be text: letters, digits and '-', part of every resource name");
  }
  // Separator-less kinds (storage) drop the purpose's dashes ("knowledge-bases" -> "knowledgebases");
  // anything else that is not allowed is reported, never silently removed.
  const cleanPurpose = rule.separator === "" ? purpose.replace(/-/g, "") : purpose;
  const parts = [rule.abbreviation, platform.namePrefix, cleanPurpose, platform.environment].filter(
    (p) => p.length > 0,
  );
  // No case folding: an upper-case prefix where Azure wants lower case is an error, not a rename.
  const name = parts.join(rule.separator);
  const limit = rule.max - reserve;
  if (
    name.length > limit ||
    name.length < rule.min - reserve ||
    !rule.pattern.test(name + "a".repeat(reserve))
  ) {
    throw new NamingError(
      kind,
      name,
      rule.rule + (reserve ? ` including a ${reserve}-character unique suffix` : ""),
    );
  }
  return name;
}

/** Deterministic name following Azure's rules for the kind (`<abbr>-<prefix>-<purpose>-<env>`). */
export function resourceName(platform: NamingInput, kind: AzureResourceKind, purpose: string): string {
  return stem(platform, kind, purpose, 0);
}

/** The deterministic part of a globally unique name; validated with room for the suffix. */
export function globalNameStem(platform: NamingInput, kind: AzureResourceKind, purpose: string): string {
  const rule = NAMING_RULES[kind];
  const reserve = (rule.uniqueSuffix ?? 0) + (rule.separator === "-" ? 1 : 0);
  return stem(platform, kind, purpose, reserve);
}

/**
 * Globally unique name: the validated stem plus a random lowercase suffix created as a child of
 * `parent` (stable across updates: the random result lives in state). `suffixName` is the
 * RandomString's logical name; pass one when a stack has two resources of the same kind and
 * purpose (default `<purpose>-<kind>-suffix`).
 */
export function globalResourceName(
  platform: NamingInput,
  kind: AzureResourceKind,
  purpose: string,
  parent: pulumi.Resource,
  suffixName?: string,
): pulumi.Output<string> {
  const rule = NAMING_RULES[kind];
  if (rule.uniqueSuffix === undefined) {
    // The kind is chosen by component code, never by its caller: a bug here.
    throw new Error(`globalResourceName: ${kind} names are not global; use resourceName`);
  }
  const base = globalNameStem(platform, kind, purpose);
  const suffix = new random.RandomString(
    suffixName ?? `${purpose}-${kind}-suffix`,
    { length: rule.uniqueSuffix, special: false, upper: false, numeric: true },
    { parent },
  );
  return pulumi.concat(base, rule.separator, suffix.result);
}

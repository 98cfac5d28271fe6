/**
 * Synthetic `pulumi stack export` documents of any size, for engine tests and benchmarks.
 *
 * A big estate is many copies of a real one: the template (normally the offline plan's export
 * of a stack, e.g. `(await planStack("prod")).toStackExport()`) is replicated until the
 * document holds `resources` resources. Each copy gets its own URNs (name suffix `-c<k>`) and
 * its own subscription ID inside every ARM ID, so links between resources (parent,
 * dependencies, diagnostic settings to their resource, private endpoints to their service,
 * locks to their scope) stay inside the copy, as in separate estates. The root stack and the
 * provider resources are shared, as in one real stack.
 *
 * A fraction of the copies is made noncompliant with one of `SYNTHETIC_DEFECTS` (chosen by a
 * deterministic sequence), so a run exercises violation reporting too; `defects` lists which
 * resource got which defect.
 */
import { jsonClone, setPath } from "./paths";
import { STACK_TYPE, type StackExport, type StackExportResource } from "../../policy/common/pulumiFormat";

/** One insecure change applied to the first resource of a type in a copy. */
export interface SyntheticDefect {
  id: string;
  type: string;
  /** Input property path (dot-separated). */
  path: string;
  /** The insecure value; `undefined` removes the property. */
  value: unknown;
}

/** Defects the pack must block whatever the preset (each breaks a control in dev and prod). */
export const SYNTHETIC_DEFECTS: readonly SyntheticDefect[] = [
  {
    id: "storage-tls-1.0",
    type: "azure-native:storage:StorageAccount",
    path: "minimumTlsVersion",
    value: "TLS1_0",
  },
  {
    id: "storage-shared-keys",
    type: "azure-native:storage:StorageAccount",
    path: "allowSharedKeyAccess",
    value: true,
  },
  {
    id: "storage-public",
    type: "azure-native:storage:StorageAccount",
    path: "publicNetworkAccess",
    value: "Enabled",
  },
  {
    id: "vault-no-purge-protection",
    type: "azure-native:keyvault:Vault",
    path: "properties.enablePurgeProtection",
    value: false,
  },
  {
    id: "postgres-password-auth",
    type: "azure-native:dbforpostgresql:Server",
    path: "authConfig.passwordAuth",
    value: "Enabled",
  },
  {
    id: "redis-access-keys",
    type: "azure-native:redisenterprise:Database",
    path: "accessKeysAuthentication",
    value: "Enabled",
  },
  {
    id: "app-insecure-ingress",
    type: "azure-native:app:ContainerApp",
    path: "configuration.ingress.allowInsecure",
    value: true,
  },
  {
    id: "workspace-short-retention",
    type: "azure-native:operationalinsights:Workspace",
    path: "retentionInDays",
    value: 30,
  },
  {
    id: "location-outside-eu",
    type: "azure-native:storage:StorageAccount",
    path: "location",
    value: "eastus",
  },
];

export interface SyntheticOptions {
  /** The estate to replicate (a `pulumi stack export` document). */
  template: StackExport;
  /** Resources in the result, providers and the root stack included. */
  resources: number;
  /** Share of copies (0..1) that get one defect; default 0.1. */
  noncompliantRatio?: number;
}

export interface SyntheticExport {
  doc: StackExport;
  /** Which resource got which defect. */
  defects: { urn: string; defect: string }[];
}

const SUBSCRIPTION_RE = /\/subscriptions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/gi;

function subscriptionFor(copy: number): string {
  const hex = copy.toString(16).padStart(12, "0");
  return `5e000000-0000-4000-8000-${hex}`;
}

/** Build a synthetic export of `options.resources` resources from the template. */
export function syntheticExport(options: SyntheticOptions): SyntheticExport {
  const template = options.template.deployment.resources ?? [];
  const ratio = options.noncompliantRatio ?? 0.1;
  const shared = template.filter((r) => r.type.startsWith("pulumi:providers:") || r.type === STACK_TYPE);
  const replicated = template.filter((r) => !shared.includes(r));
  if (!replicated.length) throw new Error("the template export has no resources to replicate");
  const templateUrns = new Set(replicated.map((r) => r.urn));
  const subscriptions = new Set<string>();
  for (const m of JSON.stringify(replicated).matchAll(SUBSCRIPTION_RE)) subscriptions.add(m[1]);

  const out: StackExportResource[] = jsonClone(shared);
  const defects: SyntheticExport["defects"] = [];
  const text = JSON.stringify(replicated);
  let defectIndex = 0;
  let noncompliantDue = 0;
  for (let copy = 0; out.length < options.resources; copy++) {
    const suffix = `-c${copy}`;
    const sub = subscriptionFor(copy);
    let copyText = text.replace(SUBSCRIPTION_RE, (match, id: string) =>
      subscriptions.has(id) ? `/subscriptions/${sub}` : match,
    );
    // URNs end with the resource name: suffix every URN of the template wherever it appears.
    copyText = copyText.replace(/"(urn:pulumi:[^"]+)"/g, (match, urn: string) =>
      templateUrns.has(urn) ? `"${urn}${suffix}"` : match,
    );
    // Provider references and the root stack parent are not template URNs: they stay shared.
    const resources = (JSON.parse(copyText) as StackExportResource[]).slice(
      0,
      options.resources - out.length,
    );
    noncompliantDue += ratio;
    if (noncompliantDue >= 1) {
      noncompliantDue -= 1;
      for (let tries = 0; tries < SYNTHETIC_DEFECTS.length; tries++) {
        const defect = SYNTHETIC_DEFECTS[defectIndex++ % SYNTHETIC_DEFECTS.length];
        const target = resources.find((r) => r.type === defect.type && r.inputs);
        if (!target?.inputs) continue;
        setPath(target.inputs, defect.path, defect.value);
        if (target.outputs) setPath(target.outputs, defect.path, defect.value);
        defects.push({ urn: target.urn, defect: defect.id });
        break;
      }
    }
    out.push(...resources);
  }
  return {
    doc: { ...options.template, deployment: { ...options.template.deployment, resources: out } },
    defects,
  };
}

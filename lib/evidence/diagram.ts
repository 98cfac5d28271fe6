/**
 * The architecture diagram (`npm run plan -- --stack <s> --diagram FILE`): a Mermaid flowchart
 * drawn from the plan itself, so it shows what would be deployed rather than what was meant:
 * the VNet and its subnets (with their NSGs), the Container Apps environment and apps, private
 * endpoints, the data stores and Key Vaults behind them, the identities and their data-plane
 * access, and how the Internet reaches the apps: through Front Door and its WAF over Private
 * Link (EDGE-1), or directly where an environment is still public (NET-1, NET-2, IAM-2), and
 * whether Sentinel watches the workspace (SIEM-1).
 *
 * Output is deterministic (plan order, sanitized IDs): the README's prod diagram is compared
 * with a fresh rendering by test/evidence/diagram.test.ts.
 */
import * as fs from "fs";
import { roleNameOf } from "../../controls/roles";
import type { PlannedResource } from "../offline/run";
import type { EvidenceInput } from "./report";
import { arr, get, isRecord, normalizeId } from "../../policy/lib/props";

const TYPES = {
  vnet: "azure-native:network:VirtualNetwork",
  subnet: "azure-native:network:Subnet",
  env: "azure-native:app:ManagedEnvironment",
  app: "azure-native:app:ContainerApp",
  pe: "azure-native:network:PrivateEndpoint",
  identity: "azure-native:managedidentity:UserAssignedIdentity",
  role: "azure-native:authorization:RoleAssignment",
  redisAccess: "azure-native:redisenterprise:AccessPolicyAssignment",
  diag: "azure-native:monitor:DiagnosticSetting",
  workspace: "azure-native:operationalinsights:Workspace",
  frontDoor: "azure-native:cdn:Profile",
  waf: "azure-native:frontdoor:Policy",
  origin: "azure-native:cdn:AFDOrigin",
  sentinel: "azure-native:securityinsights:SentinelOnboardingState",
  analyticsRule: "azure-native:securityinsights:ScheduledAlertRule",
} as const;

/** Data stores and vaults, with the label and the service name the stack config uses. */
const STORES: Record<string, { label: string; service?: string }> = {
  "azure-native:dbforpostgresql:Server": { label: "PostgreSQL flexible server", service: "postgres" },
  "azure-native:storage:StorageAccount": { label: "Storage account (Blob)", service: "storage" },
  "azure-native:redisenterprise:RedisEnterprise": { label: "Azure Managed Redis", service: "redis" },
  "azure-native:keyvault:Vault": { label: "Key Vault", service: "keyvault" },
};

const text = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** A Mermaid label in quotes (quotes and angle brackets escaped, `<br/>` kept). */
function label(...lines: string[]): string {
  const esc = (s: string) => s.replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;");
  return `"${lines.map(esc).join("<br/>")}"`;
}

/** Edge text, quoted like a label so role names and URLs cannot break the syntax. */
function edgeText(text: string): string {
  return `|${label(text)}|`;
}

/** Plain code-unit order (not locale order), so every machine sorts alike. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Resources in a stable order: by logical name, then URN. */
function sorted(resources: readonly PlannedResource[]): PlannedResource[] {
  return [...resources].sort((a, b) => compare(a.name, b.name) || compare(a.urn, b.urn));
}

/** The Azure name of a resource: the last segment of its ARM ID, else its logical name. */
function azureName(r: PlannedResource): string {
  const id = text(r.id) ?? text(r.outputs.id);
  return id ? id.slice(id.lastIndexOf("/") + 1) : r.name;
}

function idOf(r: PlannedResource): string | undefined {
  return normalizeId(r.id ?? r.outputs.id);
}

export function renderMermaid(input: Pick<EvidenceInput, "plan">): string {
  const { plan } = input;
  const resources = plan.resources.filter((r) => r.custom);
  const ofType = (t: string) => sorted(resources.filter((r) => r.type === t));
  const byId = new Map<string, PlannedResource>();
  for (const r of resources) {
    const id = idOf(r);
    if (id) byId.set(id, r);
  }

  // Node IDs: kind + sanitized logical name, made unique (two names may sanitize alike, and
  // logical names are unique per type only). The fixed nodes are reserved first.
  const used = new Set(["internet", "paas", "identities", "humans", "edge"]);
  const ids = new Map<PlannedResource, string>();
  const idFor = (kind: string, r: PlannedResource): string => {
    const known = ids.get(r);
    if (known) return known;
    const base = `${kind}_${r.name.replace(/[^A-Za-z0-9]/g, "_")}`;
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
    used.add(id);
    ids.set(r, id);
    return id;
  };
  /** Resources drawn as nodes (not subgraphs), which edges may point at. */
  const nodes = new Map<PlannedResource, string>();
  const out: string[] = ["flowchart LR"];
  const declare = (indent: string, kind: string, r: PlannedResource, ...lines: string[]) => {
    const id = idFor(kind, r);
    nodes.set(r, id);
    out.push(`${indent}${id}[${label(...lines)}]`);
    return id;
  };
  // Edges by kind, each kind sorted, so the output does not depend on the plan's order.
  const edgeKinds = [
    "internet",
    "runsAs",
    "privateLink",
    "networkPath",
    "roles",
    "diagnostics",
    "humans",
  ] as const;
  const edges = new Map<(typeof edgeKinds)[number], Set<string>>(edgeKinds.map((k) => [k, new Set()]));
  const edge = (kind: (typeof edgeKinds)[number], line: string) => edges.get(kind)?.add(`  ${line}`);

  out.push(`  internet((Internet))`);

  const subnets = ofType(TYPES.subnet);
  const envs = ofType(TYPES.env);
  const apps = ofType(TYPES.app);
  const endpoints = ofType(TYPES.pe);
  const subnetOf = (subnetId: unknown) => subnets.find((s) => idOf(s) === normalizeId(subnetId));

  // An environment closed to the Internet (internal, public access disabled) is reached only
  // through the edge; its external apps are frontends behind Front Door.
  const closed = (env: PlannedResource | undefined) =>
    env !== undefined &&
    get(env.inputs, "vnetConfiguration", "internal") === true &&
    text(env.inputs.publicNetworkAccess)?.toLowerCase() === "disabled";
  const envOf = (app: PlannedResource) => envs.find((e) => idOf(e) === normalizeId(app.inputs.environmentId));
  const appLines = (indent: string, app: PlannedResource) => {
    const external = get(app.inputs, "configuration", "ingress", "external") === true;
    const frontend = closed(envOf(app)) ? "frontend: via Front Door only" : "frontend: public HTTPS";
    const port = get(app.inputs, "configuration", "ingress", "targetPort");
    declare(
      indent,
      "app",
      app,
      `app ${azureName(app)}`,
      external ? frontend : "internal ingress only",
      ...(typeof port === "number" ? [`port ${port}`] : []),
    );
  };
  const envLines = (indent: string, env: PlannedResource) => {
    out.push(
      `${indent}subgraph ${idFor("env", env)}[${label(`Container Apps environment ${azureName(env)}`)}]`,
    );
    for (const app of apps.filter((a) => normalizeId(a.inputs.environmentId) === idOf(env)))
      appLines(`${indent}  `, app);
    out.push(`${indent}end`);
  };

  for (const vnet of ofType(TYPES.vnet)) {
    const prefixes = arr(get(vnet.inputs, "addressSpace", "addressPrefixes")).filter(
      (p) => typeof p === "string",
    );
    out.push(`  subgraph ${idFor("vnet", vnet)}[${label(`VNet ${azureName(vnet)}`, prefixes.join(", "))}]`);
    for (const subnet of subnets.filter((s) => idOf(s)?.startsWith(`${idOf(vnet)}/subnets/`))) {
      const nsg = text(get(subnet.inputs, "networkSecurityGroup", "id"));
      out.push(
        `    subgraph ${idFor("subnet", subnet)}[${label(
          `subnet ${azureName(subnet)} ${text(subnet.inputs.addressPrefix) ?? ""}`.trim(),
          nsg ? `NSG ${nsg.slice(nsg.lastIndexOf("/") + 1)}` : "no NSG",
        )}]`,
      );
      for (const env of envs.filter(
        (e) => subnetOf(get(e.inputs, "vnetConfiguration", "infrastructureSubnetId")) === subnet,
      ))
        envLines("      ", env);
      for (const pe of endpoints.filter((p) => subnetOf(get(p.inputs, "subnet", "id")) === subnet)) {
        const groups = arr(pe.inputs.privateLinkServiceConnections)
          .flatMap((c) => arr(get(c, "groupIds")))
          .filter((g): g is string => typeof g === "string");
        declare("      ", "pe", pe, `private endpoint ${azureName(pe)}`, groups.join(", "));
      }
      out.push("    end");
    }
    out.push("  end");
  }
  // Environments outside any VNet would be a NET-1 finding; draw them anyway so it shows.
  for (const env of envs.filter(
    (e) => !subnetOf(get(e.inputs, "vnetConfiguration", "infrastructureSubnetId")),
  ))
    envLines("  ", env);

  const stores = sorted(resources.filter((r) => r.type in STORES));
  const workspaces = ofType(TYPES.workspace);
  out.push(`  subgraph paas[${label("Azure PaaS services")}]`);
  for (const store of stores) {
    const pna =
      text(store.inputs.publicNetworkAccess) ??
      text(get(store.inputs, "properties", "publicNetworkAccess")) ??
      text(get(store.inputs, "network", "publicNetworkAccess"));
    declare(
      "    ",
      "store",
      store,
      STORES[store.type].label,
      azureName(store),
      ...(pna ? [`public access ${pna}`] : []),
    );
  }
  for (const ws of workspaces) {
    const days = ws.inputs.retentionInDays;
    const onWorkspace = (r: PlannedResource) => text(r.inputs.workspaceName) === azureName(ws);
    const sentinel = ofType(TYPES.sentinel).some(onWorkspace);
    const rules = ofType(TYPES.analyticsRule).filter(onWorkspace).length;
    declare(
      "    ",
      "log",
      ws,
      "Log Analytics workspace",
      azureName(ws),
      ...(typeof days === "number" ? [`${days} days`] : []),
      ...(sentinel ? [`Microsoft Sentinel: ${rules} analytics rules`] : []),
    );
  }
  out.push("  end");

  const identities = ofType(TYPES.identity);
  out.push(`  subgraph identities[${label("User-assigned managed identities")}]`);
  for (const identity of identities) declare("    ", "id", identity, azureName(identity));
  out.push("  end");

  // The node a scope (ARM ID) falls under: the deepest drawn resource whose ID prefixes it.
  const drawnFor = (scope: unknown): string | undefined => {
    let id = normalizeId(scope);
    while (id) {
      const r = byId.get(id);
      if (r && nodes.has(r)) return nodes.get(r);
      id = id.includes("/") ? id.slice(0, id.lastIndexOf("/")) : undefined;
    }
    return undefined;
  };
  const identityByPrincipal = new Map<string, PlannedResource>();
  for (const i of identities) {
    const p = text(i.outputs.principalId);
    if (p) identityByPrincipal.set(p.toLowerCase(), i);
  }

  // Internet -> Front Door + WAF -> Private Link -> frontends (EDGE-1); directly only to external
  // apps of an environment that is still open to the Internet (NET-2).
  const profiles = ofType(TYPES.frontDoor);
  const wafs = ofType(TYPES.waf);
  for (const profile of profiles) {
    const modes = wafs.map((w) => text(get(w.inputs, "policySettings", "mode")) ?? "?");
    const node = declare(
      "  ",
      "edge",
      profile,
      `Front Door ${text(get(profile.inputs, "sku", "name")) ?? ""}`.trim(),
      azureName(profile),
      ...(modes.length ? [`WAF ${[...new Set(modes)].join(", ")}`] : ["no WAF"]),
    );
    edge("internet", `internet -->${edgeText("HTTPS (HTTP redirected)")} ${node}`);
  }
  const fqdnOf = (app: PlannedResource) =>
    text(get(app.outputs, "configuration", "ingress", "fqdn")) ?? text(app.outputs.latestRevisionFqdn);
  for (const origin of ofType(TYPES.origin)) {
    const profile = profiles.find((p) => azureName(p) === text(origin.inputs.profileName));
    const app = apps.find((a) => fqdnOf(a) !== undefined && fqdnOf(a) === text(origin.inputs.hostName));
    const privateLink = text(get(origin.inputs, "sharedPrivateLinkResource", "privateLink", "id"));
    // An app without external ingress answers only inside its environment: no edge.
    const reachable = app && get(app.inputs, "configuration", "ingress", "external") === true;
    if (profile && app && reachable && nodes.has(profile) && nodes.has(app))
      edge(
        "internet",
        `${nodes.get(profile)} -->${edgeText(privateLink ? "Private Link" : "public origin")} ${nodes.get(app)}`,
      );
  }
  for (const app of apps)
    if (
      get(app.inputs, "configuration", "ingress", "external") === true &&
      nodes.has(app) &&
      !closed(envOf(app))
    )
      edge("internet", `internet -->${edgeText("HTTPS 443")} ${nodes.get(app)}`);

  // Who runs as which identity (apps, and data stores using a CMK identity).
  for (const r of [...apps, ...stores]) {
    const assigned = get(r.inputs, "identity", "userAssignedIdentities");
    // A list of IDs in most APIs; a map keyed by ID in some (PostgreSQL).
    for (const identityId of isRecord(assigned) ? Object.keys(assigned) : arr(assigned)) {
      const target = drawnFor(identityId);
      if (target && nodes.has(r))
        edge(
          "runsAs",
          `${nodes.get(r)} -.-${edgeText(r.type === TYPES.app ? "runs as" : "CMK identity")} ${target}`,
        );
    }
  }

  // Private links: endpoint -> the resource it reaches.
  const peFor = (store: PlannedResource) =>
    endpoints.find((pe) =>
      arr(pe.inputs.privateLinkServiceConnections).some(
        (c) => normalizeId(get(c, "privateLinkServiceId")) === idOf(store),
      ),
    );
  for (const pe of endpoints) {
    for (const c of arr(pe.inputs.privateLinkServiceConnections)) {
      const target = drawnFor(get(c, "privateLinkServiceId"));
      if (target && nodes.has(pe)) edge("privateLink", `${nodes.get(pe)} --> ${target}`);
    }
  }
  // Network paths: app -> private endpoint -> store, for the stores an app reaches: those its
  // identity holds a data-plane role on (Key Vault, Storage, Redis), and the services its config
  // says it uses (PostgreSQL access is an Entra database role granted in SQL, invisible to ARM).
  const roleTargets = new Map<string, Set<string>>();
  const grant = (principal: unknown, target: string | undefined) => {
    const p = text(principal)?.toLowerCase();
    if (!p || !target) return;
    roleTargets.set(p, (roleTargets.get(p) ?? new Set()).add(target));
  };
  const redisClusterOf = (access: PlannedResource) =>
    stores.find(
      (s) =>
        s.type === "azure-native:redisenterprise:RedisEnterprise" &&
        azureName(s) === access.inputs.clusterName,
    );
  for (const ra of ofType(TYPES.role)) grant(ra.inputs.principalId, drawnFor(ra.inputs.scope));
  for (const access of ofType(TYPES.redisAccess)) {
    const cluster = redisClusterOf(access);
    grant(get(access.inputs, "user", "objectId"), cluster && nodes.get(cluster));
  }
  // Another team's program has no stack config of ours: only the grants tell which stores an app uses.
  const configuredApps = plan.config?.apps ?? [];
  for (const app of apps) {
    const uses = configuredApps.find((a) => a.name === text(app.inputs.containerAppName))?.uses ?? [];
    const principals = arr(get(app.inputs, "identity", "userAssignedIdentities"))
      .map((id) => identities.find((i) => idOf(i) === normalizeId(id)))
      .map((i) => text(i?.outputs.principalId)?.toLowerCase());
    for (const store of stores) {
      const service = STORES[store.type].service;
      const granted = principals.some((p) => p && roleTargets.get(p)?.has(nodes.get(store) ?? ""));
      const configured = service === "postgres" && (uses as readonly string[]).includes(service);
      if (!granted && !configured) continue;
      const pe = peFor(store);
      const via = pe ? nodes.get(pe) : nodes.get(store);
      if (via && nodes.has(app)) edge("networkPath", `${nodes.get(app)} -->${edgeText("private")} ${via}`);
    }
  }

  // Data-plane access of workload identities (IAM-2): role assignments and Redis access policies.
  for (const ra of ofType(TYPES.role)) {
    if (ra.inputs.principalType !== "ServicePrincipal") continue;
    const identity = identityByPrincipal.get(text(ra.inputs.principalId)?.toLowerCase() ?? "");
    const target = drawnFor(ra.inputs.scope);
    const definition = text(ra.inputs.roleDefinitionId) ?? "";
    // A role outside our table is shown by its GUID rather than hidden.
    const role = roleNameOf(definition) ?? `role ${definition.slice(definition.lastIndexOf("/") + 1)}`;
    if (identity && target) edge("roles", `${nodes.get(identity)} ==>${edgeText(role)} ${target}`);
  }
  for (const access of ofType(TYPES.redisAccess)) {
    const identity = identityByPrincipal.get(
      text(get(access.inputs, "user", "objectId"))?.toLowerCase() ?? "",
    );
    const cluster = redisClusterOf(access);
    if (identity && cluster)
      edge(
        "roles",
        `${nodes.get(identity)} ==>${edgeText(`Redis access policy ${text(access.inputs.accessPolicyName) ?? ""}`.trim())} ${nodes.get(cluster)}`,
      );
  }

  // Diagnostics (LOG-1), aggregated: one edge per workspace with the number of settings.
  for (const ws of workspaces) {
    const settings = resources.filter(
      (d) => d.type === TYPES.diag && normalizeId(d.inputs.workspaceId) === idOf(ws),
    );
    const wsNode = nodes.get(ws);
    if (settings.length && wsNode) {
      out.push(`  diag_${wsNode}[[${label(`${settings.length} diagnostic settings`)}]]`);
      edge("diagnostics", `diag_${wsNode} -.->${edgeText("logs and metrics")} ${wsNode}`);
    }
  }

  // Human access (IAM-2): Entra groups, summarized with the roles they actually hold.
  const humanGrants = ofType(TYPES.role).filter((r) => r.inputs.principalType === "Group");
  if (humanGrants.length) {
    const groups = new Set(humanGrants.map((r) => text(r.inputs.principalId)?.toLowerCase()));
    const roles = [
      ...new Set(
        humanGrants.map((r) => {
          const d = text(r.inputs.roleDefinitionId) ?? "";
          return roleNameOf(d) ?? `role ${d.slice(d.lastIndexOf("/") + 1)}`;
        }),
      ),
    ].sort(compare);
    out.push(
      `  humans[${label(
        "Entra groups (human roles)",
        `${groups.size} group${groups.size === 1 ? "" : "s"}, ${humanGrants.length} role assignments`,
        ...roles,
      )}]`,
    );
    edge("humans", `humans -.->${edgeText("roles at resource-group scope")} paas`);
  }
  return [...out, ...edgeKinds.flatMap((k) => [...(edges.get(k) ?? [])].sort(compare))].join("\n");
}

/** The first private link connection of an endpoint. */
/** The diagram as a Markdown fenced block (what the README holds). */
export function renderDiagram(input: Pick<EvidenceInput, "plan">): string {
  return `\`\`\`mermaid\n${renderMermaid(input)}\n\`\`\`\n`;
}

/** `.mmd` gets raw Mermaid; anything else a Markdown fenced block. */
export function writeDiagram(file: string, input: Pick<EvidenceInput, "plan">): void {
  fs.writeFileSync(file, file.endsWith(".mmd") ? `${renderMermaid(input)}\n` : renderDiagram(input));
}

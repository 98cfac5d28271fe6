/**
 * The architecture diagram drawn from the plan: what it shows for dev and prod, and the
 * README's prod copy kept in sync (regenerate with `npm run docs:diagram`). Each stack is
 * planned once; variations edit a copy of the planned resources.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderDiagram, renderMermaid, writeDiagram } from "../../lib/evidence/diagram";
import type { Plan } from "../../lib/offline/plan";
import { sharedPlan } from "../helpers/plans";
import type { PlannedResource } from "../../lib/offline/run";
import { README, withDiagram } from "../../scripts/readme-diagram";
import { jsonClone } from "../../lib/analyzer/paths";

let dev: Plan;
let prod: Plan;
beforeAll(async () => {
  dev = await sharedPlan("dev");
  prod = await sharedPlan("prod");
}, 60_000);

const lines = (text: string) => text.split("\n").map((l) => l.trim());
const APP = "azure-native:app:ContainerApp";

/** The plan with its resources changed (deep copies, the cached plan stays intact). */
function edited(plan: Plan, edit: (resources: PlannedResource[]) => PlannedResource[]): Plan {
  return { ...plan, resources: edit(jsonClone(plan.resources)) };
}

/** Sets an app's ingress to external (frontend) or internal. */
function setExternal(resources: PlannedResource[], app: string, external: boolean): PlannedResource[] {
  const r = resources.find((x) => x.type === APP && x.inputs.containerAppName === app);
  if (!r) throw new Error(`no container app ${app} in the plan`);
  const configuration = r.inputs.configuration as { ingress: { external: boolean } };
  configuration.ingress.external = external;
  return resources;
}

/** Opens the Container Apps environment to the Internet (what EDGE-1 forbids), to show it would be drawn. */
function openEnvironment(resources: PlannedResource[]): PlannedResource[] {
  for (const r of resources.filter((x) => x.type === "azure-native:app:ManagedEnvironment")) {
    r.inputs.publicNetworkAccess = "Enabled";
    (r.inputs.vnetConfiguration as { internal: boolean }).internal = false;
  }
  return resources;
}

describe("the prod diagram", () => {
  let text: string;
  beforeAll(() => {
    text = renderMermaid({ plan: prod });
  });

  it("is a Mermaid flowchart with the VNet, both subnets and their NSGs", () => {
    expect(text).toMatch(/^flowchart LR\n/);
    expect(text).toMatch(/subgraph vnet_\w+\["VNet vnet-sap-platform-prod<br\/>10\.30\.0\.0\/16"\]/);
    expect(text).toMatch(/subnet snet-sap-apps-prod 10\.30\.0\.0\/23<br\/>NSG nsg-sap-apps-prod/);
    expect(text).toMatch(/subnet snet-sap-pe-prod 10\.30\.2\.0\/24<br\/>NSG nsg-sap-pe-prod/);
  });

  it("puts the environment and its apps in the apps subnet, the private endpoints in theirs", () => {
    const body = lines(text);
    const inside = (subgraphStart: RegExp) => {
      const start = body.findIndex((l) => subgraphStart.test(l));
      let depth = 0;
      const members: string[] = [];
      for (const l of body.slice(start)) {
        if (l.startsWith("subgraph ")) depth++;
        else if (l === "end" && --depth === 0) break;
        else members.push(l);
      }
      return members.join("\n");
    };
    const apps = inside(/^subgraph subnet_\w+\["subnet snet-sap-apps-prod/);
    expect(apps).toMatch(/app_app_web_app\["app web<br\/>frontend: via Front Door only/);
    expect(apps).toMatch(/app_app_api_app\["app api<br\/>internal ingress only/);
    const pe = inside(/^subgraph subnet_\w+\["subnet snet-sap-pe-prod/);
    for (const group of ["vault", "postgresqlServer", "blob", "redisEnterprise"])
      expect(pe).toMatch(new RegExp(`private endpoint pep-sap-[a-z-]+-prod<br/>${group}"`));
    expect(pe).not.toContain("app_");
  });

  it("lets the Internet reach Front Door and its WAF only, and Front Door the frontend over Private Link (EDGE-1)", () => {
    expect(lines(text).filter((l) => l.startsWith("internet -->"))).toEqual([
      'internet -->|"HTTPS (HTTP redirected)"| edge_edge_profile',
    ]);
    expect(text).toMatch(
      /edge_edge_profile\["Front Door Premium_AzureFrontDoor<br\/>afd-sap-prod<br\/>WAF Prevention"\]/,
    );
    expect(lines(text).filter((l) => l.startsWith("edge_edge_profile -->"))).toEqual([
      'edge_edge_profile -->|"Private Link"| app_app_web_app',
    ]);
  });

  it("shows Sentinel and its analytics rules on the workspace (SIEM-1)", () => {
    expect(text).toMatch(/log-sap-platform-prod<br\/>365 days<br\/>Microsoft Sentinel: 6 analytics rules/);
  });

  it("routes apps to data stores through private endpoints", () => {
    expect(text).toContain('app_app_api_app -->|"private"| pe_postgres_pe');
    expect(text).toContain("pe_postgres_pe --> store_postgres_server");
    expect(text).toContain('app_app_web_app -->|"private"| pe_storage_pe');
    // The web app neither uses PostgreSQL nor holds a role on it.
    expect(text).not.toContain('app_app_web_app -->|"private"| pe_postgres_pe');
    // No app reaches a store directly.
    expect(text).not.toMatch(/app_\w+ -->\|"private"\| store_/);
  });

  it("labels identities' data-plane access with the role named by its definition GUID", () => {
    expect(text).toContain(
      'id_app_web_identity_identity ==>|"Storage Blob Data Reader"| store_storage_account',
    );
    expect(text).toContain(
      'id_app_api_identity_identity ==>|"Storage Blob Data Contributor"| store_storage_account',
    );
    expect(text).toContain(
      'id_cmk_postgres_geo_identity_identity ==>|"Key Vault Crypto Service Encryption User"| store_keyvault_geo_vault',
    );
    expect(text).toContain(
      'id_app_api_identity_identity ==>|"Redis access policy default"| store_redis_cluster',
    );
    expect(text).toContain('app_app_web_app -.-|"runs as"| id_app_web_identity_identity');
    expect(text).toContain('store_storage_account -.-|"CMK identity"| id_cmk_storage_identity_identity');
    expect(text).not.toMatch(/==>\|"role /);
  });

  it("aggregates diagnostics into one edge to the workspace, and summarizes human access", () => {
    expect(text).toMatch(/diag_log_logging_workspace\[\["\d+ diagnostic settings"\]\]/);
    expect(text.match(/-\.->\|"logs and metrics"\|/g)).toHaveLength(1);
    expect(text).toMatch(
      /humans\["Entra groups \(human roles\)<br\/>\d+ groups?, \d+ role assignments<br\/>Key Vault Reader<br\/>Log Analytics Reader<br\/>Monitoring Reader<br\/>Reader"\]/,
    );
  });

  it("does not depend on the plan's order of resources", () => {
    const reversed = edited(prod, (rs) => rs.reverse());
    expect(renderMermaid({ plan: reversed })).toBe(text);
  });
});

describe("the dev diagram", () => {
  let text: string;
  beforeAll(() => {
    text = renderMermaid({ plan: dev });
  });

  it("has no geo vault and no CMK identities, and one frontend", () => {
    expect(text).not.toContain("keyvault_geo");
    expect(text).not.toContain("id_cmk_");
    expect(text).not.toContain("CMK identity");
    expect(lines(text).filter((l) => l.startsWith("internet"))).toEqual([
      "internet((Internet))",
      'internet -->|"HTTPS (HTTP redirected)"| edge_edge_profile',
    ]);
  });

  it("draws no edge from the Internet to an internal app", () => {
    expect(text).toMatch(/app_app_api_app\["app api<br\/>internal ingress only/);
    expect(text).not.toMatch(/internet -->.*app_app_api_app/);
    const allInternal = renderMermaid({ plan: edited(dev, (rs) => setExternal(rs, "web", false)) });
    expect(allInternal).not.toMatch(/internet -->.*app_/);
    expect(allInternal).not.toMatch(/-->\|"Private Link"\| app_/);
    expect(allInternal).toMatch(/app_app_web_app\["app web<br\/>internal ingress only/);
  });

  it("draws a direct edge from the Internet to each external app once the environment is opened (NET-2 finding)", () => {
    const closed = renderMermaid({ plan: edited(dev, (rs) => setExternal(rs, "api", true)) });
    expect(closed).not.toMatch(/internet -->.*app_/);
    const open = renderMermaid({ plan: edited(dev, (rs) => openEnvironment(setExternal(rs, "api", true))) });
    expect(lines(open).filter((l) => l.startsWith("internet -->"))).toEqual([
      'internet -->|"HTTPS (HTTP redirected)"| edge_edge_profile',
      'internet -->|"HTTPS 443"| app_app_api_app',
      'internet -->|"HTTPS 443"| app_app_web_app',
    ]);
  });

  it("shows dev's human roles as they are, data-plane ones included", () => {
    expect(text).toMatch(/humans\["Entra groups \(human roles\)<br\/>[^"]*Key Vault Administrator<br\/>/);
    expect(text).toContain("Storage Blob Data Reader");
  });
});

describe("node IDs", () => {
  it("are sanitized and unique when logical names collide after sanitizing", () => {
    const vault = dev.resources.find((r) => r.type === "azure-native:keyvault:Vault")!;
    const twin = (name: string, id: string): PlannedResource => ({
      ...jsonClone(vault),
      name,
      urn: `${vault.urn}-${name}`,
      id,
      outputs: { ...vault.outputs, id },
    });
    const plan = edited(dev, (rs) => [
      ...rs,
      twin("kv.x", "/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/kv1"),
      twin("kv-x", "/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/kv2"),
    ]);
    const text = renderMermaid({ plan });
    expect(text).toContain('store_kv_x["Key Vault<br/>kv2');
    expect(text).toContain('store_kv_x_2["Key Vault<br/>kv1');
    const ids = [...text.matchAll(/^\s*(\w+)\[/gm)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("escape quotes and angle brackets in labels", () => {
    const plan = edited(dev, (rs) => {
      const app = rs.find((r) => r.type === APP)!;
      app.id = `${String(app.id)}"<b>`;
      return rs;
    });
    expect(renderMermaid({ plan })).toMatch(/app [^"\n]*#quot;#lt;b#gt;<br\/>/);
  });
});

describe("writeDiagram", () => {
  it("writes raw Mermaid to .mmd and a fenced Markdown block otherwise", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "diagram-"));
    try {
      writeDiagram(path.join(dir, "d.mmd"), { plan: dev });
      writeDiagram(path.join(dir, "d.md"), { plan: dev });
      expect(fs.readFileSync(path.join(dir, "d.mmd"), "utf8")).toBe(`${renderMermaid({ plan: dev })}\n`);
      const md = fs.readFileSync(path.join(dir, "d.md"), "utf8");
      expect(md).toBe(renderDiagram({ plan: dev }));
      expect(md).toMatch(/^```mermaid\nflowchart LR\n[\s\S]*\n```\n$/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("README.md", () => {
  it("shows the current prod diagram (else run `npm run docs:diagram`)", () => {
    const readme = fs.readFileSync(README, "utf8");
    const fresh = withDiagram(readme, renderDiagram({ plan: prod }));
    if (readme !== fresh) {
      throw new Error(
        "README.md's prod diagram (between <!-- diagram:prod:start --> and <!-- diagram:prod:end -->) " +
          "is stale: run `npm run docs:diagram` and commit README.md",
      );
    }
  });

  it("withDiagram replaces only the text between the markers and refuses a README without them", () => {
    const readme = "a\n<!-- diagram:prod:start -->\nold\n<!-- diagram:prod:end -->\nb\n";
    expect(withDiagram(readme, "```mermaid\nx\n```\n")).toBe(
      "a\n<!-- diagram:prod:start -->\n```mermaid\nx\n```\n<!-- diagram:prod:end -->\nb\n",
    );
    expect(() => withDiagram("# no markers", "x")).toThrow(/diagram:prod:start/);
  });
});

/**
 * The architecture diagram drawn from the plan: what it shows for dev and prod, and the
 * README's prod copy kept in sync (regenerate with `npm run docs:diagram`).
 */
import * as fs from "fs";
import { renderMermaid } from "../../lib/evidence/diagram";
import { planStack, type Plan } from "../../lib/offline/plan";
import { README, prodDiagram, withDiagram } from "../../scripts/readme-diagram";

let dev: Plan;
let prod: Plan;
beforeAll(async () => {
  dev = await planStack("dev");
  prod = await planStack("prod");
}, 60_000);

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

  it("lets the Internet reach the frontend only, over HTTPS", () => {
    const fromInternet = text.split("\n").filter((l) => l.trim().startsWith("internet -->"));
    expect(fromInternet).toEqual(["  internet -->|HTTPS 443| app_app_web_app"]);
  });

  it("routes apps to data stores through private endpoints", () => {
    expect(text).toContain("app_app_api_app -->|private| pe_postgres_pe");
    expect(text).toContain("pe_postgres_pe --> store_postgres_server");
    expect(text).not.toContain("app_app_web_app -->|private| pe_postgres_pe");
  });

  it("labels identities' data-plane access with the role", () => {
    expect(text).toContain(
      "id_app_web_identity_identity ==>|Storage Blob Data Reader| store_storage_account",
    );
    expect(text).toContain(
      "id_app_api_identity_identity ==>|Storage Blob Data Contributor| store_storage_account",
    );
    expect(text).toContain(
      "id_cmk_postgres_geo_identity_identity ==>|Key Vault Crypto Service Encryption User| store_keyvault_geo_vault",
    );
  });

  it("is the same on every run (the README copy depends on it)", () => {
    expect(renderMermaid({ plan: prod })).toBe(text);
  });
});

describe("the dev diagram", () => {
  it("has no geo vault and no CMK identities, and still one frontend", () => {
    const text = renderMermaid({ plan: dev });
    expect(text).not.toContain("keyvault_geo");
    expect(text).not.toContain("id_cmk_");
    expect(text.match(/internet -->/g)).toHaveLength(1);
  });

  it("adds an edge from the Internet for each app turned into a frontend", async () => {
    const plan = await planStack("dev", {
      configOverrides: {
        "secure-azure-platform:apps": [
          { name: "front-a", image: "nginx:1.27", targetPort: 80, ingress: "frontend" },
          { name: "front-b", image: "nginx:1.27", targetPort: 80, ingress: "frontend" },
          { name: "back-c", image: "nginx:1.27", targetPort: 80, ingress: "internal" },
        ],
      },
    });
    const text = renderMermaid({ plan });
    expect(text.match(/internet -->\|HTTPS 443\|/g)).toHaveLength(2);
    expect(text).toMatch(/app back-c<br\/>internal ingress only/);
  });
});

describe("README.md", () => {
  it("shows the current prod diagram (run npm run docs:diagram after changing the platform)", async () => {
    const readme = fs.readFileSync(README, "utf8");
    expect(readme).toBe(withDiagram(readme, await prodDiagram()));
  });

  it("withDiagram refuses a README without the markers", () => {
    expect(() => withDiagram("# no markers", "x")).toThrow(/diagram:prod:start/);
  });
});

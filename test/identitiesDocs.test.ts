/**
 * The one-time setup printed by `npm run deploy:setup` and the generated block of
 * docs/running-in-ci.md, both checked against deploy/identities.yaml.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import { identityName, loadDeployIdentities, renderCondition, roleGuid } from "../config/identities";
import { main, SETUP_ROLE, setupForStack, setupOperations, shellQuote } from "../scripts/deploy-setup";
import { allows, builtInRole } from "../controls/roles";
import { CI_DOC, END, START, renderCiDoc } from "../scripts/identities-docs";
import { runMain, runScript } from "./helpers/cli";

const doc = loadDeployIdentities();

describe("docs/running-in-ci.md", () => {
  const current = fs.readFileSync(CI_DOC, "utf8");

  it("has the identities block as deploy/identities.yaml generates it (run npm run docs:identities)", () => {
    expect(current).toBe(renderCiDoc(current));
    expect(current.indexOf(START)).toBeGreaterThan(0);
    expect(current.indexOf(END)).toBeGreaterThan(current.indexOf(START));
  });

  it("no longer claims cloud admins are Owner, and lists Key Vault Reader in the prod condition", () => {
    expect(current).not.toMatch(/`cloudAdmin` human role is `Owner`/);
    const block = current.slice(current.indexOf(START), current.indexOf(END));
    expect(block).toMatch(/- prod: .*Key Vault Reader \(`21090545-7ca7-4776-b22c-e363652d74d2`\)/);
  });
});

describe("npm run deploy:setup -- --stack prod", () => {
  const run = runScript("deploy-setup", "--stack", "prod");
  const out = run.stdout;

  it("exits 0 and prints what setupForStack renders, as valid bash", () => {
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(out).toBe(setupForStack("prod"));
    const syntax = spawnSync("bash", ["-n"], { input: out, encoding: "utf8" });
    expect(syntax.status).toBe(0);
  });

  it("creates each managed identity with its federated credential subject", () => {
    expect(out).toContain(`-n ${identityName(doc.identities.deploy, "prod")}`);
    expect(out).toContain('--subject "repo:${GITHUB_REPOSITORY}:environment:production"');
    expect(out).toContain('--subject "repo:${GITHUB_REPOSITORY}:pull_request"');
    // The drift check (drift.yml) runs on main without an environment, as the preview identity only.
    const main = out.split("\n").findIndex((l) => l.includes(":ref:refs/heads/main"));
    expect(out.split("\n")[main - 2]).toContain(
      `--identity-name ${identityName(doc.identities.preview, "prod")} `,
    );
    expect(out.match(/:ref:refs\/heads\/main"/g)).toHaveLength(1);
  });

  // Registering a resource provider needs <namespace>/register/action, "included in the
  // Contributor and Owner roles" (Microsoft's "Azure resource providers and types"); the old
  // header said Owner or User Access Administrator, which cannot run step 0 or step 1.
  it("names a role that may run every command it prints, and not User Access Administrator", () => {
    for (const op of setupOperations(doc))
      expect([op, allows(builtInRole(SETUP_ROLE), op)]).toEqual([op, true]);
    expect(allows(builtInRole("User Access Administrator"), "Microsoft.App/register/action")).toBe(false);
    expect(out.split("\n")[1]).toContain(`Run in bash as ${SETUP_ROLE} of both subscriptions`);
    expect(out).not.toMatch(/tenant administrator/);
  });

  // azure-native registers no resource provider (pulumi/pulumi-azure-native#3479): the setup does,
  // before anything is created in the subscription. Fails on the old setup (no registration).
  it("registers every declared resource provider in the stack's subscription, first", () => {
    const lines = out.split("\n");
    const first = lines.findIndex((l) => l.startsWith("az "));
    for (const ns of doc.resourceProviders) {
      const at = lines.indexOf(
        `az provider register --subscription "$SUBSCRIPTION_ID" --namespace ${ns} --wait`,
      );
      expect([ns, at >= first]).toEqual([ns, true]);
      expect(at).toBeLessThan(lines.findIndex((l) => l.startsWith("az group create")));
    }
    expect(doc.resourceProviders).toEqual(
      expect.arrayContaining(["Microsoft.App", "Microsoft.SecurityInsights"]),
    );
  });

  it("creates every custom role under the GUID the stack assigns, with exactly the declared actions", () => {
    for (const [role, def] of Object.entries(doc.customRoles)) {
      const line = out.split("\n").find((l) => l.includes(`"roleName":"${role} (prod)"`));
      expect(line).toBeDefined();
      for (const action of [...def.actions, ...def.dataActions]) expect(line).toContain(`"${action}"`);
      expect(out).toContain(`roleDefinitions/${roleGuid(doc, role, "prod")}?api-version=2022-04-01`);
    }
  });

  it("makes every grantedBy: setup assignment at subscription scope, the RBAC administrator with its condition", () => {
    for (const [key, identity] of Object.entries(doc.identities)) {
      for (const entry of identity.roles.filter((r) => r.grantedBy === "setup")) {
        const variable = `$${key.toUpperCase()}_ID`;
        expect(out).toContain(
          `--assignee-object-id "${variable}" --assignee-principal-type ServicePrincipal \\\n  --role ${roleGuid(doc, entry.role, "prod")} --scope "/subscriptions/$SUBSCRIPTION_ID"`,
        );
      }
    }
    // The condition names the deploy identity by the shell variable set from `az identity show`.
    const self = "00000000-5e1f-4000-8000-000000000000";
    const quoted = shellQuote(renderCondition(doc, "prod", self)!).replace(self, `'"$DEPLOY_ID"'`);
    expect(out).toContain(`--condition ${quoted} --condition-version 2.0`);
    expect(out).toContain(`PrincipalId] ForAnyOfAllValues:GuidNotEquals {'"$DEPLOY_ID"'} OR`);
    expect(out).not.toContain(`--role ${roleGuid(doc, "Owner", "prod")}`);
  });

  it("grants the secret writers group its role on the stack's vaults after the first deploy", () => {
    expect(out).toMatch(/az keyvault list --subscription "\$SUBSCRIPTION_ID" -g rg-sap-prod/);
    expect(out).toContain(
      `--assignee-principal-type Group \\\n    --role ${roleGuid(doc, "Platform Secret Writer", "prod")}`,
    );
  });
});

// In-process (`main`): the child run above already covers the process itself.
describe("npm run deploy:setup: bad usage exits 2", () => {
  it.each([
    [["--stakc", "prod"], "unknown option --stakc"],
    [[], "--stack is required"],
    [["--stack", "staging"], "Pulumi.staging.yaml"],
  ])("%j", async (args, says) => {
    const run = await runMain(main, ...args);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(says);
    expect(run.stdout).toBe("");
  });
});

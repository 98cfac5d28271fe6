/**
 * The change preview judges the deploy identity's permission to DELETE role assignments
 * (lib/offline/diff.ts assessDeletePermissions, lib/offline/permissions.ts roleAssignmentDeleteCheck).
 * The RBAC administrator's condition (config/identities.ts renderCondition) allows
 * `roleAssignments/delete` only for an assignment whose existing role
 * (`@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId]`) is on the environment's
 * allowed-role list (MicrosoftDocs/azure-docs articles/role-based-access-control/
 * delegate-role-assignments-examples.md, "Constrain roles"). So a change that drops a role from
 * `allowedRoles.prod` and, in the same deploy, deletes an assignment of that role passes the plan,
 * whose permission check sees only what it creates, but `pulumi up` creates the new assignment and
 * then fails on the old one's DELETE (AuthorizationFailed). Fails on the old code: the preview
 * judged no delete's permission.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseDeployIdentities, type DeployIdentities } from "../../config/identities";
import { previewChanges, renderChangePreview, type ChangePreview } from "../../lib/offline/diff";
import { parseStackExport } from "../../lib/offline/export";
import { checkPlanIdentities, roleAssignmentDeleteCheck } from "../../lib/offline/permissions";
import { planStack, type Plan } from "../../lib/offline/plan";
import { jsonClone } from "../../lib/analyzer/paths";
import type { NormalizedExportResource, NormalizedStackExport } from "../../policy/common/pulumiFormat";
import { runMain } from "../helpers/cli";
import { sharedPlan } from "../helpers/plans";
import { IDENTITIES_TEXT, identitiesText, withoutAllowedRole } from "../helpers/identities";
import { main } from "../../scripts/plan";

const READER = "Storage Blob Data Reader";
/** The change of the brief: Storage Blob Data Reader leaves the prod allowed-role list. */
const withoutReader = withoutAllowedRole(READER);

let baseline: NormalizedStackExport;
let readwrite: Plan;
let next: NormalizedStackExport;
/** The web app's Storage Blob Data Reader assignment in a state (the old one the tests edit). */
const webRead = (doc: NormalizedStackExport): NormalizedExportResource =>
  (doc.deployment.resources as NormalizedExportResource[]).find((r) =>
    r.urn.endsWith("::app-web-blob-read"),
  )!;

beforeAll(async () => {
  const plan = await sharedPlan("prod");
  baseline = parseStackExport(plan.toStackExport(), "prod");
  // The web app's storage access goes from read to readwrite: its Storage Blob Data Reader
  // assignment is deleted, a Storage Blob Data Contributor one created.
  readwrite = await planStack("prod", {
    configOverrides: {
      apps: plan.config.apps.map((a) => (a.name === "web" ? { ...a, storageAccess: "readwrite" } : a)),
    },
  });
  next = parseStackExport(readwrite.toStackExport(), "prod");
});

const preview = (doc: DeployIdentities, previous: NormalizedStackExport = baseline): ChangePreview =>
  previewChanges(previous, next, {
    stack: "prod",
    from: "before.json",
    canDelete: roleAssignmentDeleteCheck("prod", {}, doc),
  });

describe("deleting a role assignment under the RBAC administrator's condition", () => {
  it("refuses deleting an assignment whose role the change drops from allowedRoles.prod, though the plan passes", () => {
    const doc = parseDeployIdentities(identitiesText(withoutReader));
    // The plan's own check judges what it creates: nothing of the removed role is left to create.
    expect(checkPlanIdentities(readwrite, doc).findings).toEqual([]);
    const p = preview(doc);
    const urn = webRead(baseline).urn;
    expect(p.changes.find((c) => c.urn === urn)?.op).toBe("delete");
    expect(p.failures.map((f) => [f.urn, f.kind])).toEqual([[urn, "unauthorized"]]);
    const message = p.failures[0].message;
    expect(message).toMatch(
      /^deleting it fails with AuthorizationFailed: sap-deploy-prod may not: delete needs action Microsoft\.Authorization\/roleAssignments\/delete on \/subscriptions\/.*\/storageAccounts\/[^/]+\/providers\/Microsoft\.Authorization\/roleAssignments\/[^;]+; Role Based Access Control Administrator holds it but its condition \(prod\) does not list role Storage Blob Data Reader \(2a2b9908-6ea1-4ae2-8e65-a410df84e7d1\) in allowedRoles/,
    );
    expect(message).toContain(
      "instead keep Storage Blob Data Reader (2a2b9908-6ea1-4ae2-8e65-a410df84e7d1) in allowedRoles.prod of deploy/identities.yaml until a deploy has deleted this assignment",
    );
    // The text output marks it as a failure, next to the lock window the delete still needs.
    const rendered = renderChangePreview(p);
    expect(rendered).toMatch(
      /- {2}delete {2}urn:.*::app-web-blob-read\n(.*\n)*? {7}FAIL deleting it fails with AuthorizationFailed/,
    );
    expect(rendered).toMatch(/1 problem\(s\): the deploy would fail/);
  });

  it("refuses the delete half of a replace the same way", () => {
    const doc = parseDeployIdentities(identitiesText(withoutReader));
    // An old state where the assignment went to another principal: principalId is forceNew.
    const urn = webRead(baseline).urn;
    const other = jsonClone(baseline);
    webRead(other).inputs.principalId = "00000000-0000-4000-8000-00000000beef";
    const p = previewChanges(other, baseline, {
      stack: "prod",
      from: "before.json",
      canDelete: roleAssignmentDeleteCheck("prod", {}, doc),
    });
    expect(p.changes.find((c) => c.urn === urn)?.op).toBe("replace");
    expect(p.failures.map((f) => [f.urn, f.kind])).toEqual([[urn, "unauthorized"]]);
    expect(p.failures[0].message).toMatch(/^replacing \(deleting\) it fails with AuthorizationFailed: /);
  });

  it("is clean while the role stays on the allowed list; the delete is judged on the role, not the principal type", () => {
    const doc = parseDeployIdentities(IDENTITIES_TEXT);
    expect(preview(doc).failures).toEqual([]);
    // The delete clause names only the role (@Resource RoleDefinitionId): an assignment to a user,
    // a principal type the write clause refuses, may still be deleted.
    const toUser = jsonClone(baseline);
    webRead(toUser).inputs.principalType = "User";
    expect(preview(doc, toUser).failures).toEqual([]);
  });

  it("is clean when the deploy identity also holds an unconditioned role that allows the delete", () => {
    const doc = parseDeployIdentities(
      identitiesText((raw) => {
        withoutReader(raw);
        raw.customRoles["Platform Assignment Remover"] = {
          description: "Deletes role assignments (test only).",
          actions: ["Microsoft.Authorization/roleAssignments/delete"],
        };
        raw.identities.deploy.roles.push({
          role: "Platform Assignment Remover",
          scope: "subscription",
          grantedBy: "setup",
          why: "test: an unconditioned holding",
        });
      }),
    );
    expect(preview(doc).failures).toEqual([]);
  });

  it("does not judge a delete that never reaches Azure (retainOnDelete)", () => {
    const doc = parseDeployIdentities(identitiesText(withoutReader));
    const retained = jsonClone(baseline);
    webRead(retained).retainOnDelete = true;
    expect(preview(doc, retained).failures).toEqual([]);
  });

  it("npm run plan -- --diff-from exits 1 naming the assignment, its role and the identity", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rbac-delete-"));
    try {
      const identities = path.join(dir, "identities.yaml");
      fs.writeFileSync(identities, identitiesText(withoutReader));
      const before = path.join(dir, "before.json");
      fs.writeFileSync(before, JSON.stringify((await sharedPlan("prod")).toStackExport()));
      const stackFile = path.join(dir, "Pulumi.prod.yaml");
      const stack = fs.readFileSync(path.join(__dirname, "..", "..", "Pulumi.prod.yaml"), "utf8");
      expect(stack).toContain("storageAccess: read\n");
      fs.writeFileSync(stackFile, stack.replace("storageAccess: read\n", "storageAccess: readwrite\n"));
      const run = await runMain(main, "--stack", "prod", "--stack-file", stackFile, "--diff-from", before, {
        env: { DEPLOY_IDENTITIES_FILE: identities },
      });
      expect(run.stderr).not.toMatch(/^\s+at /m);
      expect(run.status).toBe(1);
      expect(run.stdout).toMatch(
        /delete {2}urn:.*::app-web-blob-read\n(.*\n)*? {7}FAIL deleting it fails with AuthorizationFailed: sap-deploy-prod may not: .*does not list role Storage Blob Data Reader/,
      );
      // The plan itself passes the permission check: only the preview sees the delete.
      expect(run.stdout).toMatch(
        /Deploy identities \(deploy\/identities\.yaml, environment prod\): .*: all allowed\./,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

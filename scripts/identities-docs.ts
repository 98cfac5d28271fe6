/**
 * Regenerates the block of docs/running-in-ci.md between `<!-- identities:start -->` and
 * `<!-- identities:end -->` from deploy/identities.yaml (identities, roles, scopes, custom roles,
 * the RBAC administrator's allowed-role condition) and the prod stack's setup commands, so the
 * doc cannot drift from the declaration (test/identitiesDocs.test.ts compares them).
 *
 *   npm run docs:identities          rewrite the block
 */
import * as fs from "fs";
import * as path from "path";
import { cell } from "../lib/evidence/report";
import {
  ENVIRONMENTS,
  customRoleName,
  federatedSubjectText,
  type FederatedSubject,
  identityName,
  loadDeployIdentities,
  rbacAdminEntry,
  selfAssignableRoles,
  roleGuid,
  type DeployIdentities,
} from "../config/identities";
import { setupForStack } from "./deploy-setup";
import { acceptNoArguments } from "../lib/cli/args";

export const CI_DOC = path.resolve(__dirname, "..", "docs", "running-in-ci.md");
export const START = "<!-- identities:start -->";
export const END = "<!-- identities:end -->";
/** The stack whose setup commands the doc shows (any other: `npm run deploy:setup`). */
const SHOWN_STACK = "prod";

const SCOPES: Record<string, string> = {
  subscription: "the stack's subscription",
  resourceGroup: "the stack's resource group",
  stackVaults: "each Key Vault of the stack",
};
const GRANTERS: Record<string, string> = {
  setup: "one-time setup (before the first deploy)",
  stack: "the stack itself, to its deployPrincipalId (the identity running it)",
  admin: "an administrator, after the first deploy",
};

function subject(doc: DeployIdentities, federated: readonly FederatedSubject[] | undefined): string {
  if (!federated) return "— (Entra group)";
  const texts = federated.flatMap((s) =>
    ENVIRONMENTS.map((e) => `\`${federatedSubjectText(doc, s, e, "<owner>/<repo>")}\``),
  );
  return [...new Set(texts)].join(", ");
}

/** The generated block, markers included. */
export function renderIdentitiesBlock(doc: DeployIdentities = loadDeployIdentities()): string {
  const out = [
    START,
    "<!-- Generated from deploy/identities.yaml by `npm run docs:identities`: edit the YAML, not this block. -->",
    "",
    "| Identity | Federated credential subject | Role | Scope | Granted by | Why |",
    "|---|---|---|---|---|---|",
  ];
  for (const identity of Object.values(doc.identities)) {
    const name = identity.name.replace("{environment}", "<env>");
    for (const entry of identity.roles) {
      out.push(
        `| \`${name}\`${identity.readOnly ? " (read-only)" : ""} | ${subject(doc, identity.federatedSubjects)} | ${entry.role} | ${SCOPES[entry.scope]} | ${GRANTERS[entry.grantedBy]} | ${cell(entry.why)} |`,
      );
    }
  }
  out.push("", "Custom roles (one definition per environment, e.g. `Platform Lock Operator (prod)`):", "");
  out.push("| Role | Actions | Data actions | Purpose |", "|---|---|---|---|");
  for (const [role, def] of Object.entries(doc.customRoles)) {
    const list = (xs: readonly string[]) => (xs.length > 0 ? xs.map((x) => `\`${x}\``).join(", ") : "—");
    out.push(`| ${role} | ${list(def.actions)} | ${list(def.dataActions)} | ${cell(def.description)} |`);
  }
  const admin = rbacAdminEntry(doc);
  if (admin?.condition) {
    out.push(
      "",
      `The condition on **${admin.role}**: it may create and delete assignments of these roles only, and only to ${admin.condition.principalTypes.join(" or ")} principals (never Owner, Contributor, User Access Administrator or this role); to the deploy identity itself only ${selfAssignableRoles(doc).join(" and ")}, the roles the stack grants it on its vaults:`,
      "",
    );
    for (const env of ENVIRONMENTS) {
      const roles = admin.condition.allowedRoles[env] ?? [];
      out.push(
        `- ${env}: ${roles.map((r) => `${doc.customRoles[r] ? customRoleName(r, env) : r} (\`${roleGuid(doc, r, env)}\`)`).join(", ")}`,
      );
    }
  }
  out.push(
    "",
    `The one-time setup of stack \`${SHOWN_STACK}\`, as \`npm run deploy:setup -- --stack ${SHOWN_STACK}\` prints it (run it for each stack; identities such as \`${identityName(doc.identities.preview, "prod")}\` are shared and the commands are idempotent):`,
    "",
    "```sh",
    setupForStack(SHOWN_STACK).trimEnd(),
    "```",
    END,
  );
  return out.join("\n");
}

/** docs/running-in-ci.md with its generated block replaced. */
export function renderCiDoc(current: string, doc?: DeployIdentities): string {
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  if (start < 0 || end < start)
    throw new Error(`docs/running-in-ci.md has no ${START} ... ${END} block to regenerate`);
  return `${current.slice(0, start)}${renderIdentitiesBlock(doc)}${current.slice(end + END.length)}`;
}

if (require.main === module) {
  acceptNoArguments(
    "docs:identities",
    "usage: npm run docs:identities\n  rewrites the generated block of docs/running-in-ci.md from deploy/identities.yaml",
    process.argv.slice(2),
  );
  fs.writeFileSync(CI_DOC, renderCiDoc(fs.readFileSync(CI_DOC, "utf8")));
  console.log(`Wrote ${path.relative(process.cwd(), CI_DOC)}.`);
}

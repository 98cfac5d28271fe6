/**
 * `npm run deploy:setup -- --stack <name>`
 *
 * Prints the exact `az` commands of the one-time Azure setup of a stack, from
 * deploy/identities.yaml and the stack's configuration: the resource providers it uses, the
 * managed identities and their GitHub
 * federated credentials, the custom roles (under the GUIDs the stack assigns them by), every
 * `grantedBy: setup` role assignment with its ABAC condition, and the `grantedBy: admin` steps
 * to run after the first deploy. Run the output as an Owner of the subscriptions (SETUP_ROLE), and,
 * for step 4's Entra group, as someone who may create groups. Nothing here talks to Azure.
 *
 * Exit codes: 0 printed; 2 bad usage, unknown stack, or a bad stack file or declaration.
 */
import { validatePlatformConfig } from "../config";
import {
  customRoleName,
  federatedCredentialName,
  federatedSubjectText,
  identityName,
  loadDeployIdentities,
  renderCondition,
  roleGuid,
  type DeployIdentities,
} from "../config/identities";
import type { Environment } from "../components/common/interfaces";
import { resourceName } from "../components/common/naming";
import type { BuiltInRoleName } from "../controls/roles";
import { isConfigError } from "../lib/offline/plan";
import { readStackConfig } from "../lib/offline/stackConfig";
import { parseCommandLine, STACK_NAME, type FlagSpecs } from "../lib/cli/args";

const USAGE = `usage: npm run deploy:setup -- --stack <name>
  --stack <name>   the stack (Pulumi.<name>.yaml) whose one-time Azure setup to print`;

/**
 * The built-in role that runs the printed commands on the stack's and the identities'
 * subscriptions: registering a resource provider needs `<namespace>/register/action` ("included
 * in the Contributor and Owner roles": Microsoft's "Azure resource providers and types"),
 * creating resource groups and identities needs write actions, and role definitions and
 * assignments need Microsoft.Authorization writes. Owner holds all of them; User Access
 * Administrator (reads, Microsoft.Authorization and Microsoft.Support: controls/roles.ts) holds
 * only the last.
 */
export const SETUP_ROLE = "Owner" satisfies BuiltInRoleName;

/** The Azure operations the printed commands perform (steps 0 to 4), for SETUP_ROLE's check. */
export function setupOperations(doc: DeployIdentities): string[] {
  return [
    ...doc.resourceProviders.map((ns) => `${ns}/register/action`),
    "Microsoft.Resources/subscriptions/resourceGroups/write",
    "Microsoft.ManagedIdentity/userAssignedIdentities/write",
    "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write",
    "Microsoft.Authorization/roleDefinitions/write",
    "Microsoft.Authorization/roleAssignments/write",
  ];
}

/** Role Definitions - Create Or Update (Microsoft.Authorization REST API, 2022-04-01). */
const ROLE_DEFINITIONS_API = "2022-04-01";

/** A shell word in single quotes (a `'` inside becomes `'\''`). */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

const SUBSCRIPTION = '"/subscriptions/$SUBSCRIPTION_ID"';
/** Stands for the identity's own principal ID in the condition until the shell fills it in. */
const SELF_PLACEHOLDER = "00000000-5e1f-4000-8000-000000000000";
const principalVar = (key: string) => `${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}_ID`;

/** The commands for one stack, as shell text. */
export function renderSetup(
  doc: DeployIdentities,
  stack: string,
  env: Environment,
  resourceGroup: string,
): string {
  const out: string[] = [];
  const add = (...lines: string[]) => out.push(...lines);
  const idRg = doc.identityResourceGroup;
  const idSub = '--subscription "$IDENTITY_SUBSCRIPTION_ID"';
  add(
    `# One-time Azure setup of stack ${stack} (environment ${env}), generated from deploy/identities.yaml`,
    `# by \`npm run deploy:setup -- --stack ${stack}\`. Run in bash as ${SETUP_ROLE} of both subscriptions`,
    "# (step 0 registers resource providers: User Access Administrator alone cannot).",
    `: "\${SUBSCRIPTION_ID:?set SUBSCRIPTION_ID to the subscription of stack ${stack}}"`,
    ': "${GITHUB_REPOSITORY:?set GITHUB_REPOSITORY to owner/repo}"',
    "# Where the CI identities live (one place for every stack; default: this subscription).",
    ': "${IDENTITY_SUBSCRIPTION_ID:=$SUBSCRIPTION_ID}"',
    "",
    "# 0. Resource providers the stack creates resources in (azure-native registers none).",
    ...doc.resourceProviders.map(
      (ns) => `az provider register --subscription "$SUBSCRIPTION_ID" --namespace ${ns} --wait`,
    ),
    "",
    "# 1. Managed identities with one federated credential each (OIDC, no secret anywhere).",
    `az group create ${idSub} -n ${idRg} -l ${doc.identityLocation}`,
  );
  const managed = Object.entries(doc.identities).filter(([, i]) => i.kind === "managedIdentity");
  for (const [, identity] of managed) {
    const name = identityName(identity, env);
    add(`az identity create ${idSub} -g ${idRg} -n ${name}`);
    for (const subject of identity.federatedSubjects ?? []) {
      add(
        `az identity federated-credential create ${idSub} -g ${idRg} --identity-name ${name} \\`,
        `  --name ${federatedCredentialName(doc, subject, env)} --issuer ${doc.github.issuer} \\`,
        `  --subject "${federatedSubjectText(doc, subject, env, "${GITHUB_REPOSITORY}")}" --audiences ${doc.github.audience}`,
      );
    }
  }
  for (const [key, identity] of managed) {
    add(
      `${principalVar(key)}=$(az identity show ${idSub} -g ${idRg} -n ${identityName(identity, env)} --query principalId -o tsv)`,
    );
  }
  add(
    "",
    `# 2. Custom roles, created under the GUIDs the stack assigns them by (names are unique per tenant).`,
  );
  for (const [role, def] of Object.entries(doc.customRoles)) {
    const body = {
      properties: {
        roleName: customRoleName(role, env),
        description: def.description,
        type: "CustomRole",
        permissions: [
          { actions: def.actions, notActions: [], dataActions: def.dataActions, notDataActions: [] },
        ],
        assignableScopes: ["/subscriptions/SUBSCRIPTION_ID_PLACEHOLDER"],
      },
    };
    const json = shellQuote(JSON.stringify(body)).replace(
      "SUBSCRIPTION_ID_PLACEHOLDER",
      `'"$SUBSCRIPTION_ID"'`,
    );
    add(
      `az rest --method put \\`,
      `  --url "https://management.azure.com/subscriptions/$SUBSCRIPTION_ID/providers/Microsoft.Authorization/roleDefinitions/${roleGuid(doc, role, env)}?api-version=${ROLE_DEFINITIONS_API}" \\`,
      `  --body ${json}`,
    );
  }
  add("", "# 3. Role assignments made before the first deploy (subscription scope).");
  for (const [key, identity] of managed) {
    for (const entry of identity.roles.filter((r) => r.grantedBy === "setup")) {
      // The condition names the identity itself (no self-grants beyond the stack's own): its
      // principal ID comes from the shell variable set above, spliced into the quoted text.
      const condition = entry.condition ? renderCondition(doc, env, SELF_PLACEHOLDER) : undefined;
      const quoted = condition
        ? shellQuote(condition).replace(SELF_PLACEHOLDER, `'"$${principalVar(key)}"'`)
        : undefined;
      add(
        `# ${identityName(identity, env)}: ${entry.role}`,
        `az role assignment create --assignee-object-id "$${principalVar(key)}" --assignee-principal-type ServicePrincipal \\`,
        `  --role ${roleGuid(doc, entry.role, env)} --scope ${SUBSCRIPTION}${quoted ? " \\" : ""}`,
        ...(quoted ? [`  --condition ${quoted} --condition-version 2.0`] : []),
      );
    }
  }
  const later = Object.entries(doc.identities).flatMap(([key, identity]) =>
    identity.roles.filter((r) => r.grantedBy === "admin").map((entry) => ({ key, identity, entry })),
  );
  if (later.length > 0) {
    add("", `# 4. After the first \`pulumi up\` of ${stack}: grants on what the stack created.`);
    for (const { key, identity, entry } of later) {
      const name = identityName(identity, env);
      if (identity.kind === "group") {
        add(
          `${principalVar(key)}=$(az ad group create --display-name ${name} --mail-nickname ${name} --query id -o tsv)`,
        );
      }
      const type = identity.kind === "group" ? "Group" : "ServicePrincipal";
      const scopes =
        entry.scope === "stackVaults"
          ? `$(az keyvault list --subscription "$SUBSCRIPTION_ID" -g ${resourceGroup} --query "[].id" -o tsv)`
          : `"/subscriptions/$SUBSCRIPTION_ID/resourceGroups/${resourceGroup}"`;
      add(
        `for SCOPE in ${scopes}; do`,
        `  az role assignment create --assignee-object-id "$${principalVar(key)}" --assignee-principal-type ${type} \\`,
        `    --role ${roleGuid(doc, entry.role, env)} --scope "$SCOPE"`,
        "done",
      );
    }
  }
  add("", "# GitHub: AZURE_CLIENT_ID of the repository (previews) and of the stack's environment (deploys).");
  for (const [, identity] of managed) {
    add(`az identity show ${idSub} -g ${idRg} -n ${identityName(identity, env)} --query clientId -o tsv`);
  }
  return `${out.join("\n")}\n`;
}

/** Reads the stack's config and the declaration and renders its setup. Throws ConfigError on bad input. */
export function setupForStack(stack: string, identitiesFile?: string): string {
  const stackConfig = readStackConfig(stack);
  const config = validatePlatformConfig({
    ...stackConfig.projectSettings,
    location: stackConfig.config["azure-native:location"],
  });
  const doc = loadDeployIdentities(identitiesFile);
  const resourceGroup = resourceName(config, "resourceGroup", "");
  return renderSetup(doc, stack, config.environment, resourceGroup);
}

const FLAGS = { stack: { type: "string", required: true, pattern: STACK_NAME } } as const satisfies FlagSpecs;

/** The CLI: writes the setup (or the problem) and returns the exit code (tests call it in-process). */
export function main(argv: string[]): number {
  const { values, help, problems } = parseCommandLine(argv, FLAGS);
  if (help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const stack = values.stack;
  if (problems.length > 0 || stack === undefined) {
    process.stderr.write(`deploy:setup: ${problems.join("; ")}\n${USAGE}\n`);
    return 2;
  }
  try {
    process.stdout.write(setupForStack(stack));
    return 0;
  } catch (err) {
    if (isConfigError(err)) {
      process.stderr.write(`deploy:setup: stack ${stack}: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

/**
 * The first `pulumi preview` of a new stack, run through the real program and the real Node.js
 * SDK in preview mode (`runUnderMocks({preview: true})`): the SDK itself decides which inputs are
 * unknown and which resources each input depends on, as it does for the engine:
 *
 * - a custom resource being created answers, as azure-native's preview does
 *   (pulumi/pulumi-azure-native provider/pkg/convert/previewOutputs.go `PreviewOutputs`), its
 *   inputs in the shape of its outputs and leaves every other output unknown (no ID, no `name`,
 *   no FQDN, principal ID, vault or key URI, random `result`), without the ARM path parameters
 *   (`createdOutputs` in firstPreview.ts);
 * - so an `apply` over such an output never runs and its result is unknown as a whole, including
 *   the azure-native SDK's own `...ArgsProvideDefaults` applies over object inputs (a storage
 *   account's `encryption`, a container app's `configuration` and `template`, a private
 *   endpoint's `subnet`); a resource a component creates inside one does not register;
 * - an output-form invoke whose arguments are not known answers unknown with no dependencies
 *   (pulumi/pulumi sdk/nodejs/runtime/invoke.ts), as `getClientConfig` (known args) answers;
 * - stack references are reads: known, from the referenced stack's offline plan.
 *
 * The mocks keep every other behaviour (refusals, invokes); `test/helpers/firstPreview.ts`
 * derives a preview from an export instead, for updates that replace a resource.
 */
import { AzureMocks } from "../../lib/offline/mocks";
import { runUnderMocks, type PlannedResource } from "../../lib/offline/run";
import { buildStackExport } from "../../lib/offline/export";
import { requireProgramUnderJest } from "../../lib/offline/jestProgram";
import { readStackConfig } from "../../lib/offline/stackConfig";
import { UNKNOWN_SENTINEL } from "../../lib/analyzer/server";
import type { StackExport } from "../../policy/common/pulumiFormat";
import { createdOutputs } from "./firstPreview";

type MockArgs = Parameters<AzureMocks["newResource"]>[0];

export interface PreviewProgram {
  /** The program's entry module. */
  main: string;
  /** Its Pulumi.yaml (default: this repository's). */
  projectFile?: string;
  stack: string;
  /** Outputs of the stacks its `StackReference`s read, by name. */
  stackOutputs?: Record<string, Record<string, unknown>>;
}

/** The export the pack sees in the first preview of `program`'s stack. */
export async function sdkFirstPreview(program: PreviewProgram): Promise<StackExport> {
  const stackConfig = readStackConfig(program.stack, { projectFile: program.projectFile });
  const { project, config, secretKeys } = stackConfig;
  const location = config["azure-native:location"];
  const deployer = config[`${project}:deployPrincipalId`];
  const newResource = Object.getOwnPropertyDescriptor(AzureMocks.prototype, "newResource")!;
  // The real answer (refusals, output shape), then azure-native's preview of it.
  AzureMocks.prototype.newResource = function (this: AzureMocks, args: MockArgs) {
    const answer = (newResource.value as AzureMocks["newResource"]).call(this, args);
    const exempt =
      !args.custom ||
      args.type === "pulumi:pulumi:StackReference" ||
      args.type.startsWith("pulumi:providers:");
    if (exempt) return answer;
    const exact = this.exactInputs;
    const inputs = exact && exact.type === args.type && exact.name === args.name ? exact.inputs : args.inputs;
    const state = createdOutputs(args.type, inputs, answer.state);
    return { id: undefined, state: { ...state, id: UNKNOWN_SENTINEL } };
  };
  let resources: PlannedResource[];
  try {
    ({ resources } = await runUnderMocks(
      () => {
        // Fresh program modules, the test file's SDK and providers (as the plan loads a program).
        const exported = requireProgramUnderJest(program.main);
        return typeof exported === "function" ? (exported as () => unknown)() : exported;
      },
      {
        project,
        stack: program.stack,
        config,
        secretKeys,
        preview: true,
        mocks: {
          location: typeof location === "string" ? location : undefined,
          objectId: typeof deployer === "string" ? deployer : undefined,
          stackOutputs: (name) => program.stackOutputs?.[name],
        },
      },
    ));
  } finally {
    Object.defineProperty(AzureMocks.prototype, "newResource", newResource);
  }
  const providerConfig: Record<string, Record<string, unknown>> = {};
  for (const [key, value] of Object.entries(config)) {
    const [pkg, name] = key.split(":");
    if (pkg !== project && name) (providerConfig[pkg] ??= {})[name] = value;
  }
  return buildStackExport({ project, stack: program.stack, resources, providerConfig });
}

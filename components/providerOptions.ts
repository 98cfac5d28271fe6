/**
 * What the Node.js component provider host serves for the Pulumi package: the package name
 * (`secure-azure-platform`, the prefix of every type token), this directory (its package.json,
 * tsconfig.json and entry point feed the SDK's schema analysis) and every component class
 * exported from `index.ts`. Shared by the host entry (`provider.ts`) and the tests, so the tests
 * exercise exactly what `pulumi package add` gets.
 *
 * Why an explicit host rather than the SDK's automatic discovery: discovery names the package
 * after package.json's `name`, which for `@secure-azure-platform/components` is `components`
 * (namespace `secure-azure-platform`); the type tokens the classes register with, and that
 * existing stacks know, start with `secure-azure-platform`.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ComponentResourceOptions, Inputs } from "@pulumi/pulumi";
import { InputPropertiesError } from "@pulumi/pulumi/errors";
import type { ConstructResult } from "@pulumi/pulumi/provider";
import {
  ComponentProvider,
  getPulumiComponents,
  type ComponentProviderOptions,
} from "@pulumi/pulumi/provider/experimental";
import { PULUMI_PACKAGE } from "../controls/componentTypes";
import { ComponentArgsError, valueAt } from "./common/schema";
import * as components from "./index";

export function componentProviderOptions(): ComponentProviderOptions {
  return { name: PULUMI_PACKAGE, dirname: __dirname, components: getPulumiComponents(components) };
}

/**
 * The SDK's component provider, except that a caller's bad arguments (`ComponentArgsError`, every
 * problem at once) reach the engine as an `InputPropertiesError`: the provider server sends that
 * as INVALID_ARGUMENT with one property path and reason per problem
 * (`@pulumi/pulumi/provider/server.js` `buildInvalidPropertiesError`), which the CLI prints under
 * the resource for a Python, Go, C#, Java or YAML program. Any other error passes unchanged.
 * A problem whose value is or holds a secret stays in the message only: the engine prints the
 * value it finds at a property path, secrets included (`inputPropertiesError`).
 */
export class PlatformComponentProvider extends ComponentProvider {
  constructor() {
    super(componentProviderOptions());
  }

  override async construct(
    name: string,
    type: string,
    inputs: Inputs,
    options: ComponentResourceOptions,
  ): Promise<ConstructResult> {
    try {
      return await super.construct(name, type, inputs, options);
    } catch (e) {
      throw e instanceof ComponentArgsError ? await inputPropertiesError(e, inputs) : e;
    }
  }
}

/**
 * `apps[0].env.TOKEN`, as the engine parses a property path (pulumi/pulumi
 * sdk/go/common/resource/properties_path.go parsePropertyPath): a key is bare up to the next `.`
 * or `[`, so a key that is empty or holds `.`, `[`, `]` or `"` is written `["..."]` (`"` as `\"`);
 * `formatPath` would make `tags["a.b"]` the path `tags.a.b`, which names another property.
 */
export function enginePropertyPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, part) => {
    if (typeof part === "number") return `${acc}[${part}]`;
    const key = String(part);
    if (key === "" || /[.[\]"]/.test(key)) return `${acc}["${key.replace(/"/g, '\\"')}"]`;
    return acc === "" ? key : `${acc}.${key}`;
  }, "");
}

/**
 * The value holds a secret as the provider receives it: a secret Output (a secret top-level
 * input, `provider/server.js` deserializeInputs) or the RPC secret envelope (a nested one).
 */
async function holdsSecret(value: unknown): Promise<boolean> {
  if (pulumi.Output.isInstance(value)) return pulumi.isSecret(value);
  if (pulumi.runtime.isRpcSecret(value)) return true;
  if (value === null || typeof value !== "object" || pulumi.Resource.isInstance(value)) return false;
  for (const child of Object.values(value)) if (await holdsSecret(child)) return true;
  return false;
}

/**
 * The engine's form of a `ComponentArgsError`: its message (every problem, as TypeScript callers
 * see it), and each problem under its property path, except one whose value holds a secret. The
 * engine prints the value it finds at each path beside the reason with Go's `%v`, which shows a
 * secret's plain text (pulumi/pulumi pkg/resource/deploy/source_eval.go errorToMessage: "property
 * %v with value '%v' has a problem"; sdk/go/common/resource/properties.go PropertyValue.String).
 */
export async function inputPropertiesError(
  error: ComponentArgsError,
  inputs: Inputs,
): Promise<InputPropertiesError> {
  const errors: { propertyPath: string; reason: string }[] = [];
  for (const p of error.problems) {
    if (await holdsSecret(valueAt(inputs, p.path))) continue;
    errors.push({ propertyPath: enginePropertyPath(p.path), reason: `${p.message} (got ${p.value})` });
  }
  return new InputPropertiesError({ message: error.message, errors });
}

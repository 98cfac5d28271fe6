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
import type { ComponentResourceOptions, Inputs } from "@pulumi/pulumi";
import { InputPropertiesError } from "@pulumi/pulumi/errors";
import type { ConstructResult } from "@pulumi/pulumi/provider";
import {
  ComponentProvider,
  getPulumiComponents,
  type ComponentProviderOptions,
} from "@pulumi/pulumi/provider/experimental";
import { PULUMI_PACKAGE } from "../controls/componentTypes";
import { ComponentArgsError, formatPath } from "./common/schema";
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
      throw e instanceof ComponentArgsError ? inputPropertiesError(e) : e;
    }
  }
}

/** The engine's form of a `ComponentArgsError`: its message, and each problem under its property path. */
export function inputPropertiesError(error: ComponentArgsError): InputPropertiesError {
  return new InputPropertiesError({
    message: error.message,
    errors: error.problems.map((p) => ({
      propertyPath: formatPath(p.path),
      reason: `${p.message} (got ${p.value})`,
    })),
  });
}

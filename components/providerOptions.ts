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
import { getPulumiComponents, type ComponentProviderOptions } from "@pulumi/pulumi/provider/experimental";
import { PULUMI_PACKAGE } from "../controls/componentTypes";
import * as components from "./index";

export function componentProviderOptions(): ComponentProviderOptions {
  return { name: PULUMI_PACKAGE, dirname: __dirname, components: getPulumiComponents(components) };
}

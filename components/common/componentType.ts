/**
 * What every component passes to `super()`: its type token (controls/componentTypes.ts) and its
 * options with an alias from its legacy token merged in, so existing stacks see a rename, not a
 * replacement of the component and its children.
 */
import type * as pulumi from "@pulumi/pulumi";
import { LEGACY_COMPONENT_TYPES, type ComponentClass } from "../../controls/componentTypes";

export { componentType } from "../../controls/componentTypes";

export function withLegacyAlias(
  component: ComponentClass,
  opts: pulumi.ComponentResourceOptions | undefined,
): pulumi.ComponentResourceOptions {
  return { ...opts, aliases: [...(opts?.aliases ?? []), { type: LEGACY_COMPONENT_TYPES[component] }] };
}

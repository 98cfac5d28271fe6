/**
 * Type tokens of the component classes, one place for the components, the policy pack and the
 * tools. Since the components became a Pulumi package (issue 16) every token is
 * `secure-azure-platform:index:<Class>`: the Node.js component provider serves only the
 * `index` module, and the token must match what a consumer's generated SDK registers. Each
 * class also keeps an alias from the token it had before, so a stack created with the old
 * tokens sees a rename, not a replacement (Pulumi aliases).
 */

/** Pulumi package name of the components (`pulumi package add` and the schema use it). */
export const PULUMI_PACKAGE = "secure-azure-platform";

/** Component class -> the type token it registered with before it moved to `index`. */
export const LEGACY_COMPONENT_TYPES = {
  BlobStorage: "secure-azure-platform:data:BlobStorage",
  ContainerApp: "secure-azure-platform:apps:ContainerApp",
  ContainerAppsEnvironment: "secure-azure-platform:apps:ContainerAppsEnvironment",
  CustomerManagedKey: "secure-azure-platform:foundation:CustomerManagedKey",
  DefenderPlans: "secure-azure-platform:foundation:DefenderPlans",
  FrontDoor: "secure-azure-platform:edge:FrontDoor",
  HumanAccess: "secure-azure-platform:foundation:HumanAccess",
  KeyVault: "secure-azure-platform:foundation:KeyVault",
  Logging: "secure-azure-platform:foundation:Logging",
  ManagedRedis: "secure-azure-platform:data:ManagedRedis",
  Network: "secure-azure-platform:foundation:Network",
  PostgresServer: "secure-azure-platform:data:PostgresServer",
  Sentinel: "secure-azure-platform:siem:Sentinel",
  WorkloadIdentity: "secure-azure-platform:foundation:WorkloadIdentity",
} as const;

export type ComponentClass = keyof typeof LEGACY_COMPONENT_TYPES;

/** `secure-azure-platform:index:<Class>`. */
export function componentType<C extends ComponentClass>(component: C): `${typeof PULUMI_PACKAGE}:index:${C}` {
  return `${PULUMI_PACKAGE}:index:${component}`;
}

/** Every token a class answers to: the current one first, then the legacy one (for readers of old states). */
export function componentTypes(component: ComponentClass): readonly string[] {
  return [componentType(component), LEGACY_COMPONENT_TYPES[component]];
}

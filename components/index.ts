/**
 * Public entry point of the secure-azure-platform components package: every component class,
 * its argument and output types, and the errors a component throws on refused arguments.
 * Consumers import from here (npm) or get these classes through the Pulumi component package
 * (PulumiPlugin.yaml), whose schema the SDK infers from these exports.
 */
export * from "./blobStorage";
export * from "./containerApp";
export * from "./containerAppsEnvironment";
export * from "./customerManagedKey";
export * from "./defender";
export * from "./frontDoor";
export * from "./humanAccess";
export * from "./keyVault";
export * from "./logging";
export * from "./managedRedis";
export * from "./network";
export * from "./platform";
export * from "./postgres";
export * from "./sentinel";
export * from "./workloadIdentity";
export { NamingError } from "./common/naming";
export { PrivilegedRoleError } from "./common/roleAssignment";
export { ComponentArgsError } from "./common/schema";

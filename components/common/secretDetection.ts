/**
 * SEC-1 secret detection for plain environment variables. The heuristic lives with the policy
 * pack (which must stay self-contained to be published) so the pack, the stack config
 * validation and the ContainerApp component refuse exactly the same inputs.
 */
export * from "../../policy/common/secretDetection";

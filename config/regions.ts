// The region tables live with the policy pack, which must stay self-contained to be
// published; the stack reads the same tables so config and policy never disagree.
export * from "../policy/common/regions";

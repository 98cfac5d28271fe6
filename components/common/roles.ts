// The role table lives with the policy pack, which must stay self-contained to be
// published; components and policies share the one table (IAM-2).
export * from "../../policy/common/roles";

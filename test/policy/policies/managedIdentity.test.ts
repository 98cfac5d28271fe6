import { federatedCredentialTrustedSubject } from "../../../policy/policies/managedIdentity";
import { describePolicy, expectViolation } from "./support";

const FIC = "azure-native:managedidentity:FederatedIdentityCredential";
const PROD_SUBJECT = "repo:acme/platform:environment:production";
const credential = {
  resourceGroupName: "rg-sap-prod",
  resourceName: "id-sap-deploy-prod",
  federatedIdentityCredentialResourceName: "github-production",
  issuer: "https://token.actions.githubusercontent.com",
  subject: PROD_SUBJECT,
  audiences: ["api://AzureADTokenExchange"],
};

describePolicy(federatedCredentialTrustedSubject, {
  type: FIC,
  compliant: credential,
  config: { allowedSubjects: [PROD_SUBJECT, "repo:acme/platform:ref:refs/heads/main"] },
  violations: [
    ["subject", "repo:acme/platform:pull_request", /pull-request/],
    ["subject", "repo:acme/*:environment:production", /wildcard/],
    ["subject", "repo:attacker/platform:environment:production", /not in allowedSubjects/],
    ["subject", "repo:acme/platform:ref:refs/heads/feature", /not in allowedSubjects/],
    ["issuer", "https://attacker.example.com", /issuer .* is not allowed/],
    ["audiences", ["api://AzureADTokenExchange", "https://attacker.example.com"], /audiences/],
    ["audiences", [], /audiences/],
  ],
  passes: [
    ["subject", "repo:acme/platform:ref:refs/heads/main"],
    ["issuer", "https://token.actions.githubusercontent.com/"],
  ],
  unknown: "subject",
});

it("federated-credential-trusted-subject trusts no subject by default (deny by default)", () =>
  expectViolation(federatedCredentialTrustedSubject, FIC, credential, /allowedSubjects \(none\)/));

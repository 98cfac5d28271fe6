/**
 * deploy/identities.yaml edited for a test: the declaration as plain YAML data, loosely typed so a
 * test can break it, and the edit several files make (a role leaving the RBAC administrator's
 * allowed-role list).
 */
import * as fs from "fs";
import { parse, stringify } from "yaml";
import { IDENTITIES_FILE } from "../../config/identities";

export interface RawRole {
  role: string;
  scope: string;
  grantedBy?: string;
  why?: string;
  condition?: { allowedRoles: Record<string, string[]> };
}
export interface RawIdentities {
  identities: Record<string, { roles: RawRole[]; federatedSubjects?: string[] }>;
  customRoles: Record<string, { description?: string; actions: string[] }>;
  [key: string]: unknown;
}

/** The checked-in declaration's text. */
export const IDENTITIES_TEXT = fs.readFileSync(IDENTITIES_FILE, "utf8");

/** The declaration's text after `edit` (none: as checked in, re-serialized). */
export function identitiesText(edit: (doc: RawIdentities) => void = () => undefined): string {
  const doc = parse(IDENTITIES_TEXT) as RawIdentities;
  edit(doc);
  return stringify(doc);
}

/** The RBAC administrator's allowed-role list for `environment` (the deploy identity's conditioned role). */
export function allowedRoles(doc: RawIdentities, environment: string): string[] {
  return doc.identities.deploy.roles.find((r) => r.condition)!.condition!.allowedRoles[environment];
}

/** An edit: `role` leaves the allowed-role list of `environment` (it must be on it). */
export const withoutAllowedRole =
  (role: string, environment = "prod") =>
  (doc: RawIdentities): void => {
    const list = allowedRoles(doc, environment);
    if (!list.includes(role)) throw new Error(`${role} is not in allowedRoles.${environment}`);
    list.splice(list.indexOf(role), 1);
  };

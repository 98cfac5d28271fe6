/** Bypass cases: Escape hatches, privilege through other roles and principals, secrets outside env (issue 13, classes 2, 3, 6). */
import type { Mutation, Variation } from "../mutationCatalog";

export const MUTATIONS: Mutation[] = [];

export const SECURE_VARIATIONS: Variation[] = [];

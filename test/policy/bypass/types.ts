/** Bypass cases: Unrecognised types, token forms, the unevaluated-type gate and engine robustness (issue 13, classes 1, 7, 8). */
import type { Mutation, Variation } from "../mutationCatalog";

export const MUTATIONS: Mutation[] = [];

export const SECURE_VARIATIONS: Variation[] = [];

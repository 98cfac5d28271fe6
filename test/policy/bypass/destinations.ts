/** Bypass cases: Protection that points elsewhere and protected settings overridden or removed (issue 13, classes 4, 5). */
import type { Mutation, Variation } from "../mutationCatalog";

export const MUTATIONS: Mutation[] = [];

export const SECURE_VARIATIONS: Variation[] = [];

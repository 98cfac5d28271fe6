/**
 * The bypass section of the mutation suite: what an attacker with write access to a stack, or a
 * hurried engineer, would try to get past the pack. Same shape and same harness as the main
 * catalog; one file per class of bypass.
 */
import * as destinations from "./destinations";
import * as edge from "./edge";
import * as escapes from "./escapes";
import * as pointers from "./pointers";
import * as reopened from "./reopened";
import * as types from "./types";

const sections = [types, escapes, destinations, edge, pointers, reopened];

export const BYPASS_MUTATIONS = sections.flatMap((s) => s.MUTATIONS);
export const BYPASS_VARIATIONS = sections.flatMap((s) => s.SECURE_VARIATIONS);

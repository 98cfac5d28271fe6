/**
 * `DefenderPlans` takes no arguments: the plan list is fixed (THR-1). The schema says so before
 * anything registers, with a did-you-mean for a near miss; whether a stack manages the plans at
 * all is the stack config's `manageDefenderPlans`.
 */
import { strictArgs } from "./common/schema";

export const defenderPlansArgsSchema = strictArgs({}, "an argument (the plan list is fixed, THR-1)");

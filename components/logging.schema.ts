/**
 * The Logging settings a stack chooses (`Logging` args without the platform wiring): the
 * component parses them with `loggingSettingsSchema`, and the stack config's
 * `logRetentionDays` and `alertEmail` keys are the same fields and rules.
 */
import { z } from "zod";
import { LOG_RETENTION_DAYS } from "../controls/limits";
import { wholeNumber } from "./common/schema";

/** The fields, each usable on its own (the stack config maps them to its keys). */
export const loggingFields = {
  retentionInDays: wholeNumber(
    LOG_RETENTION_DAYS.min,
    LOG_RETENTION_DAYS.max,
    LOG_RETENTION_DAYS.why,
  ).describe("LOG-1: days the workspace keeps logs (interactive retention)."),
  alertEmail: z
    .email({ message: "must be an e-mail address (MON-1 action group)" })
    .meta({ allowed: "an e-mail address" })
    .describe("MON-1: where the action group sends every alert."),
};

/** The component's schema for the settings. */
export const loggingSettingsSchema = z.object({
  retentionInDays: loggingFields.retentionInDays,
  alertEmail: loggingFields.alertEmail,
});

// Household tasks ("order the cake", "wrap by the 23rd").
import { api, ApiError } from "../api.js";
import { notYet } from "./misc.js";

export async function tasks(ctx) {
  try {
    await api.get(ctx.session.hh("/tasks?limit=1"));
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return notYet("Tasks", "Tasks are coming soon.");
    throw error;
  }
  return notYet("Tasks", "Tasks are coming soon.");
}

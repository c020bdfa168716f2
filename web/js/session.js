// Who is signed in, and which of their households is being looked at (remembered per browser).
import { api } from "./api.js";

const HOUSEHOLD_KEY = "gf.household";

export const session = {
  me: null, // {id, email, display_name, households: [{id, name, timezone, role}]}
  household: null,

  async load() {
    try {
      this.me = await api.get("/me");
    } catch (error) {
      if (error.status === 401) { this.me = null; this.household = null; return null; }
      throw error;
    }
    const wanted = localStorage.getItem(HOUSEHOLD_KEY);
    const list = this.me.households;
    this.household = list.find((hh) => hh.id === wanted) || (list.length === 1 ? list[0] : null);
    return this.me;
  },

  choose(household) {
    this.household = household;
    if (household) localStorage.setItem(HOUSEHOLD_KEY, household.id);
    else localStorage.removeItem(HOUSEHOLD_KEY);
  },

  clear() {
    this.me = null;
    this.household = null;
  },

  get isAdmin() { return this.household?.role === "admin"; },
  get isChild() { return this.household?.role === "child"; },

  /** `/households/{id}` + path, for the household being looked at. */
  hh(path = "") { return `/households/${this.household.id}${path}`; },
};

// Every page of the client: its path, its view, and what it needs (a session, a household).
import { account, login, signup } from "./views/auth.js";
import { exchanges } from "./views/exchanges.js";
import { family } from "./views/family.js";
import { addToList, gift } from "./views/gift.js";
import { gifts } from "./views/gifts.js";
import { giftHistory } from "./views/history.js";
import { home } from "./views/home.js";
import { join, pick } from "./views/households.js";
import { list } from "./views/list.js";
import { notFound } from "./views/misc.js";
import { notifications } from "./views/notifications.js";
import { occasions } from "./views/occasions.js";
import { forgotPassword, resetPassword } from "./views/password.js";
import { people, person } from "./views/people.js";
import { tasks } from "./views/tasks.js";

export const routes = [
  { path: "/login", view: login, auth: false },
  { path: "/signup", view: signup, auth: false },
  { path: "/forgot-password", view: forgotPassword, auth: false },
  { path: "/reset-password", view: resetPassword, auth: false },
  { path: "/households", view: pick },
  { path: "/join", view: join },
  { path: "/account", view: account },
  { path: "/", view: home, household: true, tab: "home" },
  { path: "/people", view: people, household: true, tab: "people" },
  { path: "/people/:id", view: person, household: true, tab: "people" },
  { path: "/lists/:id", view: list, household: true, tab: "people" },
  { path: "/lists/:id/add", view: addToList, household: true, tab: "people" },
  { path: "/gifts", view: gifts, household: true, tab: "people" },
  { path: "/gifts/:id", view: gift, household: true, tab: "people" },
  { path: "/occasions", view: occasions, household: true, tab: "occasions" },
  { path: "/exchanges", view: exchanges, household: true, tab: "occasions" },
  { path: "/history", view: giftHistory, household: true, tab: "history" },
  { path: "/tasks", view: tasks, household: true, tab: "tasks" },
  { path: "/family", view: family, household: true, tab: "family" },
  { path: "/notifications", view: notifications, household: true },
  { path: "/not-found", view: notFound, auth: false },
];

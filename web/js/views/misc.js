// Pages that are small enough to share a module.
import { h } from "../dom.js";

export async function notFound() {
  return h("section", { class: "page" }, h("h1", {}, "Nothing here"),
    h("p", {}, "This page does not exist. ", h("a", { href: "#/" }, "Go to the start")));
}
